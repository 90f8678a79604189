"""What each page of the default theme shows, and what it must never show."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import REPO, TEST_SECRET, build_into, build_site, write_files
from sitecheck import Page, html_pages, mailto_parts, shop_files

from generator.errors import BuildFailed
from generator.secret import listing_token


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shop, built once for this module's read-only checks."""
    root = tmp_path_factory.mktemp("shop")
    write_files(root / "content", shop_files())
    build_into(root / "content", root / "out")
    return root / "out"


@pytest.fixture(scope="module")
def pages(out: Path) -> dict[str, Page]:
    return html_pages(out)


def test_home_shows_maker_cta_and_a_grid_newest_first(pages: dict[str, Page]) -> None:
    home = pages["index.html"]
    assert home.one("h1").text == "Riverbend Pottery"
    assert "Ada Potter" in [e.text for e in home.find("a", href="./maker/")]
    assert "I throw pots." in home.all_text
    assert any(e.text == "Ask about a Custom Order" for e in home.find("a"))
    cards = [e.text for e in home.find("h3", **{"class": "card-title"})]
    # Dated listings newest first, then undated ones by title.
    assert cards == ["Eagle Mug", "Monogram Cup", "Dinner Plate", "Tea Bowl"]
    assert "Secret Commission" not in home.all_text


def test_listing_page_has_everything_a_buyer_needs(pages: dict[str, Page]) -> None:
    page = pages["listings/eagle-mug/index.html"]
    assert page.one("h1").text == "Eagle Mug"
    # The main photo, then a thumbnail of each photo.
    assert [(e.attrs["src"], e.attrs["alt"]) for e in page.find("img")] == [
        ("../../images/mug-800.jpg", "A mug with an eagle"),
        ("../../images/mug-800.jpg", "A mug with an eagle"),
        ("../../images/mug2-800.jpg", "The back"),
    ]
    assert page.one("strong").text == "sturdy"  # Markdown description
    assert [(e.text, e.attrs["href"]) for e in page.find("a", **{"class": "tag"})] == [
        ("mugs", "../../tags/mugs/"),
        ("birds", "../../tags/birds/"),
    ]
    assert "Made to order in 1-2 weeks" in page.all_text
    to, mail = mailto_parts(page.one("a", id="order-email").attrs["href"] or "")
    assert to == "hello@shop.example"
    assert mail["subject"] == "Order: Eagle Mug"
    assert "Eagle Mug\nhttps://shop.example/listings/eagle-mug/\n" in mail["body"]
    assert "Price shown: from $28.00, plus the options I chose" in mail["body"]
    assert page.one("script", src="../../static/listing.js")


def test_form_controls_are_labelled(pages: dict[str, Page]) -> None:
    for rel in ("listings/eagle-mug/index.html", "listings/monogram-cup/index.html", "listings/tea-bowl/index.html"):
        page = pages[rel]
        controls = [e for e in page.elements if e.tag in {"input", "select", "textarea"}]
        assert controls, rel
        for control in controls:
            labels = page.find("label", **{"for": control.attrs["id"] or ""})
            assert len(labels) == 1 and labels[0].text.strip(), (rel, control.attrs)
    cup = pages["listings/monogram-cup/index.html"]
    monogram = cup.one("input", id="opt-monogram")
    assert monogram.attrs["maxlength"] == "3"
    described = (monogram.attrs["aria-describedby"] or "").split()
    assert [cup.one("p", id=i).text for i in described] == ["Up to three letters", "Up to 3 characters.", ""]
    error = cup.one("p", id=described[-1])  # where the script says what is missing
    assert error.attrs["class"] == "field-error" and "hidden" in error.attrs
    assert "required" not in monogram.attrs
    colour = pages["listings/eagle-mug/index.html"].one("select", id="opt-colour")
    # Choices are required by default and start at "Choose…" (an empty value): `required` is valid
    # HTML on such a select, and the browser and the script both refuse it until chosen.
    assert "required" in colour.attrs
    assert pages["listings/eagle-mug/index.html"].find("option", value="")[0].text == "Choose…"


def test_tag_and_extra_pages(pages: dict[str, Page]) -> None:
    mugs = pages["tags/mugs/index.html"]
    assert mugs.one("h1").text == "mugs"
    assert [e.text for e in mugs.find("h2", **{"class": "card-title"})] == ["Eagle Mug", "Monogram Cup"]
    assert "tags/secret-tag/index.html" not in pages
    menu = pages["index.html"].one("nav", **{"aria-label": "Main"}).text.split()
    assert menu == ["Shop", "About", "the", "maker", "Shipping", "FAQ"]  # pages by `order`, menu: false left out
    shipping = pages["shipping/index.html"]
    assert shipping.one("h1").text == "Shipping"
    assert shipping.one("strong").text == "3 days"
    assert [e.attrs.get("aria-current") for e in shipping.find("a", href="../shipping/")] == ["page"]
    assert "Not in menu" not in pages["index.html"].all_text
    assert pages["hidden/index.html"].one("h1").text == "Not in menu"


def test_404_is_not_indexed(pages: dict[str, Page]) -> None:
    page = pages["404.html"]
    assert page.one("h1").text == "Page not found"
    assert page.one("meta", name="robots").attrs["content"] == "noindex"
    assert not pages["index.html"].find("meta", name="robots")


def test_images_have_sizes_and_alt_text(pages: dict[str, Page]) -> None:
    for rel, page in pages.items():
        for img in page.find("img"):
            assert img.attrs.get("alt"), (rel, img.attrs)
            assert img.attrs.get("width") and img.attrs.get("height"), (rel, img.attrs)
    cup = pages["listings/monogram-cup/index.html"].one("img")
    assert (cup.attrs["width"], cup.attrs["height"]) == ("10", "12")


def test_nothing_is_loaded_from_other_sites(out: Path, pages: dict[str, Page]) -> None:
    for rel, page in pages.items():
        for el in page.elements:
            loads = el.tag != "link" or set((el.attrs.get("rel") or "").split()) & {"stylesheet", "icon", "preload"}
            if loads and el.tag in {"link", "script", "img", "iframe", "source", "video", "audio"}:
                for attr in ("href", "src", "srcset"):
                    value = el.attrs.get(attr) or ""
                    assert not re.match(r"^(https?:)?//", value), (rel, el.tag, value)
    for css in out.rglob("*.css"):
        text = css.read_text()
        assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", text), css


def test_private_listings_are_validated_and_built_only_in_their_folder(make_site, out: Path, tmp_path: Path) -> None:
    folder = out / "p" / listing_token(TEST_SECRET, "secret-commission")
    assert "Secret Commission" in (folder / "index.html").read_text()
    for path in out.rglob("*"):
        if path.is_file() and not path.is_relative_to(folder):
            data = path.read_bytes()
            assert b"Secret Commission" not in data and b"secret-commission" not in data, path
    assert not (out / "images" / "secret.png").exists()
    files = shop_files()
    files["listings/secret-commission.yaml"] = str(files["listings/secret-commission.yaml"]).replace(
        "price: 400", "price: lots"
    )
    with pytest.raises(BuildFailed, match=r"secret-commission\.yaml:2:8: price: expected a price"):
        build_site(make_site(files, base=False))


@pytest.mark.skipif(not (REPO / "content" / "site.yaml").is_file(), reason="sample content/ not in this checkout")
def test_sample_shop_matches_the_issue(tmp_path: Path) -> None:
    result = build_site(REPO / "content", themes=REPO / "themes")
    public = result.plan.public_listings
    assert len(public) >= 8
    assert result.site.maker.custom_orders.enabled
    assert all(x.images for x in public)
    colours = {o.label.lower() for x in public for c in x.customizations for o in c.options}
    assert {"red", "white", "orange", "blue", "yellow"} <= colours
    assert any(c.kind == "text" for x in public for c in x.customizations)
