"""Prices in each listing's currency with its symbol and minor units; surcharges readable without
JavaScript, and the numbers the live-price script needs."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import build_into, write_files
from sitecheck import Page, html_pages, shop_files


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Page]:
    root = tmp_path_factory.mktemp("shop")
    write_files(root / "content", shop_files())
    build_into(root / "content", root / "out")
    return html_pages(root / "out")


def price_of(page: Page) -> str:
    return page.one("p", id="price").text.removeprefix("Price: ")


def options_of(page: Page) -> list[tuple[str, str, str]]:
    return [(e.attrs["value"] or "", e.attrs["data-surcharge"] or "", e.text) for e in page.find("option")]


def test_usd_eur_jpy_prices(pages: dict[str, Page]) -> None:
    # Options add to these prices: the page says so.
    assert price_of(pages["listings/eagle-mug/index.html"]) == "From $28.00"
    assert price_of(pages["listings/monogram-cup/index.html"]) == "From $19.99"
    assert price_of(pages["listings/plate/index.html"]) == "€12.50"
    assert price_of(pages["listings/tea-bowl/index.html"]) == "From ¥3,000"
    # The grids on the home and tag pages show the same prices.
    cards = {e.text for e in pages["index.html"].find("p", **{"class": "card-price"})}
    assert cards == {"From $28.00", "From $19.99", "€12.50", "From ¥3,000"}
    assert [e.text for e in pages["tags/bowls/index.html"].find("p", **{"class": "card-price"})] == ["From ¥3,000"]


def test_surcharges_are_shown_next_to_each_option(pages: dict[str, Page]) -> None:
    eagle = pages["listings/eagle-mug/index.html"]
    assert options_of(eagle) == [
        ("", "0", "Choose…"),  # a required choice without a default: the buyer must choose
        ("Red", "0", "Red"),
        ("White", "0", "White"),
        ("Orange", "0", "Orange"),
        ("Blue", "0", "Blue"),
        ("Yellow", "400", "Yellow (+$4.00)"),
    ]
    assert eagle.one("label", **{"for": "opt-gift-wrap"}).text == "Gift wrap (+$5.00)"
    assert eagle.one("input", id="opt-gift-wrap").attrs["data-surcharge"] == "500"

    bowl = pages["listings/tea-bowl/index.html"]
    assert options_of(bowl) == [
        ("", "0", "Choose…"),
        ("Celadon", "0", "Celadon"),
        ("Tenmoku", "500", "Tenmoku (+¥500)"),
    ]

    cup = pages["listings/monogram-cup/index.html"]
    assert cup.one("label", **{"for": "opt-monogram"}).text == "Monogram (+$6.00) (optional)"
    assert cup.one("label", **{"for": "opt-saucers"}).text == "Saucers (+$2.50 each) (optional)"
    saucers = cup.one("input", id="opt-saucers")
    assert (saucers.attrs["min"], saucers.attrs["max"], saucers.attrs["step"]) == ("1", "12", "1")
    assert saucers.attrs["data-surcharge"] == "250"


def test_without_javascript_the_total_reads_as_the_base_price(pages: dict[str, Page]) -> None:
    eagle = pages["listings/eagle-mug/index.html"]
    assert eagle.one("output", id="total").text == "$28.00"
    assert "base price; options add to it" in eagle.one("p", **{"class": "total"}).text
    # A listing without surcharges has no running total at all.
    plate = pages["listings/plate/index.html"]
    assert not plate.find("output")


@pytest.mark.parametrize(
    ("page", "base", "currency", "digits"),
    [
        ("listings/eagle-mug/index.html", "2800", "USD", "2"),
        ("listings/monogram-cup/index.html", "1999", "USD", "2"),
        ("listings/tea-bowl/index.html", "3000", "JPY", "0"),
        ("listings/plate/index.html", "1250", "EUR", "2"),
    ],
)
def test_live_price_script_gets_minor_units(pages: dict[str, Page], page: str, base: str, currency: str, digits: str):
    form = pages[page].one("form", id="order-form")
    assert (form.attrs["data-base"], form.attrs["data-currency"], form.attrs["data-digits"]) == (base, currency, digits)


def test_order_url_comes_first_and_email_stays_beside_it(pages: dict[str, Page]) -> None:
    plate = pages["listings/plate/index.html"]
    buy = plate.one("a", href="https://checkout.example/plate")
    assert buy.text == "Buy now" and "hidden" not in buy.attrs  # nothing to choose: it works without a script
    assert plate.one("a", id="order-email").text == "Or order by email"
    assert pages["listings/eagle-mug/index.html"].one("a", id="order-email").text == "Order by email"


def test_site_currency_applies_to_listings_without_their_own(make_site, tmp_path: Path) -> None:
    files = shop_files()
    files["site.yaml"] = str(files["site.yaml"]) + "currency: GBP\n"
    out = tmp_path / "out"
    build_into(make_site(files, base=False), out)
    pages = html_pages(out)
    assert price_of(pages["listings/eagle-mug/index.html"]) == "From £28.00"
    assert price_of(pages["listings/tea-bowl/index.html"]) == "From ¥3,000"
