"""A buyer on a listing page: choose options, type an engraving, see the live price, and send the
order or a custom-order request with those choices. Expected prices come from the content
(`result.site`), formatted by Babel; the page computes them in JavaScript with Intl, so the two
implementations check each other."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from conftest import png_bytes

from generator.model import Customization, Listing
from generator.render import format_money

from .conftest import Shop
from .pages import load, watch

pytestmark = pytest.mark.browser


@dataclass(frozen=True, slots=True)
class Choice:
    customization: Customization
    value: str
    """What the buyer picks or types; as it appears in the order email."""
    surcharge: int


def customizable(shop: Shop) -> list[Listing]:
    """Listings with customizations, public and private (a private listing's page has the same
    form at its secret address)."""
    found = [x for x, _ in shop.listing_pages() if x.customizations]
    assert found, "the sample shop has no listing with customizations"
    return found


def choices_for(listing: Listing) -> list[Choice]:
    """What a buyer who wants the works picks: the dearest option, a full engraving, a few units,
    every box ticked."""
    picked = []
    for c in listing.customizations:
        if c.kind == "choice":
            option = max(reversed(c.options), key=lambda o: o.surcharge)
            picked.append(Choice(c, option.label, option.surcharge))
        elif c.kind == "text":
            text = "JMB Love from Ada"[: c.max_length or 100].strip()
            picked.append(Choice(c, text, c.surcharge))
        elif c.kind == "number":
            low = c.minimum if c.minimum is not None else 0
            n = low + 2 * c.step
            if c.maximum is not None:
                n = min(n, c.maximum)
            picked.append(Choice(c, str(n), n * c.surcharge))
        else:
            picked.append(Choice(c, "yes", c.surcharge))
    return picked


def apply(page: Any, choice: Choice) -> None:
    field = page.locator(f"#opt-{choice.customization.key}")
    kind = choice.customization.kind
    if kind == "choice" and any(o.swatch for o in choice.customization.options):
        # Swatches: a group of radio buttons, picked by their label (name and surcharge).
        field.locator(f"input[value='{choice.value}']").check()
    elif kind == "choice":
        field.select_option(label=_option_label(page, choice))
    elif kind == "text":
        field.click()
        field.press_sequentially(choice.value)
    elif kind == "number":
        field.fill(choice.value)
    else:
        field.check()


def _option_label(page: Any, choice: Choice) -> str:
    # The visible label carries the surcharge: "Yellow (+$4.00)".
    label: str = page.locator(f"#opt-{choice.customization.key} option[value='{choice.value}']").inner_text()
    assert label.startswith(choice.value)
    return label


def choose_shipping(page: Any) -> None:
    """Pick the first region shipped to, when the page asks (the sample shop ships to several)."""
    region = page.locator("#order-region")
    if region.count():
        region.select_option(index=1 if region.locator("option").count() > 1 else 0)


def money(shop: Shop, listing: Listing, minor: int) -> str:
    return format_money(minor, listing.currency, shop.result.site.config.language)


def mail_parts(href: str) -> tuple[str, str, str]:
    """(address, subject, body) of a mailto: href, decoded."""
    assert href.startswith("mailto:"), href
    parts = urlsplit(href)
    query = parse_qs(parts.query, keep_blank_values=True)
    assert "+" not in parts.query, "spaces must be %20 in mailto links; mail programs show '+' literally"
    return unquote(parts.path), query["subject"][0], query["body"][0]


def test_sample_exercises_every_kind_of_customization(shop: Shop) -> None:
    kinds = {c.kind for x in customizable(shop) for c in x.customizations}
    assert kinds == {"choice", "text", "number", "checkbox"}
    assert any(o.surcharge for x in customizable(shop) for c in x.customizations for o in c.options)


def test_live_price_follows_every_choice(any_shop: Shop, new_page: Any) -> None:
    page = new_page(width=360, height=740)
    problems = watch(page)
    for listing in customizable(any_shop):
        load(page, any_shop.listing_url(listing))
        total = page.locator("#total")
        has_total = total.count() == 1
        expected = listing.price
        if has_total:
            assert total.inner_text() == money(any_shop, listing, expected)
            # The no-JavaScript note "(base price; options add to it)" would be wrong here.
            assert not page.locator(".total-note").is_visible()
        for choice in choices_for(listing):
            apply(page, choice)
            expected += choice.surcharge
            if has_total:
                assert total.inner_text() == money(any_shop, listing, expected), (
                    f"{listing.slug}: after {choice.customization.name} = {choice.value}"
                )
        if not has_total:
            assert expected == listing.price, f"{listing.slug} has surcharges but no live total"
        # Untick and clear, last first (a field shown only once an earlier box is ticked goes
        # when the box is unticked): the price goes back down.
        undone: set[str] = set()
        for choice in reversed(choices_for(listing)):
            kind = choice.customization.kind
            if kind == "checkbox":
                page.locator(f"#opt-{choice.customization.key}").uncheck()
                expected -= choice.surcharge
                undone.add(choice.customization.key)
            elif kind == "text":
                page.locator(f"#opt-{choice.customization.key}").fill("")
                expected -= choice.surcharge
                undone.add(choice.customization.key)
        # A choice shown only with a box ticked (or a text filled in) goes, and its price with it.
        for choice in choices_for(listing):
            if choice.customization.kind == "choice" and any(x.field in undone for x in choice.customization.show_if):
                expected -= choice.surcharge
        if has_total:
            assert total.inner_text() == money(any_shop, listing, expected)
    assert problems.all() == []


def test_order_email_carries_listing_and_choices(any_shop: Shop, new_page: Any) -> None:
    page = new_page()
    for listing in customizable(any_shop):
        if listing.order_url:
            continue
        url = any_shop.listing_url(listing)
        load(page, url)
        picked = choices_for(listing)
        for choice in picked:
            apply(page, choice)
        choose_shipping(page)
        total = listing.price + sum(c.surcharge for c in picked)
        to, subject, body = mail_parts(page.get_by_role("link", name="Order by email").get_attribute("href"))
        assert to == any_shop.result.site.config.contact.email
        assert listing.title in subject
        assert listing.title in body
        assert url in body
        for choice in picked:
            assert f"- {choice.customization.name}: {choice.value}\n" in body
        assert f"Price shown: {money(any_shop, listing, total)}" in body


def test_custom_order_email_carries_listing_and_choices(any_shop: Shop, new_page: Any) -> None:
    page = new_page()
    listing = customizable(any_shop)[0]
    url = any_shop.listing_url(listing)
    load(page, url)
    link = page.locator(".custom-box").get_by_role("link", name="Ask about a Custom Order")
    # Before any choice: the listing is named.
    to, subject, body = mail_parts(link.get_attribute("href"))
    assert to == any_shop.result.site.config.contact.email
    assert listing.title in subject
    assert f"{listing.title}" in body and url in body
    picked = choices_for(listing)
    for choice in picked:
        apply(page, choice)
    _, subject_after, body_after = mail_parts(link.get_attribute("href"))
    assert subject_after == subject
    for choice in picked:
        assert f"- {choice.customization.name}: {choice.value}" in body_after
    # The rest of the template is still there, after the choices.
    assert body_after.index(url) < body_after.index("The options I picked:") < body_after.index("What I would like:")


def test_text_field_refuses_more_than_max_length(shop: Shop, new_page: Any) -> None:
    page = new_page(width=360, height=740)
    texts = [(x, c) for x in customizable(shop) for c in x.customizations if c.kind == "text"]
    assert texts, "the sample shop has no text customization"
    for listing, c in texts:
        assert c.max_length is not None
        load(page, shop.listing_url(listing))
        for condition in c.show_if:  # the sample's conditional text fields follow a checkbox
            assert condition.test == "checked"
            page.locator(f"#opt-{condition.field}").check()
        field = page.locator(f"#opt-{c.key}")
        field.click()
        field.press_sequentially("ABCDEFGHIJKLMNOPQRSTUVWXYZ" * (c.max_length // 26 + 1) + "OVERFLOW")
        value = field.input_value()
        assert len(value) == c.max_length, f"{listing.slug} {c.name}: typed past max_length {c.max_length}"
        assert page.get_by_text(f"Up to {c.max_length} characters").count() >= 1


def test_without_javascript_prices_and_surcharges_still_read(shop: Shop, new_page: Any) -> None:
    page = new_page(width=360, height=740, javascript=False)
    for listing in customizable(shop):
        load_plain(page, shop.listing_url(listing))
        base = money(shop, listing, listing.price)
        assert page.locator("#price").inner_text().endswith(base)
        text = page.locator("main").inner_text()
        for c in listing.customizations:
            # Every field shows, a field asked only sometimes with its condition in words.
            assert page.locator(f"#opt-{c.key}").is_visible(), f"{listing.slug} {c.name} is hidden"
            if c.show_if:
                when = page.locator(f"#opt-{c.key}-when").inner_text()
                assert when.startswith("Only if ") and all(x.name in when for x in c.show_if)
            if c.kind == "choice":
                swatches = any(o.swatch for o in c.options)
                labels = page.locator(f"#opt-{c.key} " + ("label.swatch" if swatches else "option")).all_inner_texts()
                for o in c.options:
                    expected = f"{o.label} (+{money(shop, listing, o.surcharge)})" if o.surcharge else o.label
                    assert expected in labels, f"{listing.slug} {c.name}: {labels}"
            elif c.surcharge:
                each = " each" if c.kind == "number" else ""
                assert f"+{money(shop, listing, c.surcharge)}{each}" in text, f"{listing.slug} {c.name}"
        if page.locator("#total").count():
            assert page.locator("#total").inner_text() == base
            assert page.locator(".total-note").is_visible()  # "(base price; options add to it)"
        if not listing.order_url:
            _, subject, body = mail_parts(page.get_by_role("link", name="Order by email").get_attribute("href"))
            assert listing.title in subject
            assert f"Price shown: from {base}, plus the options I chose" in body or f"Price shown: {base}\n" in body


def load_plain(page: Any, url: str) -> None:
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok


def test_custom_order_form_is_prefilled_and_posts(shop_with_form: Shop, new_page: Any) -> None:
    shop = shop_with_form
    page = new_page(width=360, height=740)
    problems = watch(page)
    listing = customizable(shop)[0]
    listing_url = shop.listing_url(listing)
    load(page, listing_url)
    picked = choices_for(listing)
    for choice in picked:
        apply(page, choice)
    page.locator(".custom-box").get_by_role("link", name="Ask about a Custom Order").click()
    page.wait_for_load_state("load")
    assert page.url.startswith(shop.url("custom-order/?"))
    about = page.get_by_label("About this listing").input_value()
    assert about.startswith(f"{listing.title} ({listing_url})")
    for choice in picked:
        assert f"{choice.customization.name}: {choice.value}" in about

    page.get_by_label("Your name").fill("Ada Buyer")
    page.get_by_label("Your email").fill("ada@buyer.example")
    page.get_by_label("What would you like?").fill("The same mug, in green, with a heron.")
    page.get_by_label("Budget").fill("60")
    page.get_by_label("Needed by").fill("2026-12-20")
    photo = png_bytes((90, 120, 60), (40, 30))
    page.get_by_label("Reference photos").set_input_files(
        files=[{"name": "wood-duck.png", "mimeType": "image/png", "buffer": photo}]
    )
    before = len(shop.server.posts)
    with page.expect_navigation():
        page.get_by_role("button", name="Send request").click()
    assert problems.all() == []
    path, raw = shop.server.posts[before]
    assert path == "/__form"
    parts = multipart(raw)
    form = {name: value.decode("utf-8") for name, (_, value) in parts.items() if name != "photos"}
    # The photo arrives as a file of the form, byte for byte.
    assert parts["photos"] == ("wood-duck.png", photo)
    assert form["listing"] == about
    assert form["name"] == "Ada Buyer"
    assert form["email"] == "ada@buyer.example"
    assert form["message"] == "The same mug, in green, with a heron."
    assert form["budget"] == "60"
    assert form["needed_by"] == "2026-12-20"


def multipart(raw: bytes) -> dict[str, tuple[str | None, bytes]]:
    """A multipart/form-data body as {field: (file name or None, bytes)}."""
    import email
    import email.policy

    boundary = raw.split(b"\r\n", 1)[0][2:]
    head = b"Content-Type: multipart/form-data; boundary=" + boundary + b"\r\n\r\n"
    message = email.message_from_bytes(head + raw, policy=email.policy.HTTP)
    out: dict[str, tuple[str | None, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        out[str(name)] = (part.get_filename(), part.get_payload(decode=True) or b"")
    return out


def test_reference_photos_are_checked_before_sending(shop_with_form: Shop, new_page: Any) -> None:
    page = new_page(width=360, height=740)
    load(page, shop_with_form.url("custom-order/"))
    form = page.locator("form.request-form")
    assert form.get_attribute("enctype") == "multipart/form-data"
    field = page.get_by_label("Reference photos")
    hint = page.locator("#co-photos-hint").inner_text()
    assert "JPEG, PNG, WebP or HEIC" in hint and "8 MB in all" in hint and "Up to 3 photos" in hint
    page.get_by_label("Your name").fill("Ada Buyer")
    page.get_by_label("Your email").fill("ada@buyer.example")
    page.get_by_label("What would you like?").fill("A mug with a wood duck.")
    big = {"name": "huge.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8" + bytes(9 * 1024 * 1024)}
    field.set_input_files(files=[big])
    error = page.locator("#co-photos-error")
    assert error.is_visible() and error.inner_text() == "The photos come to 9.0 MB: at most 8 MB in all, please."
    before = len(shop_with_form.server.posts)
    page.get_by_role("button", name="Send request").click()
    page.wait_for_timeout(300)
    assert len(shop_with_form.server.posts) == before, "photos over the limit were sent"
    assert page.evaluate("document.activeElement.id") == "co-photos"
    field.set_input_files(files=[{"name": "notes.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"}])
    assert error.inner_text() == "notes.pdf is not a JPEG, PNG, WebP or HEIC photo."
    field.set_input_files(files=[])
    assert not error.is_visible()


def test_custom_order_form_needs_name_email_and_message(shop_with_form: Shop, new_page: Any) -> None:
    page = new_page()
    load(page, shop_with_form.url("custom-order/"))
    before = len(shop_with_form.server.posts)
    page.get_by_role("button", name="Send request").click()
    page.wait_for_timeout(300)
    assert len(shop_with_form.server.posts) == before, "an empty request was sent"
    invalid = page.eval_on_selector_all("form :invalid", "els => els.map(e => e.name)")
    assert set(invalid) == {"name", "email", "message"}
