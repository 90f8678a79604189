"""Every local link and asset reference in the built site resolves to a built file, whether the
site is served from a domain root or from a sub-path (a GitHub Pages project site)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO, TEST_SECRET, build_into
from sitecheck import html_pages, resolve_link, shop_files

from generator.secret import listing_token
from generator.write import MARKER


def check_links(out: Path, base_path: str) -> dict[str, set[str]]:
    """Assert every local href/src/action resolves; returns page -> set of output files it links to."""
    pages = html_pages(out)
    assert pages, "no HTML pages were built"
    graph: dict[str, set[str]] = {}
    for rel, page in pages.items():
        ids = {e.attrs["id"] for e in page.elements if e.attrs.get("id")}
        targets: set[str] = set()
        for href in page.links():
            assert href.strip() == href and href, f"{rel}: empty or padded link {href!r}"
            if href == "#" and href == page.one("form", id="order-form").attrs["action"]:
                continue  # the order form is never submitted; its script builds the order mail
            if href.startswith("#"):
                assert href[1:] in ids, f"{rel}: link {href} has no element with that id"
                continue
            if href.startswith("mailto:"):
                continue
            target = resolve_link(out, rel, href, base_path)
            if target is None:
                assert href.startswith("https://"), f"{rel}: unexpected external link {href!r}"
                continue
            assert target.is_file(), f"{rel}: link {href!r} points to missing {target.relative_to(out)}"
            targets.add(target.relative_to(out).as_posix())
        graph[rel] = targets
    return graph


@pytest.mark.parametrize(
    ("base_url", "base_path"),
    [("https://shop.example/", "/"), ("https://ada.github.io/riverbend/", "/riverbend/")],
)
@pytest.mark.parametrize("form_action", [None, "https://forms.example/f/123"])
def test_every_local_link_resolves(make_site, tmp_path: Path, base_url: str, base_path: str, form_action: str | None):
    out = tmp_path / "out"
    build_into(make_site(shop_files(base_url=base_url, form_action=form_action), base=False), out)
    graph = check_links(out, base_path)

    # The home page reaches every public listing, the maker page, the menu pages and the tags.
    home = graph["index.html"]
    for page in (
        "listings/eagle-mug/index.html",
        "listings/monogram-cup/index.html",
        "listings/tea-bowl/index.html",
        "listings/plate/index.html",
        "maker/index.html",
        "shipping/index.html",
        "faq/index.html",
        "tags/mugs/index.html",
        "static/style.css",
    ):
        assert page in home, page
    assert "hidden/index.html" not in home  # menu: false
    assert (out / "hidden" / "index.html").is_file()
    # Listing pages link their photos, tags, script and (with a form service) the custom-order page.
    eagle = graph["listings/eagle-mug/index.html"]
    assert {"images/mug-800.jpg", "images/mug2-800.jpg", "tags/birds/index.html", "static/listing.js"} <= eagle
    assert ("custom-order/index.html" in eagle) == bool(form_action)
    # 404.html is served at any depth, so its links are root-absolute under the base path.
    local_404 = [h for h in html_pages(out)["404.html"].links() if not h.startswith(("https:", "mailto:", "#"))]
    assert local_404 and all(h.startswith(base_path) for h in local_404), local_404
    expected_404 = {"index.html", "maker/index.html", "shipping/index.html", "faq/index.html", "static/style.css"}
    if form_action:
        expected_404.add("custom-order/index.html")
    assert expected_404 <= graph["404.html"]


def test_every_page_is_a_folder_with_index_html(make_site, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_into(make_site(shop_files(), base=False), out)
    all_built = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    secret_folder = f"p/{listing_token(TEST_SECRET, 'secret-commission')}/"
    built = {p for p in all_built if not p.startswith(secret_folder)}
    html = {p for p in built if p.endswith(".html")}
    assert html == {
        "index.html",
        "404.html",
        "maker/index.html",
        "listings/eagle-mug/index.html",
        "listings/monogram-cup/index.html",
        "listings/tea-bowl/index.html",
        "listings/plate/index.html",
        "tags/mugs/index.html",
        "tags/birds/index.html",
        "tags/bowls/index.html",
        "shipping/index.html",
        "faq/index.html",
        "hidden/index.html",
    }
    assert {"CNAME", "images/mug-800.jpg", "images/ada-480.webp", "static/style.css", MARKER} <= built
    # The private listing is a folder too, with its photo, under p/<token>/ and nowhere else.
    private = all_built - built
    assert secret_folder + "index.html" in private
    photos = private - {secret_folder + "index.html"}
    # Its photo's files, under a name that says nothing of the photo's own (secret.png).
    assert len(photos) == 4 and all(p.startswith(secret_folder + "photo-") for p in photos)
    assert not any("secret" in p for p in built)


@pytest.mark.skipif(not (REPO / "content" / "site.yaml").is_file(), reason="sample content/ not in this checkout")
@pytest.mark.parametrize("base_url", [None, "https://maker.github.io/shop/"])
def test_sample_shop_links_resolve(tmp_path: Path, base_url: str | None) -> None:
    out = tmp_path / "out"
    result = build_into(REPO / "content", out, themes=REPO / "themes", base_url=base_url)
    graph = check_links(out, result.site.config.base_path)
    assert len(result.plan.public_listings) >= 8
    for listing in result.plan.public_listings:
        assert f"listings/{listing.slug}/index.html" in graph["index.html"]
