"""Meta description, canonical, Open Graph / Twitter cards and schema.org JSON-LD in the pages."""

from __future__ import annotations

import json
from dataclasses import replace
from urllib.parse import urlsplit

import lxml.html
import pytest
from conftest import build_site, png_bytes, text_of

from generator.errors import BuildFailed
from generator.render import Renderer
from generator.seo import decimal_price
from generator.theme import BUILTIN_THEMES, load_theme

TITLE = "<!-- Mug \"quoted\" 'single' </script><script>alert(2)</script> \u2028 end"
HOSTILE = "Tall </script><script>alert(1)</script> & <b>bold</b> end"


def doc(html: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(html)


def json_ld(html: str) -> list[dict]:
    return [json.loads(s.text) for s in doc(html).xpath('//script[@type="application/ld+json"]')]


def meta(html: str) -> dict[str, str]:
    """property/name -> content of every <meta> in the head."""
    out: dict[str, str] = {}
    for m in doc(html).xpath("//head/meta[@content]"):
        key = m.get("property") or m.get("name")
        if key:
            out[key] = m.get("content")
    return out


def canonical(html: str) -> list[str]:
    return doc(html).xpath('//link[@rel="canonical"]/@href')


def is_absolute(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" and bool(parts.netloc)


@pytest.fixture
def shop(make_site):
    return make_site(
        {
            "site.yaml": "title: Test Studio\nbase_url: https://user.github.io/shop/\n"
            "description: Wheel-thrown stoneware.\ncontact:\n  email: hello@shop.example\n",
            "maker.yaml": "name: Ada Potter\nphoto: images/ada.png\nlocation: Portland, Oregon\n"
            "intro: I throw pots by the river.\nbio: I make *mugs*.\nlinks:\n  Instagram: https://instagram.example/ada\n"
            "custom_orders:\n  enabled: true\n",
            "images/ada.png": png_bytes((9, 9, 9), (10, 12)),
            "images/back.png": png_bytes((1, 1, 1)),
            "listings/blue-mug.yaml": "title: Blue Mug\nprice: 28\nproduction_time: 2 weeks\n"
            "images:\n  - {src: images/mug.png, alt: A blue mug}\n  - {src: images/back.png, alt: The back}\n"
            "description: A sturdy **mug** for coffee.\ntags: [mugs, blue]\n",
            "pages/shipping.md": "---\ntitle: Shipping\n---\nWe ship *worldwide* from Portland.\n",
        }
    )


def test_listing_page_has_product_and_offer_json_ld(shop) -> None:
    html = text_of(build_site(shop), "listings/blue-mug/index.html")
    (product,) = json_ld(html)
    assert product["@context"] == "https://schema.org"
    assert product["@type"] == "Product"
    assert product["name"] == "Blue Mug"
    assert product["description"] == "A sturdy mug for coffee."
    assert product["sku"] == "blue-mug"
    assert product["url"] == "https://user.github.io/shop/listings/blue-mug/"
    # The JPEG link previews use, with its real size (the PNGs themselves are never published).
    assert product["image"] == [
        {"@type": "ImageObject", "url": "https://user.github.io/shop/images/mug-800.jpg", "width": 800, "height": 600},
        {"@type": "ImageObject", "url": "https://user.github.io/shop/images/back-800.jpg", "width": 800, "height": 600},
    ]
    assert all(is_absolute(img["url"]) for img in product["image"])
    assert product["brand"] == {"@type": "Brand", "name": "Ada Potter"}
    offer = product["offers"]
    assert offer["@type"] == "Offer"
    assert offer["price"] == "28.00"
    assert offer["priceCurrency"] == "USD"
    assert offer["availability"] == "https://schema.org/MadeToOrder"
    assert offer["url"] == product["url"]
    assert offer["seller"] == {
        "@type": "Person",
        "name": "Ada Potter",
        "url": "https://user.github.io/shop/maker/",
    }


def test_offer_price_uses_the_currency_minor_units(make_site) -> None:
    content = make_site(
        {
            "listings/blue-mug.yaml": "title: Blue Mug\nprice: 3500\ncurrency: JPY\n"
            "images:\n  - {src: images/mug.png, alt: A blue mug}\n",
        }
    )
    html = text_of(build_site(content), "listings/blue-mug/index.html")
    (product,) = json_ld(html)
    assert product["offers"]["price"] == "3500"
    assert product["offers"]["priceCurrency"] == "JPY"
    # No stock: made to order (the issue: search engines were told InStock of everything).
    assert product["offers"]["availability"] == "https://schema.org/MadeToOrder"
    assert meta(html)["product:price:amount"] == "3500"
    assert decimal_price(1999, 2) == "19.99" and decimal_price(5, 3) == "0.005"


def test_hostile_text_cannot_break_out_of_json_ld_or_attributes(make_site) -> None:
    content = make_site(
        {
            "listings/blue-mug.yaml": f"title: {json.dumps(TITLE)}\nprice: 28\n"
            f"images:\n  - {{src: images/mug.png, alt: {json.dumps(HOSTILE)}}}\n"
            f"description: {json.dumps(HOSTILE)}\n",
        }
    )
    result = build_site(content)
    html = text_of(result, "listings/blue-mug/index.html")
    # No script element was injected: the only scripts are the page's own.
    tree = doc(html)
    scripts = tree.xpath("//script")
    assert [(s.get("type"), s.get("src")) for s in scripts] == [
        ("application/ld+json", None),
        ("application/json", None),  # the scripts' texts (partials/script_strings.html)
        (None, "../../static/strings.js"),
        (None, "../../static/listing.js"),
    ]
    assert "alert" not in "".join(s.text or "" for s in scripts if s.get("type") is None)
    raw_script = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in raw_script and ">" not in raw_script
    # ...and the JSON still carries the exact text.
    (product,) = json_ld(html)
    assert product["name"] == TITLE
    assert product["description"] == HOSTILE
    m = meta(html)
    assert m["og:title"] == TITLE
    assert m["og:image:alt"] == HOSTILE
    assert m["description"] == HOSTILE


def test_open_graph_twitter_and_canonical_on_a_listing(shop) -> None:
    html = text_of(build_site(shop), "listings/blue-mug/index.html")
    m = meta(html)
    url = "https://user.github.io/shop/listings/blue-mug/"
    assert canonical(html) == [url]
    assert m["og:type"] == "product"
    assert m["og:url"] == url
    assert m["og:title"] == "Blue Mug"
    assert m["og:site_name"] == "Test Studio"
    assert m["description"] == m["og:description"] == m["twitter:description"] == "A sturdy mug for coffee."
    assert m["og:image"] == m["twitter:image"] == "https://user.github.io/shop/images/mug-800.jpg"
    assert m["og:image:alt"] == m["twitter:image:alt"] == "A blue mug"
    assert (m["og:image:width"], m["og:image:height"]) == ("800", "600")
    assert m["twitter:card"] == "summary_large_image"
    assert m["twitter:title"] == "Blue Mug"
    assert (m["product:price:amount"], m["product:price:currency"]) == ("28.00", "USD")


def test_long_description_is_summarized_for_meta(make_site) -> None:
    words = " ".join(f"word{i}" for i in range(80))
    content = make_site(
        {
            "listings/blue-mug.yaml": "title: Blue Mug\nprice: 28\nimages:\n  - {src: images/mug.png, alt: A mug}\n"
            f"description: {words}\n",
        }
    )
    html = text_of(build_site(content), "listings/blue-mug/index.html")
    d = meta(html)["description"]
    assert len(d) <= 160 and d.endswith("…") and d.startswith("word0 word1")
    # The structured data keeps the whole description.
    assert json_ld(html)[0]["description"] == words


def test_listing_without_description_still_gets_a_description(make_site) -> None:
    content = make_site(
        {"listings/blue-mug.yaml": "title: Blue Mug\nprice: 28\nimages:\n  - {src: images/mug.png, alt: A mug}\n"}
    )
    html = text_of(build_site(content), "listings/blue-mug/index.html")
    assert meta(html)["description"] == "Blue Mug, handmade by Ada Potter. $28.00."
    assert "description" not in json_ld(html)[0]


def test_maker_page_describes_the_maker_as_a_person(shop) -> None:
    html = text_of(build_site(shop), "maker/index.html")
    (profile,) = json_ld(html)
    assert profile["@type"] == "ProfilePage"
    person = profile["mainEntity"]
    assert person["@type"] == "Person"
    assert person["name"] == "Ada Potter"
    assert person["url"] == "https://user.github.io/shop/maker/"
    assert person["image"] == {
        "@type": "ImageObject",
        "url": "https://user.github.io/shop/images/ada-10.jpg",
        "width": 10,
        "height": 12,
    }
    assert person["description"] == "I throw pots by the river."
    assert person["homeLocation"] == {"@type": "Place", "name": "Portland, Oregon"}
    assert person["sameAs"] == ["https://instagram.example/ada"]
    m = meta(html)
    assert m["og:type"] == "profile"
    assert m["og:image"] == "https://user.github.io/shop/images/ada-10.jpg"


def test_business_maker_is_an_organization(make_site) -> None:
    content = make_site(
        {
            "maker.yaml": "name: Riverbend Pottery\nkind: business\nlocation: Asheville\n"
            "custom_orders:\n  enabled: false\n",
        }
    )
    result = build_site(content)
    (profile,) = json_ld(text_of(result, "maker/index.html"))
    org = profile["mainEntity"]
    assert org["@type"] == "Organization"
    assert org["location"] == {"@type": "Place", "name": "Asheville"}
    (product,) = json_ld(text_of(result, "listings/blue-mug/index.html"))
    assert product["offers"]["seller"]["@type"] == "Organization"


def test_unknown_maker_kind_is_a_content_error(make_site) -> None:
    content = make_site({"maker.yaml": "name: Ada\nkind: potter\ncustom_orders:\n  enabled: false\n"})
    with pytest.raises(BuildFailed) as exc:
        build_site(content)
    (err,) = exc.value.errors
    assert str(err).endswith('maker.yaml:2:7: kind: expected "person" or "business", got "potter"')


def test_home_tag_and_extra_pages_have_sharing_tags(shop) -> None:
    result = build_site(shop)
    base = "https://user.github.io/shop/"
    home = text_of(result, "index.html")
    assert canonical(home) == [base]
    m = meta(home)
    assert m["og:type"] == "website" and m["og:url"] == base and m["og:title"] == "Test Studio"
    assert m["description"] == "Wheel-thrown stoneware."
    (website,) = json_ld(home)
    assert website == {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": "Test Studio",
        "url": base,
        "description": "Wheel-thrown stoneware.",
    }
    tag = text_of(result, "tags/mugs/index.html")
    assert canonical(tag) == [base + "tags/mugs/"]
    assert meta(tag)["description"] == "1 handmade piece tagged “mugs” from Test Studio."
    assert meta(tag)["og:image"] == base + "images/mug-800.jpg"
    page = text_of(result, "shipping/index.html")
    assert canonical(page) == [base + "shipping/"]
    assert meta(page)["description"] == "We ship worldwide from Portland."


def test_every_indexable_page_has_canonical_og_and_description(shop) -> None:
    result = build_site(shop)
    for page in result.plan.pages:
        html = text_of(result, page.output)
        m = meta(html)
        if page.indexable:
            assert canonical(html) == [m["og:url"]], page.url
            assert is_absolute(m["og:url"]) and m["og:url"].endswith(page.url)
            assert m["description"] and m["og:title"], page.url
            assert m["twitter:card"] in ("summary", "summary_large_image")
            assert "robots" not in m
        else:
            assert m.get("robots") == "noindex", page.url


def test_noindex_pages_carry_no_canonical_sharing_tags_or_json_ld(make_site) -> None:
    content = make_site(
        {
            "site.yaml": "title: T\nbase_url: https://shop.example/\ncontact:\n  email: a@shop.example\n"
            "  form_action: https://forms.example/f\n"
        }
    )
    result = build_site(content)
    for name in ("404.html", "custom-order/index.html"):
        html = text_of(result, name)
        assert meta(html)["robots"] == "noindex"
        assert canonical(html) == []
        assert json_ld(html) == []
        assert not [k for k in meta(html) if k.startswith(("og:", "twitter:", "product:"))], name


def test_a_private_listing_page_gets_no_canonical_or_json_ld(make_site) -> None:
    """Private listing pages must not advertise a canonical URL, sharing tags or structured data,
    even though they show a listing; they also tell browsers not to send their address on."""
    private = (
        "title: Private Mug\nprice: 30\nprivate: true\nbuyer: Ann\n"
        "images:\n  - {src: images/mug.png, alt: A mug}\ndescription: Just for Ann.\n"
    )
    result = build_site(make_site({"listings/private-mug.yaml": private}))
    page = next(p for p in result.plan.pages if p.kind == "private_listing")
    html = text_of(result, page.output)
    assert meta(html)["robots"] == "noindex, nofollow"
    assert meta(html)["referrer"] == "no-referrer"
    assert canonical(html) == []
    assert json_ld(html) == []
    assert not [k for k in meta(html) if k.startswith(("og:", "twitter:", "product:"))]
    # Belt and braces: a private listing never gets Product data even on a page marked indexable.
    renderer = Renderer(result.plan, load_theme("default", BUILTIN_THEMES), result.photos)
    assert json_ld(renderer.render_page(replace(page, indexable=True, kind="listing")).decode()) == []
