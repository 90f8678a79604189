"""What a built listing page tells search engines and checkouts about ordering: availability from
`stock:`, shipping details, sold work on the home and tag pages, and every hand-off's values
escaped for where they stand (HTML attributes, JSON, URLs) however hostile the maker's text."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import MUG_YAML, SITE_YAML, build_into, text_of
from conftest import build_site as build
from sitecheck import html_pages, parse, query_fields
from test_escaping import TITLE, H, hostile, hostile_files, yaml_str

from generator.model import Customization
from generator.views import fill_order_url


def product_offer(html: str) -> dict:
    for m in re.finditer(r'<script type="application/ld\+json">(.*?)</script>', html, re.S):
        data = json.loads(m[1])
        if data.get("@type") == "Product":
            return data["offers"]
    raise AssertionError("no Product")


SHIPPING = (
    "shipping:\n  processing_time: 2-4 days\n  regions:\n"
    "    - {name: Home, price: 6, free_over: 50, countries: [US]}\n    - {name: Europe, price: 20, countries: [DE, FR]}\n"
)


@pytest.mark.parametrize(
    ("extra", "availability"),
    [
        ("production_time: 1-2 weeks\n", "MadeToOrder"),
        ("", "MadeToOrder"),
        ("stock: 2\n", "InStock"),
        ("stock: 0\n", "SoldOut"),
    ],
)
def test_json_ld_availability_follows_stock(make_site, extra: str, availability: str) -> None:
    result = build(make_site({"site.yaml": SITE_YAML + SHIPPING, "listings/blue-mug.yaml": MUG_YAML + extra}))
    offer = product_offer(text_of(result, "listings/blue-mug/index.html"))
    assert offer["availability"] == f"https://schema.org/{availability}"


def test_json_ld_shipping_details_and_handling_time(make_site) -> None:
    result = build(
        make_site(
            {"site.yaml": SITE_YAML + SHIPPING, "listings/blue-mug.yaml": MUG_YAML + "production_time: 1-2 weeks\n"}
        )
    )
    offer = product_offer(text_of(result, "listings/blue-mug/index.html"))
    home, europe = offer["shippingDetails"]
    assert home["shippingRate"] == {"@type": "MonetaryAmount", "currency": "USD", "value": "6.00"}
    assert home["shippingDestination"] == {"@type": "DefinedRegion", "addressCountry": "US", "name": "Home"}
    assert europe["shippingDestination"]["addressCountry"] == ["DE", "FR"]
    # 7-14 days to make it, 2-4 to pack it.
    assert home["deliveryTime"]["handlingTime"] == {
        "@type": "QuantitativeValue",
        "maxValue": 18,
        "minValue": 9,
        "unitCode": "DAY",
    }
    # The offer's price is the least a buyer pays: here the base, as the Colour options start free.
    assert offer["price"] == "28.00"


def test_the_least_price_when_every_option_costs_more(make_site) -> None:
    mug = MUG_YAML.replace("      - Blue\n", "      - label: Blue\n        price: 2\n")
    result = build(make_site({"listings/blue-mug.yaml": mug}))
    html = text_of(result, "listings/blue-mug/index.html")
    assert product_offer(html)["price"] == "30.00"
    assert "From $30.00" in parse(html).one("span", id="price-amount").text
    assert "From $30.00" in text_of(result, "index.html")  # the card says it too


def test_listing_page_shows_shipping_before_the_order_form(make_site) -> None:
    result = build(make_site({"site.yaml": SITE_YAML + SHIPPING, "listings/blue-mug.yaml": MUG_YAML + "stock: 3\n"}))
    html = text_of(result, "listings/blue-mug/index.html")
    assert html.index("Home: $6.00, free on orders of $50.00 or more") < html.index('id="order-form"')
    assert "Europe: $20.00" in html
    assert "3 ready to ship" in html
    # In stock: it ships once packed.
    assert "Ships 2–4 days after your order." in html
    page = parse(html)
    assert page.one("input", id="order-quantity").attrs["max"] == "3"


def sold_site(make_site, show_sold: bool):  # type: ignore[no-untyped-def]
    site = SITE_YAML + ("" if show_sold else "show_sold: false\n")
    return build(
        make_site(
            {
                "site.yaml": site,
                "listings/sold-mug.yaml": MUG_YAML.replace("Blue Mug", "Sold Mug").replace(
                    "tags: [mugs]", "tags: [mugs, gone]"
                )
                + "stock: 0\n",
            }
        )
    )


def test_sold_work_is_shown_on_home_and_tag_pages_by_default(make_site) -> None:
    result = sold_site(make_site, True)
    assert "Sold Mug" in text_of(result, "index.html") and "Sold Mug" in text_of(result, "tags/mugs/index.html")
    page = parse(text_of(result, "listings/sold-mug/index.html"))
    assert page.find("form", id="order-form") == [] and page.find("a", id="order-email") == []
    assert any(e.text.strip() == "Sold" for e in page.find("span"))


def test_show_sold_false_hides_sold_work_but_feed_sitemap_and_its_page_keep_it(make_site) -> None:
    result = sold_site(make_site, False)
    assert "Sold Mug" not in text_of(result, "index.html")
    assert "Sold Mug" not in text_of(result, "tags/mugs/index.html")
    assert "Blue Mug" in text_of(result, "tags/mugs/index.html")
    assert "Sold Mug" in text_of(result, "tags/gone/index.html"), "a tag of sold work only keeps its page"
    assert "listings/sold-mug/index.html" in result.outputs
    assert "https://shop.example/listings/sold-mug/" in text_of(result, "sitemap.xml")
    assert "Sold Mug" in text_of(result, "feed.xml")


def test_clamp_keeps_numbers_to_min_max_and_step() -> None:
    c = Customization(key="n", name="N", kind="number", required=False, minimum=1, maximum=10, step=3, surcharge=100)
    assert [c.clamp(v) for v in (-3, 0, 1, 2, 4, 6, 10, 11, 99)] == [1, 1, 1, 1, 4, 4, 10, 10, 10]
    c = Customization(key="n", name="N", kind="number", required=False, minimum=0, maximum=6)
    assert [c.clamp(v) for v in (-3, 2, 10)] == [0, 2, 6]


def test_order_url_placeholders_are_percent_encoded() -> None:
    url = fill_order_url(
        "https://x.example/buy?ref={title}&o={option:Colour}&p={options}&n={option:Missing}",
        {"title": 'Mug & "Bowl"', "option:colour": "Blue/Green #1", "options": "Colour: Blue; Size: 16 oz"},
    )
    assert url == (
        "https://x.example/buy?ref=Mug%20%26%20%22Bowl%22&o=Blue%2FGreen%20%231"
        "&p=Colour%3A%20Blue%3B%20Size%3A%2016%20oz&n="
    )


@pytest.mark.parametrize("provider", ["snipcart", "paypal"])
def test_hand_off_attributes_carry_hostile_text_exactly(make_site, tmp_path: Path, provider: str) -> None:
    files = hostile_files(None)
    checkout = (
        "checkout:\n  provider: snipcart\n  snipcart_key: pk_test_123\n"
        if provider == "snipcart"
        else "checkout:\n  provider: paypal\n  paypal_email: pay@shop.example\n"
    )
    files["site.yaml"] = (
        str(files["site.yaml"])
        + checkout
        + (
            f"shipping:\n  regions:\n    - {{name: {yaml_str(hostile('Home'))}, price: 5}}\n    - {{name: Away, price: 9}}\n"
        )
    )
    out = tmp_path / "out"
    result = build_into(make_site(files, base=False), out)
    assert result.content_warnings == []
    raw = (out / "listings/mug/index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in raw.split("<main", 1)[1].split("</main>", 1)[0]
    page = html_pages(out)["listings/mug/index.html"]
    if provider == "snipcart":
        (button,) = page.find("button", id="order-cart")
        assert button.attrs["data-item-name"] == TITLE
        assert button.attrs["data-item-custom1-name"] == hostile("Colour")
        assert button.attrs["data-item-custom1-options"] == f"{hostile('Red')}|{hostile('Gold')}[+4.00]"
        assert button.attrs["data-item-url"] == "https://shop.example/listings/mug/"
    else:
        fields = {e.attrs["name"]: e.attrs["value"] for e in page.find("input") if e.attrs.get("type") == "hidden"}
        assert fields["item_name"] == TITLE and fields["business"] == "pay@shop.example"
    region = next(e for e in page.find("option") if e.attrs.get("value", "").startswith("Home"))
    assert region.attrs["value"] == hostile("Home")
    order = json.loads(page.one("form", id="order-form").attrs["data-order"] or "")
    assert order["title"] == TITLE and H in order["mail"]["intro"]


def test_email_order_without_script_lists_every_choice(make_site) -> None:
    result = build(make_site({"site.yaml": SITE_YAML + SHIPPING}))
    link = parse(text_of(result, "listings/blue-mug/index.html")).one("a", id="order-email")
    body = query_fields((link.attrs["href"] or "").split("?", 1)[1])["body"]
    assert "My choices:\n- Colour (Blue, Yellow +$4.00): \n" in body
    assert "Ship to (Home $6.00, Europe $20.00): \n" in body


def test_every_page_writes_the_shops_address(make_site, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_into(make_site(), out)
    pages = html_pages(out)
    assert len(pages) >= 5
    for rel, page in pages.items():
        # As text, for buyers without a mail program (a mailto: link does nothing for them).
        assert "Questions or orders: hello@shop.example" in " ".join(page.all_text.split()), rel
