"""A buyer ordering: every rule of the order form (required fields before any order action,
numbers kept to min/max/step, the headline price following the total, quantity up to the stock,
shipping before ordering), each checkout's hand-off carrying exactly what was chosen, and the
email route for a buyer without a mail program or without JavaScript. Expected prices come from
the content (`result.site`), formatted by Babel; the page computes them with Intl."""

from __future__ import annotations

import json
import re
import urllib.request
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from generator.model import Listing

from .conftest import STRIPE_LINK, Shop
from .pages import load, watch
from .test_listing import mail_parts, money

pytestmark = pytest.mark.browser


def listing_of(shop: Shop, slug: str) -> Listing:
    return next(x for x in shop.result.site.listings if x.slug == slug)


def choose_region(page: Any, name: str = "United States") -> None:
    page.locator("#order-region").select_option(value=name)


def offline_checkouts(page: Any) -> dict[str, list[Any]]:
    """Answer Snipcart's script and PayPal with nothing (the tests run offline), recording what
    is sent to them."""
    seen: dict[str, list[Any]] = {"paypal": [], "stripe": []}
    page.route("https://cdn.snipcart.com/**", lambda route: route.fulfill(status=200, body="", content_type="text/css"))

    def paypal(route: Any) -> None:
        seen["paypal"].append(route.request.post_data)
        route.fulfill(status=200, body="<!doctype html><title>PayPal</title>", content_type="text/html")

    def stripe(route: Any) -> None:
        seen["stripe"].append(route.request.url)
        route.fulfill(status=200, body="<!doctype html><title>Stripe</title>", content_type="text/html")

    page.route("https://www.paypal.com/**", paypal)
    page.route("https://buy.stripe.example/**", stripe)
    return seen


# -- the honest form -----------------------------------------------------------------------------


def test_required_choice_starts_at_choose_and_blocks_ordering(shop: Shop, new_page: Any) -> None:
    page = new_page(width=360, height=740)
    problems = watch(page)
    load(page, shop.url("listings/eagle-mug/"))
    colour = page.locator("#opt-colour")
    assert colour.input_value() == ""
    assert colour.locator("option:checked").inner_text() == "Choose…"
    assert page.locator("#opt-size").input_value() == "12 oz"  # default: 12 oz
    email = page.get_by_role("link", name="Order by email")
    assert not email.get_attribute("href").startswith("mailto:"), "an order link before the form is complete"
    email.click()
    assert page.url == shop.url("listings/eagle-mug/") + "#order-form" or page.url.startswith(
        shop.url("listings/eagle-mug/")
    )
    # Each problem beside its field, announced, and the focus on the first.
    error = page.locator("#opt-colour-error")
    assert error.is_visible() and error.inner_text() == "Choose Colour."
    assert colour.get_attribute("aria-invalid") == "true"
    assert "opt-colour-error" in colour.get_attribute("aria-describedby")
    assert page.locator("#order-region-error").inner_text() == "Choose where it ships."
    assert page.evaluate("document.activeElement.id") == "opt-colour"
    assert page.get_by_role("alert").inner_text() == "2 fields above need your answer before you order."
    # Fixing them takes the messages away and gives the link.
    colour.select_option(value="Yellow")
    assert not error.is_visible() and colour.get_attribute("aria-invalid") is None
    choose_region(page)
    assert not page.get_by_role("alert").is_visible()
    _, _, body = mail_parts(email.get_attribute("href"))
    assert "- Colour: Yellow\n- Size: 12 oz\n" in body
    assert problems.all() == []


def test_required_text_is_enforced_before_every_action(shop_snipcart: Shop, new_page: Any) -> None:
    shop = shop_snipcart
    page = new_page()
    offline_checkouts(page)
    load(page, shop.url("listings/monogram-mug/"))
    choose_region(page)
    # A listener where Snipcart's would be (on the document): the click must never reach it.
    page.evaluate(
        """() => { window.reached = 0; document.addEventListener('click', e => {
            if (e.target.closest('.snipcart-add-item')) window.reached++; }); }"""
    )
    for name in ("Add to cart", "Or order by email"):
        page.get_by_role("button" if name == "Add to cart" else "link", name=name).click()
        assert page.locator("#opt-monogram-error").inner_text() == "Fill in Monogram."
        assert page.evaluate("document.activeElement.id") == "opt-monogram"
    page.get_by_role("button", name="Copy order details").click()
    assert page.evaluate("window.reached") == 0
    assert page.locator("#order-status").inner_text() == ""
    page.locator("#opt-monogram").fill("JMB")
    page.get_by_role("button", name="Add to cart").click()
    assert page.evaluate("window.reached") == 1


@pytest.mark.parametrize(("typed", "ordered"), [("10", 6), ("2.5", 2), ("-3", 1), ("6", 6), ("1", 1)])
def test_number_is_kept_to_min_max_and_step(shop: Shop, new_page: Any, typed: str, ordered: int) -> None:
    listing = listing_of(shop, "everyday-mug")
    coasters = next(c for c in listing.customizations if c.kind == "number")
    assert (coasters.minimum, coasters.maximum) == (1, 6)
    page = new_page()
    load(page, shop.url("listings/everyday-mug/"))
    page.locator("#opt-glaze").select_option(value="Oatmeal")
    choose_region(page)
    field = page.locator("#opt-matching-coasters")
    field.fill(typed)
    field.dispatch_event("change")
    total = money(shop, listing, listing.price + ordered * coasters.surcharge)
    assert page.locator("#total").inner_text() == total
    assert page.locator("#price-amount").inner_text() == total  # the headline follows the total
    assert field.input_value() == str(ordered)  # the buyer sees what will be ordered
    _, _, body = mail_parts(page.get_by_role("link", name="Order by email").get_attribute("href"))
    assert f"- Matching coasters: {ordered}\n" in body
    assert f"Price shown: {total}\n" in body


def test_headline_price_reads_from_then_follows_the_choices(shop: Shop, new_page: Any) -> None:
    listing = listing_of(shop, "eagle-mug")
    plain = new_page(javascript=False)
    plain.goto(shop.url("listings/eagle-mug/"))
    assert (
        " ".join(plain.locator("#price").inner_text().split()) == f"Price: From {money(shop, listing, listing.price)}"
    )
    page = new_page()
    load(page, shop.url("listings/eagle-mug/"))
    page.locator("#opt-colour").select_option(value="Yellow")
    page.locator("#opt-size").select_option(value="16 oz")
    assert page.locator("#price-amount").inner_text() == money(shop, listing, listing.price + 400 + 600)


def test_quantity_is_offered_up_to_the_stock(shop: Shop, new_page: Any) -> None:
    listing = listing_of(shop, "wren-trinket-dish")
    assert listing.stock == 5
    page = new_page(width=360, height=740)
    load(page, shop.url("listings/wren-trinket-dish/"))
    assert page.get_by_text("5 ready to ship").first.is_visible()
    quantity = page.get_by_label("Quantity")
    assert quantity.get_attribute("max") == "5"
    quantity.fill("9")
    quantity.dispatch_event("change")
    assert quantity.input_value() == "5"
    page.get_by_label("Gift wrap").check()
    choose_region(page, "Canada")
    items = 5 * (listing.price + 500)
    assert page.locator("#total").inner_text() == money(shop, listing, items)
    assert page.locator("#grand-total").inner_text() == money(shop, listing, items + 1800)
    _, _, body = mail_parts(page.get_by_role("link", name="Order by email").get_attribute("href"))
    assert "Quantity: 5\n" in body
    assert f"Shipping to Canada: {money(shop, listing, 1800)}\nTotal: {money(shop, listing, items + 1800)}\n" in body


def test_free_shipping_over_the_amount(shop: Shop, new_page: Any) -> None:
    listing = listing_of(shop, "ash-bottle-vase")  # $140, free US shipping from $120
    page = new_page()
    load(page, shop.url("listings/ash-bottle-vase/"))
    assert page.get_by_text("One of a kind, ready to ship").is_visible()
    assert page.get_by_label("Quantity").count() == 0  # one piece: nothing to choose
    assert page.get_by_text("United States: $9.00, free on orders of $120.00 or more").is_visible()
    choose_region(page)
    assert page.locator("#shipping-cost").inner_text() == money(shop, listing, 0)
    choose_region(page, "Everywhere else")
    assert page.locator("#grand-total").inner_text() == money(shop, listing, listing.price + 3200)


def test_shipping_and_ships_by_are_shown_before_ordering(shop: Shop, new_page: Any) -> None:
    page = new_page(width=360, height=740)
    load(page, shop.url("listings/eagle-mug/"))
    ships = page.locator("#ships-by")
    expected = page.evaluate(
        """() => { const d = new Date(); d.setDate(d.getDate() + 17);
            return new Intl.DateTimeFormat('en', {weekday: 'short', month: 'short', day: 'numeric'}).format(d); }"""
    )
    # 1-2 weeks to make it, 1-3 days to pack it.
    assert ships.inner_text() == f"Ships by {expected} if you order today (8–17 days after your order)."
    top = page.locator(".shipping").bounding_box()
    action = page.get_by_role("link", name="Order by email").bounding_box()
    assert top["y"] < action["y"], "shipping must be read before the order button"


def test_custom_order_sits_beside_the_order_action_on_a_phone(shop: Shop, new_page: Any) -> None:
    page = new_page(width=360, height=740)
    load(page, shop.url("listings/eagle-mug/"))
    actions = page.locator(".order-actions")
    ask = actions.get_by_role("link", name="Ask about a Custom Order")
    order = actions.get_by_role("link", name="Order by email")
    assert ask.bounding_box()["y"] - order.bounding_box()["y"] < 200
    assert ask.bounding_box()["y"] < 1600  # it was 2,099 px down, below the description


def test_sold_listing_has_no_order_action(shop: Shop, new_page: Any) -> None:
    page = new_page(width=360, height=740)
    load(page, shop.url("listings/breakfast-bowls/"))
    assert page.locator("#price .sold-mark").inner_text() == "Sold"
    assert page.locator("form.order-form").count() == 0
    actions = re.compile("^(Order by email|Or order by email|Buy now|Buy with PayPal|Add to cart|Copy order details)$")
    assert page.get_by_role("link", name=actions).count() == 0
    assert page.get_by_role("button", name=actions).count() == 0
    ask = page.get_by_role("link", name="Ask about a Custom Order for one like it")
    assert ask.is_visible()
    _, subject, _ = mail_parts(ask.get_attribute("href"))
    assert "Breakfast Bowls" in subject
    load(page, shop.url("tags/bowls/"))
    card = page.locator(".card", has_text="Breakfast Bowls")
    assert card.locator(".sold-mark").inner_text() == "Sold"


# -- the email route -------------------------------------------------------------------------------


def test_buyer_without_a_mail_program_copies_the_order(shop: Shop, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-US")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=shop.url("").rstrip("/"))
    try:
        page = context.new_page()
        load(page, shop.url("listings/monogram-mug/"))
        email = shop.result.site.config.contact.email
        assert page.locator(".order-address").inner_text().startswith(f"No mail program? Send your order to {email}.")
        page.get_by_label("Monogram").fill("JMB")
        page.get_by_label("Gift wrap").check()
        choose_region(page)
        page.get_by_role("button", name="Copy order details").click()
        page.wait_for_function("document.getElementById('order-status').textContent !== ''")
        assert (
            page.locator("#order-status").inner_text() == f"Order details copied. Paste them into a message to {email}."
        )
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied.startswith(f"To: {email}\nSubject: Order: Monogram Mug\n")
        assert "- Monogram: JMB\n- Gift wrap: yes\n" in copied
        assert "Price shown: $45.00\nShipping to United States: $9.00\nTotal: $54.00\n" in copied
    finally:
        context.close()


def test_without_javascript_every_option_is_in_the_order_mail(shop: Shop, new_page: Any) -> None:
    page = new_page(width=360, height=740, javascript=False)
    page.goto(shop.url("listings/eagle-mug/"))
    assert not page.get_by_role("button", name="Copy order details").is_visible()
    _, _, body = mail_parts(page.get_by_role("link", name="Order by email").get_attribute("href"))
    assert "- Colour (Red, White, Orange, Blue, Yellow +$4.00): \n" in body
    assert "- Size (12 oz, 16 oz +$6.00): \n" in body
    assert "Price shown: from $36.00, plus the options I chose\n" in body
    assert "Ship to (United States $9.00, Canada $18.00, Everywhere else $32.00): \n" in body
    assert page.get_by_text("United States: $9.00, free on orders of $120.00 or more").is_visible()


# -- Snipcart --------------------------------------------------------------------------------------


class _Items(HTMLParser):
    """Every element with a data-item-id: its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if "data-item-id" in found:
            self.items.append(found)


def snipcart_price(item: dict[str, str], chosen: dict[str, str]) -> float:
    """What Snipcart's order validation computes: data-item-price plus the modifier of each
    chosen option, read from the page only."""
    total = float(item["data-item-price"])
    n = 1
    while f"data-item-custom{n}-name" in item:
        name = item[f"data-item-custom{n}-name"]
        options = item.get(f"data-item-custom{n}-options")
        if options is not None and name in chosen:
            for option in options.split("|"):
                m = re.fullmatch(r"(.*?)(?:\[([+-]\d+(?:\.\d+)?)\])?", option)
                assert m is not None
                if m[1] == chosen[name] and m[2]:
                    total += float(m[2])
        n += 1
    return round(total, 2)


def model_price(listing: Listing, chosen: dict[str, str]) -> float:
    minor = listing.price
    for c in listing.customizations:
        value = chosen.get(c.name)
        if c.kind == "choice" and value:
            minor += next(o.surcharge for o in c.options if o.label == value)
        elif c.kind == "checkbox" and value == "true":
            minor += c.surcharge
        elif c.kind == "number" and value and value != "None":
            minor += c.clamp(int(value)) * c.surcharge
    return minor / 100


def dearest(listing: Listing) -> dict[str, str]:
    chosen: dict[str, str] = {}
    for c in listing.customizations:
        if c.kind == "choice":
            chosen[c.name] = max(reversed(c.options), key=lambda o: o.surcharge).label
        elif c.kind == "checkbox":
            chosen[c.name] = "true"
        elif c.kind == "number" and c.maximum is not None:
            chosen[c.name] = str(c.maximum)
        elif c.kind == "text":
            chosen[c.name] = "JMB"
    return chosen


def test_snipcart_crawler_validates_every_listing(shop_snipcart: Shop) -> None:
    """Play Snipcart's order validation: fetch each item's data-item-url, find the item by its id
    there, recompute the price of the chosen options from the page, compare with the shop's."""
    shop = shop_snipcart
    checked = []
    for listing, url in shop.listing_pages():
        if listing.sold or listing.checkout != "snipcart":
            continue
        with urllib.request.urlopen(url) as response:
            parser = _Items()
            parser.feed(response.read().decode("utf-8"))
        (button,) = parser.items
        item_url = button["data-item-url"]
        assert item_url == url, "Snipcart fetches data-item-url: it must be this page's own address"
        with urllib.request.urlopen(item_url) as response:  # what Snipcart's crawler does
            crawled = _Items()
            crawled.feed(response.read().decode("utf-8"))
        item = next(i for i in crawled.items if i["data-item-id"] == listing.slug)
        for chosen in ({}, dearest(listing)):
            assert snipcart_price(item, chosen) == model_price(listing, chosen), (listing.slug, chosen)
        checked.append(listing.slug)
    assert "bird-mugs-for-sam" in checked, "a private listing must pass Snipcart's validation too"
    assert {"eagle-mug", "everyday-mug", "monogram-mug", "stoneware-teapot"} <= set(checked)


def test_snipcart_button_carries_every_choice(shop_snipcart: Shop, new_page: Any) -> None:
    shop = shop_snipcart
    page = new_page()
    offline_checkouts(page)
    problems = watch(page)
    load(page, shop.url("listings/everyday-mug/"))
    cart = page.get_by_role("button", name="Add to cart")
    assert cart.is_visible()
    assert cart.get_attribute("data-item-price") == "30.00"
    assert cart.get_attribute("data-item-custom1-name") == "Glaze"
    assert cart.get_attribute("data-item-custom1-required") == "true"
    assert cart.get_attribute("data-item-custom2-options") == (
        "None|1[+9.00]|2[+18.00]|3[+27.00]|4[+36.00]|5[+45.00]|6[+54.00]"
    )
    page.locator("#opt-glaze").select_option(value="Oatmeal")
    page.locator("#opt-matching-coasters").fill("10")
    page.locator("#opt-matching-coasters").dispatch_event("change")
    assert cart.get_attribute("data-item-custom1-value") == "Oatmeal"
    assert cart.get_attribute("data-item-custom2-value") == "6"
    load(page, shop.url("listings/monogram-mug/"))
    assert cart.get_attribute("data-item-custom1-placeholder") == "Up to 3 characters"
    page.get_by_label("Monogram").fill("ABC")
    page.get_by_label("Gift wrap").check()
    assert cart.get_attribute("data-item-custom1-value") == "ABC"
    assert cart.get_attribute("data-item-custom2-type") == "checkbox"
    assert cart.get_attribute("data-item-custom2-options") == "true[+5.00]|false"
    assert cart.get_attribute("data-item-custom2-value") == "true"
    assert page.locator("#snipcart").get_attribute("data-api-key") == "TEST_public_key_123"
    assert [p for p in problems.all() if "snipcart" not in p] == []


# -- PayPal and order_url --------------------------------------------------------------------------


def test_paypal_buy_now_posts_the_total_and_options(shop_paypal: Shop, new_page: Any) -> None:
    shop = shop_paypal
    listing = listing_of(shop, "eagle-mug")
    page = new_page()
    seen = offline_checkouts(page)
    load(page, shop.url("listings/eagle-mug/"))
    pay = page.get_by_role("button", name="Buy with PayPal")
    pay.click()  # nothing chosen yet: nothing is sent
    page.wait_for_timeout(200)
    assert seen["paypal"] == [] and page.locator("#opt-colour-error").is_visible()
    page.locator("#opt-colour").select_option(value="Yellow")
    page.locator("#opt-size").select_option(value="16 oz")
    choose_region(page, "Canada")
    with page.expect_navigation():
        pay.click()
    (posted,) = seen["paypal"]
    form = {k: v[0] for k, v in parse_qs(posted, keep_blank_values=True).items()}
    assert form["business"] == "pay@riverbend.example"
    assert form["cmd"] == "_xclick" and form["item_name"] == listing.title
    assert form["amount"] == "46.00" and form["currency_code"] == "USD" and form["quantity"] == "1"
    assert (form["on0"], form["os0"]) == ("Colour", "Yellow")
    assert (form["on1"], form["os1"]) == ("Size", "16 oz")
    assert (form["on2"], form["os2"]) == ("Ship to", "Canada")
    assert form["shipping"] == "18.00"


def test_order_url_receives_the_choices_percent_encoded(shop_paypal: Shop, new_page: Any) -> None:
    shop = shop_paypal
    page = new_page()
    seen = offline_checkouts(page)
    load(page, shop.url("listings/everyday-mug/"))
    buy = page.get_by_role("link", name="Buy now")
    page.locator("#opt-glaze").select_option(value="Tenmoku brown")
    page.locator("#opt-matching-coasters").fill("2")
    choose_region(page)
    href = buy.get_attribute("href")
    assert href.startswith(STRIPE_LINK.split("?")[0] + "?")
    query = parse_qs(urlsplit(href).query)
    assert query["client_reference_id"] == ["Glaze: Tenmoku brown; Matching coasters: 2"]
    assert query["total"] == ["57.00"]  # 30 + 2 x 9 + 9 shipping
    assert query["c"] == ["Tenmoku brown"]
    assert "+" not in href and " " not in unquote(href.split("?")[0])
    with page.expect_navigation():
        buy.click()
    assert seen["stripe"] == [href]


def test_order_data_in_attributes_is_json(shop: Shop) -> None:
    html = (shop.out / "listings" / "eagle-mug" / "index.html").read_text(encoding="utf-8")
    m = re.search(r'data-order="([^"]*)"', html)
    assert m is not None
    import html as html_module

    data = json.loads(html_module.unescape(m[1]))
    assert data["provider"] == "email" and data["mail"]["to"] == shop.result.site.config.contact.email
