"""Hostile strings in every field a maker can write come out as text: escaped in HTML, intact in
attributes, percent-encoded in mailto links, never as markup or script."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import build_into, png_bytes
from hypothesis import given, settings
from hypothesis import strategies as st
from sitecheck import Page, html_pages, mailto_parts, query_fields, yaml_str

from generator.text import percent_encode, plain_text

H = "<script>alert(1)</script> \"dq\" 'sq' & amp"
"""Script tag, both quotes and an ampersand: the classic ways to break out of text or attributes."""


def hostile(what: str) -> str:
    return f"{what} {H}"


TITLE = hostile("Mug")


def hostile_files(form_action: str | None) -> dict[str, str | bytes | None]:
    y = yaml_str
    contact = "contact:\n  email: hello@shop.example\n" + (f"  form_action: {form_action}\n" if form_action else "")
    return {
        "site.yaml": f"title: {y(hostile('Shop'))}\ndescription: {y(hostile('About'))}\n"
        "base_url: https://shop.example/\n" + contact,
        "maker.yaml": (
            f"name: {y(hostile('Ada'))}\nlocation: {y(hostile('Town'))}\nintro: {y(hostile('Intro'))}\n"
            f"photo: images/ada.png\n"
            f"links:\n  {y(hostile('Link'))}: https://social.example/ada\n"
            f"custom_orders:\n  enabled: true\n  accepts: {y(hostile('Accepts'))}\n"
            f"  production_time: {y(hostile('Weeks'))}\n  response_time: {y(hostile('Hours'))}\n"
        ),
        "listings/mug.yaml": (
            f"title: {y(TITLE)}\nprice: 28\nproduction_time: {y(hostile('Soon'))}\n"
            f"images:\n  - {{src: images/mug.png, alt: {y(hostile('Alt'))}}}\n"
            f"tags: [{y(hostile('Tag'))}]\n"
            "description: |\n"
            "  Before <script>alert(1)</script> after.\n\n"
            "  <img src=x onerror=alert(1)>\n\n"
            "  [click me](javascript:alert(1)) and [fine](https://ok.example/)\n"
            f"customizations:\n  - name: {y(hostile('Colour'))}\n    type: choice\n"
            f"    options:\n      - {y(hostile('Red'))}\n      - {{label: {y(hostile('Gold'))}, price: 4}}\n"
            f"  - name: {y(hostile('Monogram'))}\n    type: text\n    max_length: 3\n"
            f"    instructions: {y(hostile('Hint'))}\n"
            f"  - name: {y(hostile('Wrap'))}\n    type: checkbox\n    price: 5\n"
        ),
        "pages/faq.md": f"---\ntitle: {y(hostile('FAQ'))}\n---\nBody <b>bold</b> & more.\n",
        "images/mug.png": png_bytes(),
        "images/ada.png": png_bytes(),
    }


@pytest.fixture(params=[None, "https://forms.example/f?id=1&x=2"], ids=["mailto", "form"])
def site(request: pytest.FixtureRequest, make_site, tmp_path: Path) -> dict[str, Page]:
    out = tmp_path / "out"
    build_into(make_site(hostile_files(request.param), base=False), out)
    pages = html_pages(out)
    pages["_raw"] = {rel: p.read_text() for rel, p in ((r, out / r) for r in pages)}  # type: ignore[assignment]
    return pages


def pages_of(site: dict[str, Page]) -> dict[str, Page]:
    return {k: v for k, v in site.items() if k != "_raw"}


ATTR_NAME = re.compile(r"^[a-z][a-z0-9-]*$")


def test_no_markup_from_content_reaches_any_page(site) -> None:
    raw: dict[str, str] = site["_raw"]  # type: ignore[assignment]
    for rel, text in raw.items():
        assert "<script>alert" not in text, rel
    for rel, page in pages_of(site).items():
        for el in page.elements:
            # A quote breaking out of an attribute would show up as a strange attribute name.
            for name in el.attr_names:
                assert ATTR_NAME.match(name) and not name.startswith("on"), f"{rel}: <{el.tag} {name}>"
            if el.tag == "script":
                kind = el.attrs.get("type")
                assert el.attrs.get("src", "").endswith(".js") or kind in ("application/ld+json", "application/json"), rel
                if kind in ("application/ld+json", "application/json"):
                    json.loads(el.text)
            for attr in ("href", "src", "action"):
                value = (el.attrs.get(attr) or "").strip().lower()
                assert not value.startswith(("javascript:", "data:", "vbscript:")), f"{rel}: {el.tag} {attr}={value}"


def test_hostile_text_round_trips_as_text(site) -> None:
    listing = site["listings/mug/index.html"]
    assert listing.one("h1").text == TITLE
    assert listing.one("title").text.startswith(TITLE)
    assert hostile("Shop") in listing.one("title").text
    assert listing.one("img", alt=hostile("Alt"))
    assert hostile("Soon") in listing.all_text

    colour = listing.one("select", **{"data-name": hostile("Colour")})
    labels = [e for e in listing.find("option") if e.attrs.get("value")]
    assert [e.attrs["value"] for e in labels] == [hostile("Red"), hostile("Gold")]
    assert [e.text for e in labels] == [hostile("Red"), f"{hostile('Gold')} (+$4.00)"]
    assert listing.one("label", **{"for": colour.attrs["id"]}).text == hostile("Colour")
    monogram = listing.one("input", **{"data-name": hostile("Monogram")})
    assert monogram.attrs["maxlength"] == "3"
    assert listing.one("p", id=f"{monogram.attrs['id']}-hint").text == hostile("Hint")
    assert listing.one("input", type="checkbox").attrs["data-name"] == hostile("Wrap")

    tag_links = [e for e in listing.find("a") if e.attrs.get("class") == "tag"]
    assert [e.text for e in tag_links] == [hostile("Tag")]
    tag_page = site[tag_links[0].attrs["href"].removeprefix("../../") + "index.html"]  # type: ignore[union-attr]
    assert tag_page.one("h1").text == hostile("Tag")

    home = site["index.html"]
    assert home.one("h1").text == hostile("Shop")
    assert hostile("About") in home.all_text
    assert hostile("Intro") in home.all_text
    assert TITLE in [e.text for e in home.find("h3")]

    maker = site["maker/index.html"]
    assert maker.one("h1").text == hostile("Ada")
    assert maker.one("img", alt=f"Portrait of {hostile('Ada')}")
    for text in ("Town", "Accepts", "Weeks", "Hours"):
        assert hostile(text) in maker.all_text
    assert maker.one("a", href="https://social.example/ada").text == hostile("Link")

    faq = site["faq/index.html"]
    assert faq.one("h1").text == hostile("FAQ")
    assert "Body <b>bold</b> & more." in faq.all_text
    assert not faq.find("b")
    assert hostile("FAQ") in [e.text for e in site["index.html"].find("a")]


def test_markdown_raw_html_is_shown_and_javascript_links_are_stripped(site) -> None:
    listing = site["listings/mug/index.html"]
    section = listing.one("section", **{"aria-label": "Description"})
    assert "Before <script>alert(1)</script> after." in section.text
    assert "<img src=x onerror=alert(1)>" in section.text
    hrefs = {e.text: e.attrs.get("href") for e in listing.find("a")}
    assert hrefs["fine"] == "https://ok.example/"
    assert hrefs["click me"] is None
    raw: str = site["_raw"]["listings/mug/index.html"]  # type: ignore[index]
    assert "javascript:" not in raw


def test_order_mail_carries_the_title_and_url_intact(site) -> None:
    listing = site["listings/mug/index.html"]
    link = listing.one("a", id="order-email")
    to, fields = mailto_parts(link.attrs["href"] or "")
    assert to == "hello@shop.example"
    assert set(fields) == {"subject", "body"}
    assert fields["subject"] == f"Order: {TITLE}"
    assert f"\n{TITLE}\nhttps://shop.example/listings/mug/\n" in fields["body"]
    assert "Price shown: from $28.00, plus the options I chose" in fields["body"]
    mail = json.loads(listing.one("form", id="order-form").attrs["data-order"] or "")["mail"]
    assert mail["subject"] == f"Order: {TITLE}"
    assert mail["to"] == "hello@shop.example"
    assert TITLE in mail["intro"]


def test_custom_order_links_carry_the_title_intact(site) -> None:
    listing = site["listings/mug/index.html"]
    links = [e.attrs["href"] or "" for e in listing.find("a") if e.text == "Ask about a Custom Order"]
    assert links
    for href in links:
        if href.startswith("mailto:"):
            to, fields = mailto_parts(href)
            assert to == "hello@shop.example"
            assert set(fields) == {"subject", "body"}
            assert fields["subject"] == f"Custom order enquiry: {TITLE}"
            assert f'"{TITLE}" (https://shop.example/listings/mug/)' in fields["body"]
            assert fields["body"].startswith(f"Hello {hostile('Ada')},\n")
        else:
            path, _, query = href.partition("?")
            assert path == "../../custom-order/"
            assert query_fields(query) == {"listing": TITLE, "url": "https://shop.example/listings/mug/"}
    if "custom-order/index.html" in site:
        form = site["custom-order/index.html"].one("form")
        assert form.attrs["action"] == "https://forms.example/f?id=1&x=2"
    else:
        maker_mail = [
            e.attrs["href"] or ""
            for e in site["maker/index.html"].find("a")
            if (e.attrs.get("href") or "").startswith("mailto:")
        ]
        assert maker_mail
        for href in maker_mail:
            _, fields = mailto_parts(href)
            assert fields["subject"] == f"Custom order enquiry for {hostile('Shop')}"


@settings(max_examples=300, deadline=None)
@given(text=st.text(st.characters(exclude_categories=["Cs"])), safe=st.sampled_from(["", "@"]))
def test_mail_parts_are_percent_encoded_exactly_as_urllib_does(text: str, safe: str) -> None:
    assert percent_encode(text, safe) == quote(text, safe=safe)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "word",
                "café",
                " ",
                "\n",
                "\xa0",
                "\u2003",
                "&amp;",
                "&lt;b&gt;",
                "<p>",
                "</p>",
                "<br>",
                "<strong>",
                "</strong>",
                '<a href="x">',
                "</a>",
                "<li>",
                ".",
            ]
        ),
        max_size=30,
    )
)
def test_plain_text_is_the_visible_text_with_whitespace_folded(parts: list[str]) -> None:
    fragment = "".join(parts)
    spaced = re.sub(r"</?(?:p|br|li)\b[^>]*>", " ", fragment)
    expected = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", spaced))).strip()
    assert plain_text(fragment) == expected


def test_plain_text_separates_blocks_but_not_inline_tags() -> None:
    assert plain_text("<p>Blue <strong>glaze</strong>.</p><ul><li>12&nbsp;oz</li><li>Tom &amp; Ann</li></ul>") == (
        "Blue glaze. 12 oz Tom & Ann"
    )
