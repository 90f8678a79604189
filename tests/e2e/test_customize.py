"""A buyer customizing: fields that appear only with an answer (show_if), characters a text
field allows, colour swatches and per-option photos picked by keyboard, and the engraving preview
drawn on the photo in the maker's own fonts; each carried (or left out) in the order mail and the
checkout hand-off. Expected prices come from the content, formatted by Babel."""

from __future__ import annotations

from typing import Any

import pytest

from generator.model import Listing

from .conftest import Shop
from .pages import load, watch
from .test_listing import mail_parts, money

pytestmark = pytest.mark.browser


def listing_of(shop: Shop, slug: str) -> Listing:
    return next(x for x in shop.result.site.listings if x.slug == slug)


def mail_body(page: Any) -> str:
    return mail_parts(page.locator("#order-email").get_attribute("href"))[2]


# -- show_if ---------------------------------------------------------------------------------------


def test_gift_options_appear_only_with_gift_wrap(shop: Shop, new_page: Any) -> None:
    board = listing_of(shop, "walnut-cutting-board")
    page = new_page(width=360, height=740)
    problems = watch(page)
    load(page, shop.url("listings/walnut-cutting-board/"))
    page.locator("#order-region").select_option(value="United States")
    ribbon, message = page.locator("#opt-ribbon"), page.locator("#opt-gift-message")
    assert not ribbon.is_visible() and not message.is_visible()
    assert page.locator("#order-announce").inner_text() == ""
    assert "Gift message" not in mail_body(page) and "Ribbon" not in mail_body(page)

    page.get_by_label("Gift wrap").check()
    assert ribbon.is_visible() and message.is_visible()
    # Said to screen readers, once, in the page's live region.
    assert page.locator("#order-announce").get_attribute("aria-live") == "polite"
    assert page.locator("#order-announce").inner_text() == (
        "Ribbon is now asked, below. Gift message is now asked, below."
    )
    # Ribbon is a required choice once shown: ordering waits for it.
    page.get_by_role("link", name="Order by email").click()
    assert page.locator("#opt-ribbon-error").inner_text() == "Choose Ribbon."
    assert page.evaluate("document.activeElement.id") == "opt-ribbon"
    ribbon.select_option(value="Gold")
    message.fill("Happy new home, Ada & Tom")
    total = page.locator("#total")
    assert total.inner_text() == money(shop, board, board.price + 500 + 200)
    body = mail_body(page)
    assert "- Gift wrap: yes\n- Ribbon: Gold\n- Gift message: Happy new home, Ada & Tom\n" in body

    # Unticked: the gift options go, with their price and from the mail, though still filled in.
    page.get_by_label("Gift wrap").uncheck()
    assert not ribbon.is_visible() and ribbon.input_value() == "Gold"
    assert total.inner_text() == money(shop, board, board.price)
    assert page.locator("#order-announce").inner_text() == "Ribbon is no longer asked. Gift message is no longer asked."
    body = mail_body(page)
    assert "Ribbon" not in body and "Gift message" not in body and "Gift wrap" not in body
    assert f"Price shown: {money(shop, board, board.price)}" in body
    assert problems.all() == []


def test_hidden_fields_are_not_handed_to_snipcart(shop_snipcart: Shop, new_page: Any) -> None:
    page = new_page()
    page.route("https://cdn.snipcart.com/**", lambda route: route.fulfill(status=200, body="", content_type="text/css"))
    load(page, shop_snipcart.url("listings/monogram-mug/"))
    cart = page.locator("#order-cart")
    assert cart.get_attribute("data-item-custom3-name") == "Gift message"
    # Shown only with gift wrap, so Snipcart must not insist on it; the page checks what is shown.
    assert cart.get_attribute("data-item-custom3-required") is None
    page.get_by_label("Gift wrap").check()
    page.get_by_label("Gift message").fill("For Sam")
    assert cart.get_attribute("data-item-custom3-value") == "For Sam"
    assert cart.get_attribute("data-item-custom2-value") == "true"
    page.get_by_label("Gift wrap").uncheck()
    assert cart.get_attribute("data-item-custom3-value") is None
    assert cart.get_attribute("data-item-custom2-value") == "false"


# -- allowed characters ----------------------------------------------------------------------------


def test_allowed_characters_are_checked_as_the_buyer_types(shop: Shop, new_page: Any) -> None:
    page = new_page(width=360, height=740)
    load(page, shop.url("listings/monogram-mug/"))
    field = page.get_by_label("Monogram")
    assert "Letters and spaces only." in page.locator("#opt-monogram-limit").inner_text()
    field.press_sequentially("J3")
    error = page.locator("#opt-monogram-error")
    # Said at once, before any order button is pressed.
    assert error.is_visible() and error.inner_text() == "“3” cannot be used here. Letters and spaces only."
    assert field.get_attribute("aria-invalid") == "true"
    page.get_by_role("link", name="Order by email").click()
    assert page.get_by_role("alert").inner_text() == "2 fields above need your answer before you order."
    field.fill("JÖB")  # letters of any alphabet
    assert not error.is_visible() and field.get_attribute("aria-invalid") is None


# -- swatches and option photos --------------------------------------------------------------------


def test_swatches_are_a_radio_group_picked_by_keyboard(shop: Shop, new_page: Any) -> None:
    mug = listing_of(shop, "eagle-latte-mug")
    page = new_page(width=360, height=740)
    problems = watch(page)
    load(page, shop.url("listings/eagle-latte-mug/"))
    assert page.locator("#opt-glaze-colour").evaluate("el => el.tagName") == "FIELDSET"
    group = page.get_by_role("group", name="Glaze colour")
    radios = group.get_by_role("radio")
    # Each swatch is named by its colour and surcharge, not by its paint.
    assert [radios.nth(i).evaluate("el => el.labels[0].innerText") for i in range(radios.count())] == [
        "Blue", "Red", "Orange", "Yellow (+$4.00)",
    ]  # fmt: skip
    assert page.locator("select#opt-glaze-colour").count() == 0
    main = page.locator(".gallery .photo-main img")
    first_src = main.get_attribute("src")

    # Nothing chosen yet: ordering says so and puts the focus on the group.
    page.get_by_role("link", name="Order by email").click()
    assert page.locator("#opt-glaze-colour-error").inner_text() == "Choose Glaze colour."
    assert page.evaluate("document.activeElement.name") == "glaze-colour"

    # The keyboard alone: space picks the focused swatch, arrows move along the group.
    page.keyboard.press("Space")
    assert group.get_by_label("Blue").is_checked()
    assert "images/eagle-mug-blue" in main.get_attribute("src")
    page.keyboard.press("ArrowRight")
    assert group.get_by_label("Red").is_checked()
    assert "images/eagle-mug-red" in main.get_attribute("src")
    assert page.locator(".thumbs a[aria-current='true']").get_attribute("data-photo") == "3"
    assert main.get_attribute("alt") == next(i.alt for i in mug.images if i.src.name == "eagle-mug-red.jpg")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert group.get_by_label("Yellow (+$4.00)").is_checked()
    assert page.locator("#price-amount").inner_text() == money(shop, mug, mug.price + 400)
    # The focused swatch shows an outline; the chosen one a ring of its own.
    focused = page.locator(".swatch:has(input:focus-visible)")
    assert focused.count() == 1 and focused.evaluate("el => getComputedStyle(el).outlineStyle") == "solid"
    page.locator("#order-region").select_option(value="Canada")
    assert "- Glaze colour: Yellow\n" in mail_body(page)
    assert first_src is not None and problems.all() == []


def test_an_option_photo_is_shown_in_the_gallery(shop: Shop, new_page: Any) -> None:
    page = new_page()
    load(page, shop.url("listings/eagle-latte-mug/"))
    main = page.locator(".gallery .photo-main img")
    first = main.get_attribute("src")
    page.get_by_role("group", name="Glaze colour").get_by_label("Orange").check()
    assert "images/eagle-mug-orange" in main.get_attribute("src")
    page.wait_for_function("() => document.querySelector('.gallery .photo-main img').complete")
    assert main.evaluate("img => img.naturalWidth > 0")
    assert first is not None and "images/eagle-mug-colours" in first


# -- the engraving preview -------------------------------------------------------------------------

# What changed between the preview and the blank photo: the box of changed pixels, in the
# photo's pixels, or null when nothing changed.
CHANGED_BOX = """async (fig) => {
  const canvas = fig.querySelector("canvas");
  const data = JSON.parse(fig.getAttribute("data-preview"));
  const img = new Image();
  img.src = fig.getAttribute("data-root") + data.image;
  await img.decode();
  const blank = document.createElement("canvas");
  blank.width = canvas.width; blank.height = canvas.height;
  const b = blank.getContext("2d");
  b.drawImage(img, 0, 0, canvas.width, canvas.height);
  const one = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  const two = b.getImageData(0, 0, canvas.width, canvas.height).data;
  let x0 = Infinity, y0 = Infinity, x1 = -1, y1 = -1;
  for (let i = 0; i < one.length; i += 4) {
    if (Math.abs(one[i] - two[i]) + Math.abs(one[i + 1] - two[i + 1]) + Math.abs(one[i + 2] - two[i + 2]) > 24) {
      const p = i / 4, x = p % canvas.width, y = Math.floor(p / canvas.width);
      x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y);
    }
  }
  return x1 < 0 ? null : [x0, y0, x1, y1];
}"""


def test_preview_draws_the_text_inside_its_area(shop: Shop, new_page: Any) -> None:
    board = listing_of(shop, "walnut-cutting-board")
    (engraving,) = [c for c in board.customizations if c.preview is not None]
    assert engraving.preview is not None
    x, y, w, h = engraving.preview.area
    page = new_page(width=1280)
    problems = watch(page)
    fonts: list[str] = []
    page.on("request", lambda r: fonts.append(r.url) if r.resource_type == "font" else None)
    load(page, shop.url("listings/walnut-cutting-board/"))
    figure = page.locator("#opt-engraving-preview")
    assert figure.is_visible()
    canvas = figure.locator("canvas")
    assert canvas.get_attribute("aria-label") == "Preview of your Engraving on the photo: nothing typed yet"
    assert figure.evaluate(CHANGED_BOX) is None

    page.locator("#opt-engraving").fill("Okafor")
    page.wait_for_function("() => document.fonts.status === 'loaded'")
    box = figure.evaluate(CHANGED_BOX)
    assert box is not None
    x0, y0, x1, y1 = box
    assert x <= x0 and x1 < x + w and y <= y0 and y1 < y + h, f"{box} is outside {engraving.preview.area}"
    # Centred, and as large as max_size allows (6 letters do not fill the width).
    assert abs((x0 + x1) / 2 - (x + w / 2)) < w * 0.02 and abs((y0 + y1) / 2 - (y + h / 2)) < h * 0.05
    assert (y1 - y0) > engraving.preview.max_size * 0.5
    short_width = x1 - x0

    # The longest text allowed still fits, drawn smaller.
    page.locator("#opt-engraving").fill("The Okafor Family 2019 A")
    page.wait_for_function("() => document.fonts.status === 'loaded'")
    x0, y0, x1, y1 = figure.evaluate(CHANGED_BOX)
    # Whole, not cut off at the area's edges (the preview clips anything that would spill out).
    assert x + 1 < x0 and x1 < x + w - 2 and y <= y0 and y1 < y + h
    assert x1 - x0 > short_width and x1 - x0 > w * 0.8

    # Another lettering redraws it in that font; the alt text and the order mail say what it shows.
    page.locator("#opt-engraving").fill("Okafor")
    classic = canvas.evaluate("c => c.toDataURL()")
    page.locator("#opt-lettering").select_option(value="Italic")
    page.wait_for_function("() => document.fonts.status === 'loaded'")
    page.wait_for_function("(before) => document.querySelector('#opt-engraving-preview canvas').toDataURL() !== before",
                           arg=classic)  # fmt: skip
    label = canvas.get_attribute("aria-label")
    assert label.startswith("Preview: “Okafor” in Italic lettering, centred in the Engraving area of the photo (")
    page.locator("#order-region").select_option(value="United States")
    assert "Preview shown: “Okafor” in Italic lettering" in mail_body(page)
    # The fonts are the maker's files, from the shop itself: no font service.
    assert fonts and all(u.startswith(shop.url()) for u in fonts), fonts
    assert any(u.endswith("fonts/engraving-italic.woff2") for u in fonts)
    assert problems.all() == []


def test_without_javascript_the_preview_stays_out_and_conditions_are_written(shop: Shop, new_page: Any) -> None:
    page = new_page(width=360, height=740, javascript=False)
    page.goto(shop.url("listings/walnut-cutting-board/"), wait_until="load")
    assert not page.locator("#opt-engraving-preview").is_visible()
    assert page.locator("#opt-ribbon").is_visible() and page.locator("#opt-gift-message").is_visible()
    assert page.locator("#opt-ribbon-when").inner_text() == "Only if Gift wrap is ticked."
    body = mail_body(page)
    assert "- Ribbon [only if Gift wrap is ticked] (Natural twine, Red satin, Gold +$2.00): \n" in body
    assert "- Engraving +$12.00 (letters, digits and spaces only): \n" in body
