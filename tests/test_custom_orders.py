"""'Ask about a Custom Order': a mailto link, or a form page when contact.form_action is set, on
the maker page and every listing page when custom orders are enabled, and nowhere when not."""

from __future__ import annotations

from pathlib import Path

from conftest import build_into
from sitecheck import Page, html_pages, mailto_parts, query_fields, shop_files

CTA = "Ask about a Custom Order"
LISTINGS = {
    "eagle-mug": "Eagle Mug",
    "monogram-cup": "Monogram Cup",
    "tea-bowl": "Tea Bowl",
    "plate": "Dinner Plate",
}


def build(make_site, tmp_path: Path, **kw: object) -> dict[str, Page]:
    out = tmp_path / "out"
    build_into(make_site(shop_files(**kw), base=False), out)  # type: ignore[arg-type]
    return html_pages(out)


def cta_links(page: Page) -> list[str]:
    return [e.attrs.get("href") or "" for e in page.find("a") if e.text.strip() == CTA]


def test_enabled_without_form_uses_prefilled_mailto_links(make_site, tmp_path: Path) -> None:
    pages = build(make_site, tmp_path)
    assert "custom-order/index.html" not in pages
    for slug, title in LISTINGS.items():
        links = cta_links(pages[f"listings/{slug}/index.html"])
        assert links, slug
        for href in links:
            to, fields = mailto_parts(href)
            assert to == "hello@shop.example"
            assert fields["subject"] == f"Custom order enquiry: {title}"
            body = fields["body"]
            assert f'"{title}" (https://shop.example/listings/{slug}/)' in body
            for prompt in ("What I would like:", "Budget (optional):", "Needed by (optional):", "My name:"):
                assert prompt in body
    maker = pages["maker/index.html"]
    maker_links = cta_links(maker)
    assert maker_links
    for href in maker_links:
        _, fields = mailto_parts(href)
        assert fields["subject"] == "Custom order enquiry for Riverbend Pottery"
    # The home page's call to action too.
    assert cta_links(pages["index.html"])


def test_maker_page_answers_the_custom_order_questions(make_site, tmp_path: Path) -> None:
    maker = build(make_site, tmp_path)["maker/index.html"]
    answers = dict(zip([e.text for e in maker.find("dt")], [e.text for e in maker.find("dd")], strict=True))
    assert answers["Do you offer custom orders?"] == "Yes"
    assert answers["What kinds of custom orders do you accept?"] == "Mugs with your own drawing"
    assert answers["Average production time"] == "2-3 weeks"
    assert "usually responds within 2 days" in maker.all_text.lower()
    assert maker.one("h1").text == "Ada Potter"
    assert maker.one("img", alt="Portrait of Ada Potter").attrs["src"] == "../images/ada-800.jpg"
    assert maker.one("a", href="https://instagram.example/ada").text == "Instagram"


def test_enabled_with_form_action_links_to_a_form_page(make_site, tmp_path: Path) -> None:
    pages = build(make_site, tmp_path, form_action="https://forms.example/f/abc")
    form_page = pages["custom-order/index.html"]
    form = form_page.one("form")
    assert form.attrs["action"] == "https://forms.example/f/abc"
    assert form.attrs["method"] == "post"
    fields = {
        e.attrs["name"]: e
        for e in form_page.elements
        if e.tag in {"input", "textarea", "select"} and e.attrs.get("name") is not None
    }
    assert set(fields) >= {"name", "email", "message", "budget", "needed_by", "listing"}
    for required in ("name", "email", "message"):
        assert "required" in fields[required].attrs, required
    for optional in ("budget", "needed_by", "listing"):
        assert "required" not in fields[optional].attrs, optional
    assert fields["email"].attrs["type"] == "email"
    assert fields["needed_by"].attrs["type"] == "date"
    for el in fields.values():  # every field has a visible label
        assert form_page.find("label", **{"for": el.attrs["id"] or ""}), el.attrs["name"]

    for slug, title in LISTINGS.items():
        links = cta_links(pages[f"listings/{slug}/index.html"])
        assert links, slug
        for href in links:
            path, _, query = href.partition("?")
            assert path == "../../custom-order/"
            assert query_fields(query) == {"listing": title, "url": f"https://shop.example/listings/{slug}/"}
    assert cta_links(pages["maker/index.html"]) == ["../custom-order/"] * len(cta_links(pages["maker/index.html"]))
    assert cta_links(pages["maker/index.html"])
    assert not any(h.startswith("mailto:") for p in pages.values() for h in cta_links(p))


def test_disabled_means_no_link_and_no_page(make_site, tmp_path: Path) -> None:
    for form_action in (None, "https://forms.example/f/abc"):
        pages = build(make_site, tmp_path / str(bool(form_action)), custom_orders=False, form_action=form_action)
        assert "custom-order/index.html" not in pages
        for rel, page in pages.items():
            assert cta_links(page) == [], rel
            assert not any("custom-order" in h for h in page.links()), rel
            assert not any(
                "Custom order" in mailto_parts(h)[1].get("subject", "") for h in page.links() if h.startswith("mailto:")
            ), rel
        answers = dict(
            zip(
                [e.text for e in pages["maker/index.html"].find("dt")],
                [e.text for e in pages["maker/index.html"].find("dd")],
                strict=True,
            )
        )
        assert answers == {"Do you offer custom orders?": "No"}
