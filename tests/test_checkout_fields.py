"""site.yaml `checkout:`, `shipping:`, `show_sold:` and a listing's `stock:`, `shipping:`,
`order_url` placeholders and a choice's `default:`: read into the model, and every mistake
reported with its file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import MUG_YAML, SITE_YAML, build_site

from generator.errors import BuildFailed
from generator.model import Listing


def errors_of(content: Path) -> list[str]:
    with pytest.raises(BuildFailed) as failed:
        build_site(content)
    return [f"{e.path.name if e.path else ''}:{e.line}: {e.message}" for e in failed.value.errors]


def listing(content: Path, slug: str = "blue-mug") -> Listing:
    result = build_site(content)
    return next(x for x in result.site.listings if x.slug == slug)


def test_defaults_email_made_to_order_no_shipping(make_site) -> None:
    mug = listing(make_site())
    assert mug.checkout == "email" and mug.stock is None and not mug.sold
    assert mug.shipping.regions == ()


SHIPPING = """\
shipping:
  processing_time: 1-3 days
  regions:
    - name: United States
      price: 8
      free_over: 100
      countries: [us]
    - name: Everywhere else
      price: 25
"""


def test_site_shipping_and_listing_override(make_site) -> None:
    content = make_site(
        {
            "site.yaml": SITE_YAML + SHIPPING,
            "listings/plate.yaml": MUG_YAML.replace("Blue Mug", "Plate")
            + "stock: 0\nshipping:\n  processing_time: 2 weeks\n",
        }
    )
    mug, plate = listing(content), listing(content, "plate")
    assert [(r.name, r.price, r.free_over, r.countries) for r in mug.shipping.regions] == [
        ("United States", 800, 10000, ("US",)),
        ("Everywhere else", 2500, None, ()),
    ]
    assert mug.shipping.processing_days == (1, 3)
    assert plate.shipping.processing_days == (14, 14)  # its own processing time, the shop's regions
    assert plate.shipping.regions == mug.shipping.regions
    assert plate.sold and plate.stock == 0
    assert mug.shipping.regions[0].cost(9999) == 800 and mug.shipping.regions[0].cost(10000) == 0


@pytest.mark.parametrize(
    ("site_extra", "expected"),
    [
        (
            "checkout:\n  provider: snipcrt\n",
            'site.yaml:6: checkout.provider: unknown checkout "snipcrt"',
        ),
        ("checkout:\n  provider: snipcart\n", "site.yaml:6: checkout.snipcart_key: provider snipcart needs it"),
        (
            "checkout:\n  provider: paypal\n  paypal_email: shop.example\n",
            'site.yaml:7: checkout.paypal_email: expected an email address, got "shop.example"',
        ),
        (
            "checkout:\n  provider: email\n  snipcart_key: abcdefghijk\n",
            "site.yaml:7: checkout.snipcart_key: only used with 'provider: snipcart' (the provider is email)",
        ),
        (
            "checkout:\n  provider: snipcart\n  snipcart_key: not a key!\n",
            'site.yaml:7: checkout.snipcart_key: expected Snipcart\'s public API key, got "not a key!"',
        ),
        (
            "shipping:\n  processing_time: soonish\n",
            'site.yaml:6: shipping.processing_time: expected a time such as "1-3 days" or "2 weeks", got "soonish"',
        ),
        (
            "shipping:\n  regions:\n    - name: Home\n      price: free\n",
            'site.yaml:8: shipping.regions[0].price: expected a price such as 12 or 12.50, got "free"',
        ),
        (
            "shipping:\n  regions:\n    - name: Home\n      price: 5\n      countries: [USA]\n",
            'site.yaml:9: shipping.regions[0].countries[0]: expected a two-letter country code such as US, GB or DE, got "USA"',
        ),
        (
            "shipping:\n  regions:\n    - name: Home\n      price: 5\n    - name: home\n      price: 6\n",
            'site.yaml:9: shipping.regions[1].name: "home" is already shipping.regions[0]',
        ),
        ("shipping:\n  region: []\n", "site.yaml:6: shipping.region: unknown field 'region'"),
        ("show_sold: maybe\n", 'site.yaml:5: show_sold: expected true or false, got "maybe"'),
    ],
)
def test_site_settings_mistakes_name_file_line_and_field(make_site, site_extra: str, expected: str) -> None:
    messages = errors_of(make_site({"site.yaml": SITE_YAML + site_extra}))
    assert messages == [expected]


@pytest.mark.parametrize(
    ("listing_extra", "expected"),
    [
        ("stock: -1\n", "blue-mug.yaml:14: stock: must be at least 0 (got -1)"),
        ("stock: two\n", 'blue-mug.yaml:14: stock: expected a whole number, got "two"'),
        (
            "order_url: https://buy.example/?item={titel}\n",
            "blue-mug.yaml:14: order_url: unknown placeholder {titel}",
        ),
        (
            "order_url: https://buy.example/?c={option:Size}\n",
            "blue-mug.yaml:14: order_url: {option:Size} names no customization of this listing",
        ),
        (
            "currency: EUR\n",
            "blue-mug.yaml:14: shipping: the shop's shipping prices are in USD, this listing's price in EUR",
        ),
    ],
)
def test_listing_mistakes_name_file_line_and_field(make_site, listing_extra: str, expected: str) -> None:
    site = SITE_YAML + "shipping:\n  regions:\n    - {name: Home, price: 5}\n"
    messages = errors_of(make_site({"site.yaml": site, "listings/blue-mug.yaml": MUG_YAML + listing_extra}))
    assert messages == [expected]


def test_choice_default_must_be_an_option(make_site) -> None:
    bad = MUG_YAML.replace("    type: choice\n", "    type: choice\n    default: Green\n")
    assert errors_of(make_site({"listings/blue-mug.yaml": bad})) == [
        'blue-mug.yaml:10: customizations[0].default: "Green" is not one of the options'
    ]
    good = MUG_YAML.replace("    type: choice\n", "    type: choice\n    default: yellow\n")
    assert listing(make_site({"listings/blue-mug.yaml": good})).customizations[0].default == "Yellow"


def test_order_url_placeholders_are_accepted(make_site) -> None:
    url = "https://buy.stripe.com/test?client_reference_id={title}&c={option:colour}&t={total}{currency}{options}{url}{shipping}"
    mug = listing(make_site({"listings/blue-mug.yaml": MUG_YAML + f"order_url: {url}\n"}))
    assert mug.checkout == "order_url" and mug.order_url == url


def many(n: int) -> str:
    return "".join(f"  - name: Extra {i}\n    type: checkbox\n" for i in range(n))


@pytest.mark.parametrize(
    ("site_extra", "listing_extra", "warning"),
    [
        (
            "checkout:\n  provider: paypal\n  paypal_email: pay@shop.example\n",
            many(7),
            "customizations: PayPal takes at most 7 options, this listing needs 8: Blue Mug is offered by email instead",
        ),
        (
            "checkout:\n  provider: paypal\n  paypal_email: pay@shop.example\n",
            "  - name: Note\n    type: text\n    max_length: 500\n",
            "customizations[1] (Note): PayPal takes text of up to 200 characters, max_length is 500: "
            "Blue Mug is offered by email instead",
        ),
        (
            "checkout:\n  provider: snipcart\n  snipcart_key: abcdefghijk\n",
            "  - name: Monogram\n    type: text\n    price: 6\n",
            "customizations[1] (Monogram): Snipcart cannot add a price for typed text: Blue Mug is offered by email instead",
        ),
        (
            "checkout:\n  provider: snipcart\n  snipcart_key: abcdefghijk\n",
            "  - name: Cups\n    type: number\n    price: 6\n",
            "customizations[1] (Cups): Snipcart can price a number only when it has a max: Blue Mug is offered by email instead",
        ),
    ],
)
def test_listing_beyond_the_providers_limits_is_a_warning_and_falls_back_to_email(
    make_site, site_extra: str, listing_extra: str, warning: str
) -> None:
    content = make_site({"site.yaml": SITE_YAML + site_extra, "listings/blue-mug.yaml": MUG_YAML + listing_extra})
    result = build_site(content)
    assert [(w.path.name if w.path else None, w.line, w.message) for w in result.content_warnings] == [
        ("blue-mug.yaml", 7, warning)
    ]
    assert next(x for x in result.site.listings if x.slug == "blue-mug").checkout == "email"


def test_listing_within_the_limits_keeps_the_provider(make_site) -> None:
    site = SITE_YAML + "checkout:\n  provider: paypal\n  paypal_email: pay@shop.example\n"
    result = build_site(make_site({"site.yaml": site, "listings/blue-mug.yaml": MUG_YAML + many(6)}))
    assert result.content_warnings == []
    assert result.site.listings[0].checkout == "paypal"


def test_provider_limit_warnings_of_listings_read_by_worker_processes_are_reported(make_site) -> None:
    site = SITE_YAML + "checkout:\n  provider: paypal\n  paypal_email: pay@shop.example\n"
    content = make_site({"site.yaml": site, "listings/big-mug.yaml": MUG_YAML.replace("Blue Mug", "Big Mug") + many(7)})
    result = build_site(content, jobs=2)
    assert [(w.path.name if w.path else None, w.line) for w in result.content_warnings] == [("big-mug.yaml", 7)]
    checkouts = {x.slug: x.checkout for x in result.site.listings}
    assert checkouts == {"big-mug": "email", "blue-mug": "paypal"}
