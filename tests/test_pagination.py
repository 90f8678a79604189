"""Long shops are split into pages: the home page and each tag page show `listings_per_page`
listings (site.yaml, default 48) and link to the others; private listings are never counted."""

from __future__ import annotations

from pathlib import Path

from conftest import BUILD_DATE, SITE_YAML, build_into
from sitecheck import html_pages, parse, resolve_link

from generator.pipeline import BuildOptions, build


def listing(n: int, tags: str = "[mugs]", private: bool = False) -> str:
    return (
        f'title: "Mug {n:02d}"\nprice: {10 + n}\ndate: 2026-01-{n:02d}\ntags: {tags}\n'
        "images:\n  - {src: images/mug.png, alt: A mug}\n" + ("private: true\n" if private else "")
    )


def shop(make_site, count: int, per_page: int | None = 2, **extra: str) -> Path:
    site = SITE_YAML + (f"listings_per_page: {per_page}\n" if per_page is not None else "")
    files: dict[str, str | bytes | None] = {"site.yaml": site, "listings/blue-mug.yaml": None}
    for n in range(1, count + 1):
        files[f"listings/mug-{n:02d}.yaml"] = listing(n, tags="[mugs, blue]" if n % 2 else "[mugs]")
    files.update(extra)
    return make_site(files)


def card_titles(html: bytes) -> list[str]:
    page = parse(html)
    return [h.text for h in page.find("h3", **{"class": "card-title"}) + page.find("h2", **{"class": "card-title"})]


def test_home_and_tag_pages_are_split_newest_first(make_site, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_into(shop(make_site, 5), out)
    assert card_titles((out / "index.html").read_bytes()) == ["Mug 05", "Mug 04"]
    assert card_titles((out / "page/2/index.html").read_bytes()) == ["Mug 03", "Mug 02"]
    assert card_titles((out / "page/3/index.html").read_bytes()) == ["Mug 01"]
    assert not (out / "page/4").exists()
    # 5 tagged "mugs": 3 pages; 3 tagged "blue" (odd numbers): 2 pages.
    assert card_titles((out / "tags/mugs/page/3/index.html").read_bytes()) == ["Mug 01"]
    assert card_titles((out / "tags/blue/index.html").read_bytes()) == ["Mug 05", "Mug 03"]
    assert card_titles((out / "tags/blue/page/2/index.html").read_bytes()) == ["Mug 01"]
    assert not (out / "tags/blue/page/3").exists()
    blue = parse((out / "tags/blue/index.html").read_bytes())
    assert "3 pieces tagged" in blue.all_text and "Page 1 of 2" in blue.all_text


def test_pages_link_to_each_other_and_every_link_resolves(make_site, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_into(shop(make_site, 5), out)
    middle = parse((out / "page/2/index.html").read_bytes())
    nav = middle.one("nav", **{"class": "pagination"})
    assert nav.attrs["aria-label"] == "Shop pages"
    prev = middle.one("a", rel="prev")
    nxt = middle.one("a", rel="next")
    assert resolve_link(out, "page/2/index.html", prev.attrs["href"], "/") == out / "index.html"
    assert resolve_link(out, "page/2/index.html", nxt.attrs["href"], "/") == out / "page/3/index.html"
    current = [a for a in middle.find("a", **{"aria-current": "page"}) if a.attrs.get("aria-label") == "Page 2"]
    assert len(current) == 1
    assert resolve_link(out, "page/2/index.html", current[0].attrs["href"], "/") == out / "page/2/index.html"
    for rel, page in html_pages(out).items():
        for href in page.links():
            target = resolve_link(out, rel, href, "/")
            assert target is None or target.is_file(), f"{rel}: broken link {href}"
    # Each page has its own title and canonical address.
    titles = [parse((out / p).read_bytes()).one("title").text for p in ("index.html", "page/2/index.html")]
    assert titles == ["Test Studio", "Page 2 of 3 · Test Studio"]
    canonical = middle.one("link", rel="canonical").attrs["href"]
    assert canonical == "https://shop.example/page/2/"
    sitemap = (out / "sitemap.xml").read_text()
    assert "<loc>https://shop.example/page/3/</loc>" in sitemap
    assert "<loc>https://shop.example/tags/blue/page/2/</loc>" in sitemap


def test_a_short_shop_has_one_page_and_no_page_links(make_site, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_into(shop(make_site, 5, per_page=None), out)  # default: 48 per page
    assert len(card_titles((out / "index.html").read_bytes())) == 5
    assert not (out / "page").exists()
    assert b'class="pagination"' not in (out / "index.html").read_bytes()


def test_private_listings_are_not_counted_or_shown(make_site, tmp_path: Path) -> None:
    content = shop(make_site, 4, **{"listings/secret-01.yaml": listing(9, tags="[mugs, blue]", private=True)})
    result = build(BuildOptions(content=content, themes=tmp_path / "themes", today=BUILD_DATE))
    homes = sorted(p.output for p in result.plan.pages if p.kind == "home")
    assert homes == ["index.html", "page/2/index.html"]
    blue = sorted(p.output for p in result.plan.pages if p.kind == "tag" and p.url.startswith("tags/blue/"))
    assert blue == ["tags/blue/index.html"]  # Mug 01 and 03 public; the private one is not counted
    for path, data in result.outputs.items():
        if isinstance(data, bytes) and not path.startswith("p/"):
            assert b"Mug 09" not in data, path
