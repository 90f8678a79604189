"""What templates receive: the views of the site, a page, a listing and a tag.

Every value is ready to print: prices formatted, URLs percent-encoded and relative to the site
root (prefix them with ``page.root``) unless named ``abs_url``, mail links encoded, Markdown made
safe HTML. Views are plain frozen values with no paths, files or source objects: themes run in
Jinja's sandbox and can reach nothing else. docs/themes.md is generated from this module (its
field docstrings): `python tools/make_theme_docs.py`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypedDict

from markupsafe import Markup

from .i18n import ENGLISH, Messages
from .model import StoredHTML
from .text import percent_encode, plain_text, summarize


def mailto(address: str, subject: str, body: str) -> str:
    """A mailto: URL; every part percent-encoded so no content can add headers or break out."""
    return f"mailto:{percent_encode(address, '@')}?subject={percent_encode(subject)}&body={percent_encode(body)}"


def decimal_amount(minor: int, digits: int) -> str:
    """Minor units as a plain decimal, as checkouts read it: 2800, 2 -> '28.00'; 3500, 0 -> '3500'."""
    return format(Decimal(minor).scaleb(-digits), f".{digits}f")


def fill_order_url(template: str, values: Mapping[str, str]) -> str:
    """``template`` (a listing's order_url) with each {placeholder} replaced by its value in
    ``values`` percent-encoded (no value: nothing). The page's script does the same with the
    buyer's choices; keys are 'title', ..., and 'option:<name in lower case>'."""

    def one(m: re.Match[str]) -> str:
        key = m[1]
        if key.startswith("option:"):
            key = "option:" + key[len("option:") :].strip().casefold()
        return percent_encode(values.get(key, ""))

    return re.sub(r"\{([^{}]*)\}", one, template)


SNIPCART_SCRIPT = "https://cdn.snipcart.com/themes/v3.7.1/default/snipcart.js"
SNIPCART_CSS = "https://cdn.snipcart.com/themes/v3.7.1/default/snipcart.css"
PAYPAL_ACTION = "https://www.paypal.com/cgi-bin/webscr"


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageFile:
    """One published file of a photo: a width in one format."""

    url: str
    """Site-relative URL, percent-encoded (prefix with page.root)."""
    width: int
    """Width in pixels (0 for an SVG without a size)."""
    height: int
    """Height in pixels."""
    type: str
    """MIME type: 'image/jpeg', 'image/webp', 'image/avif', 'image/png', 'image/svg+xml', 'image/gif'."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageView:
    """A photo: a listing's or the maker's. makerfront publishes it upright, in several widths
    and formats, with no metadata (never the original file): `srcset()` lists them for the
    browser to choose from."""

    url: str
    """Site-relative URL of the file for `src`: the JPEG about 800 pixels wide (or the photo as
    it is, for an SVG or GIF), percent-encoded (prefix with page.root)."""
    abs_url: str
    """Absolute URL of the JPEG for link previews and structured data (about 1200 pixels wide)."""
    alt: str
    """What the photo shows, as the maker wrote it: for the alt attribute."""
    width: int | None
    """Width of the `url` file in pixels, for the width attribute (None for an SVG without one)."""
    height: int | None
    """Height of the `url` file, for the height attribute: with `width`, the photo's upright shape."""
    full_url: str = ""
    """Site-relative URL of the largest JPEG, for a 'view full size' link."""
    full_width: int | None = None
    """Width of the `full_url` file."""
    full_height: int | None = None
    """Height of the `full_url` file."""
    share_width: int | None = None
    """Width of the `abs_url` file (og:image:width)."""
    share_height: int | None = None
    """Height of the `abs_url` file (og:image:height)."""
    files: tuple[ImageFile, ...] = ()
    """Every published file of the photo, JPEG first, each format by width."""
    types: tuple[str, ...] = ()
    """MIME types made besides JPEG, best first ('image/avif', 'image/webp'): one `<source>` each
    in a `<picture>`."""
    focus: str = "50% 50%"
    """Where a card that crops the photo keeps it, for CSS object-position ('50% 30%')."""

    def srcset(self, root: str, type: str = "image/jpeg") -> str:
        """The `srcset` of the files of one type, each URL prefixed with ``root`` (page.root):
        'root/images/mug-480.jpg 480w, ...'; '' when there are none (an SVG or GIF)."""
        return ", ".join(f"{root}{f.url} {f.width}w" for f in self.files if f.type == type and f.width)


@dataclass(frozen=True, slots=True, kw_only=True)
class OptionView:
    """One option of a choice customization."""

    label: str
    """The option's name, as the buyer sees it."""
    surcharge: int
    """Added to the price when chosen, in minor units (cents); 0 when free."""
    surcharge_text: str
    """'+$4.00', or '' when free."""
    image: ImageView | None = None
    """One of the listing's photos, shown as its main photo when this option is chosen; or None."""
    photo_index: int | None = None
    """Where that photo is in the listing's `images` (from 0): the gallery shows it; or None."""
    swatch: str | None = None
    """A colour swatch, '#rrggbb'; or None."""
    font_url: str | None = None
    """Site-relative URL of the font the preview draws in when this option is chosen; or None."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ConditionView:
    """One condition of a customization's show_if: it is asked only when this holds."""

    field_id: str
    """The HTML id of the field it depends on (its `field_id`)."""
    name: str
    """That field's name, e.g. 'Gift wrap'."""
    test: str
    """'checked', 'unchecked' (a checkbox), 'filled' (text or number), 'one_of' (a choice)."""
    values: tuple[str, ...]
    """one_of: the option labels that show the field."""
    text: str
    """The condition in words, e.g. 'Gift wrap is ticked' or 'Size is 16 oz or 20 oz'."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PreviewView:
    """A live preview of a text customization drawn on a photo of the listing."""

    image: ImageView
    """The photo drawn on (one of the listing's)."""
    area: tuple[int, int, int, int]
    """x, y, width, height of where the text goes, in the pixels of the maker's photo (upright):
    photo_width by photo_height, not the size of the file published (image.width)."""
    photo_width: int
    """Width of the maker's photo (upright), the area's frame."""
    photo_height: int
    """Height of the maker's photo (upright)."""
    font_url: str | None
    """Site-relative URL of the maker's font file, or None for a serif font."""
    colour: str
    """The text's colour, '#rrggbb'."""
    max_size: int
    """Largest letter size, in the photo's pixels."""
    font_field_id: str | None = None
    """The HTML id of the choice whose options change the font (their font_url), or None."""

    @property
    def data(self) -> Mapping[str, Any]:
        """What the preview script needs (print with tojson_attr)."""
        return {
            "image": self.image.url,
            "width": self.photo_width,
            "height": self.photo_height,
            "area": list(self.area),
            "font": self.font_url,
            "colour": self.colour,
            "max": self.max_size,
            "fontField": self.font_field_id,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomizationView:
    """Something the buyer chooses or types on a listing page."""

    key: str
    """Form field name, unique within the listing (made from the name)."""
    field_id: str
    """HTML id for the field's input, e.g. 'opt-colour' (for <label for>)."""
    name: str
    """What the buyer is asked, e.g. 'Colour'."""
    kind: str
    """'choice', 'text', 'number' or 'checkbox'."""
    required: bool
    """Whether the buyer must fill it in (a checkbox never is)."""
    options: tuple[OptionView, ...]
    """A choice's options, in the maker's order; empty for the other kinds."""
    max_length: int | None
    """Text: most characters the buyer may type; None for the other kinds."""
    surcharge: int
    """Text and checkbox: added when used; number: added per unit. Minor units (cents)."""
    surcharge_text: str
    """The surcharge formatted, e.g. '+$6.00' or '+$2.00 each'; '' when free."""
    instructions: str | None
    """Text: a help line shown under the box, or None."""
    minimum: int | None
    """Number: the smallest number allowed; None for the other kinds."""
    maximum: int | None
    """Number: the largest number allowed, or None for no limit."""
    step: int
    """Number: the step between allowed numbers (1 unless the maker set one)."""
    default: str | None = None
    """Choice: the label of the option chosen at first; None: it starts at "Choose…" (required)
    or "None" (optional)."""
    conditions: tuple[ConditionView, ...] = ()
    """When it is asked (every condition holds); empty: always. The page's script hides it
    otherwise; a hidden field is not required, priced, mailed or handed to checkout."""
    allowed_text: str | None = None
    """Text: what the buyer may type, e.g. 'Letters and spaces only.'; None: anything."""
    allowed_note: str | None = None
    """Text: the same as a note in the order mail, e.g. 'letters and spaces only'."""
    condition_text: str | None = None
    """The conditions in words, e.g. 'Only if Gift wrap is ticked.'; None when always asked."""
    condition_note: str | None = None
    """The same as a note in the order mail, e.g. 'only if Gift wrap is ticked'."""
    allowed_pattern: str | None = None
    """Text: the allowed characters as the inside of a JavaScript regular expression's [...]
    (with the u flag), for the page's script; None: anything."""
    preview: PreviewView | None = None
    """Text: its live preview on a photo, or None."""

    @property
    def show_if_data(self) -> list[Mapping[str, Any]]:
        """The conditions for the page's script (print with tojson_attr)."""
        return [{"field": c.field_id, "test": c.test, "values": list(c.values)} for c in self.conditions]

    @property
    def swatches(self) -> bool:
        """Choice: whether it is shown as a group of swatches (an option has a swatch)."""
        return any(o.swatch for o in self.options)

    @property
    def option_photos(self) -> bool:
        """Choice: whether an option shows a photo of its own when chosen."""
        return any(o.image for o in self.options)

    def clamp(self, value: int) -> int:
        """Number: ``value`` moved onto the allowed numbers, as the page's script does."""
        low = self.minimum if self.minimum is not None else 0
        if value < low:
            return low
        value = low + (value - low) // self.step * self.step
        if self.maximum is not None and value > self.maximum:
            value = low + (self.maximum - low) // self.step * self.step
        return value


@dataclass(frozen=True, slots=True, kw_only=True)
class RegionView:
    """Somewhere the maker ships to."""

    name: str
    """e.g. 'United States'."""
    price: int
    """Shipping there, in minor units (cents)."""
    price_text: str
    """e.g. '$8.00', or 'Free'."""
    free_over: int | None
    """Orders of at least this much (minor units) ship there for free; None: never."""
    free_over_text: str | None
    """e.g. '$100.00', or None."""
    countries: tuple[str, ...]
    """Two-letter country codes, for structured data."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ShippingView:
    """Where a listing ships, what it costs and when it ships."""

    regions: tuple[RegionView, ...]
    """Where the maker ships, in the maker's order (empty: not said)."""
    processing_time: str | None
    """Packing and posting time as written, e.g. '1-3 days', or None."""
    ship_days: tuple[int, int] | None
    """Days from the order until it ships (fewest, most): production (made-to-order work whose
    production_time is a time) plus processing; None when not known."""
    ships_text: str | None
    """e.g. 'Ships 8–17 days after your order' (the page's script adds the date), or None."""
    days_text: str | None = None
    """When it ships, e.g. '8–17 days after your order', or None (the script's "Ships by" line)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TagLink:
    """A named link: a listing's tag, or one of the maker's links."""

    name: str
    """The text to show, e.g. 'mugs' or 'Instagram'."""
    url: str
    """Site-relative URL for a tag (prefix with page.root); the full address for a maker's link."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ListingView:
    """An item for sale (or, on its own page only, a private listing)."""

    slug: str
    """The listing's name in its address (its file name without .yaml)."""
    title: str
    """Name of the item."""
    url: str
    """Site-relative URL of the listing page, percent-encoded (as every URL in a view is)."""
    abs_url: str
    """Absolute URL of the listing page."""
    price: str
    """Formatted base price, e.g. '$28.00'."""
    price_minor: int
    """The base price in minor units (2800 for $28.00), for scripts and data attributes."""
    currency: str
    """ISO 4217 code of the price, e.g. 'USD'."""
    digits: int
    """Minor-unit digits of the currency (2 for USD, 0 for JPY), for the price script."""
    images: tuple[ImageView, ...]
    """Every photo, the main one first."""
    image: ImageView | None
    """The main photo (images[0])."""
    description: Markup | StoredHTML
    """Safe HTML (read from the build cache when it is a StoredHTML: print it, or use str())."""
    tags: tuple[TagLink, ...]
    """The listing's tags, linking to their pages."""
    production_time: str | None
    """How long the maker needs to make it, as written (e.g. '1-2 weeks'), or None."""
    order_url: str | None
    """The maker's own checkout address, or None: then the page offers ordering by email."""
    order_contact: OrderContact
    """Who order mails go to (the same for every listing): order_mail and order_mailto are
    made from it when a page asks, not kept for every listing of a large shop."""
    customizations: tuple[CustomizationView, ...]
    """What the buyer chooses or types, in the maker's order."""
    has_surcharges: bool
    """Whether any customization changes the price (the page then shows a live total)."""
    private: bool
    """Whether this is a private listing (only ever true on its own page)."""
    buyer: str | None
    """Private listings: who it is made for; None otherwise."""
    extra: Mapping[str, Any]
    """The listing's `extra:` block, as written, for a theme's own fields."""
    checkout: str = "email"
    """How it is ordered: 'email', 'snipcart', 'paypal' or 'order_url' (a listing beyond a
    provider's limits is ordered by email, see the build's warnings)."""
    availability: str = "made_to_order"
    """'made_to_order' (no stock), 'in_stock' or 'sold' (stock 0)."""
    stock: int | None = None
    """How many are ready to ship; None for work made to order."""
    max_quantity: int | None = None
    """The most a buyer may order at once (the stock, when it is 2 or more); None: one, and no
    quantity field."""
    min_price: str = ""
    """The least the buyer can pay, formatted: price plus the surcharges nobody can avoid."""
    min_price_minor: int = 0
    """min_price in minor units."""
    price_varies: bool = False
    """Whether the buyer's choices can change the price (the page then says 'From ...')."""
    shipping: ShippingView | None = None
    """Where it ships and when; None when the shop says nothing about shipping."""

    @property
    def sold(self) -> bool:
        """Whether it is sold (stock 0): no order action, a "Sold" mark."""
        return self.availability == "sold"

    @property
    def has_conditions(self) -> bool:
        """Whether a customization is asked only sometimes (show_if): the page then has a place
        where appearing fields are announced to screen readers."""
        return any(c.conditions for c in self.customizations)

    @property
    def has_preview(self) -> bool:
        """Whether a text customization has a live preview (the page then loads preview.js)."""
        return any(c.preview for c in self.customizations)

    @property
    def decimal_price(self) -> str:
        """The base price as a plain decimal ('36.00'), as checkouts read it."""
        return decimal_amount(self.price_minor, self.digits)

    @property
    def order_data(self) -> Mapping[str, Any]:
        """What the page's script needs to hand the order over: the provider, the mail parts,
        the order_url template (print with tojson_attr)."""
        data: dict[str, Any] = {
            "provider": self.checkout,
            "mail": self.order_mail,
            "title": self.title,
            "url": self.abs_url,
            "currency": self.currency,
        }
        if self.checkout == "order_url" and self.order_url:
            data["template"] = self.order_url
        return data

    @property
    def order_href(self) -> str | None:
        """order_url filled with what a buyer who chooses nothing orders (the script fills it
        with the buyer's choices); None without an order_url."""
        if not self.order_url:
            return None
        values = {"title": self.title, "url": self.abs_url, "total": self.decimal_price, "currency": self.currency}
        return fill_order_url(self.order_url, values)

    @property
    def snipcart_attributes(self) -> tuple[tuple[str, str], ...]:
        """Snipcart's product attributes (name, value) for the "Add to cart" button: price,
        canonical URL and every customization as a custom field with its price modifiers. Snipcart
        fetches data-item-url to check an order's price and options against these."""
        attrs: list[tuple[str, str]] = [
            ("data-item-id", self.slug),
            ("data-item-name", self.title),
            ("data-item-price", self.decimal_price),
            ("data-item-url", self.abs_url),
            ("data-item-currency", self.currency.lower()),
        ]
        if self.image is not None:
            attrs.append(("data-item-image", self.image.abs_url))
        if self.summary:
            attrs.append(("data-item-description", self.summary))
        if self.max_quantity is not None:
            attrs.append(("data-item-max-quantity", str(self.max_quantity)))
        elif self.stock is not None:
            attrs.append(("data-item-max-quantity", str(self.stock)))
        for i, c in enumerate(self.customizations, start=1):
            prefix = f"data-item-custom{i}"
            attrs.append((f"{prefix}-name", c.name))
            options = snipcart_options(c, self.digits)
            if c.kind == "checkbox":
                attrs.append((f"{prefix}-type", "checkbox"))
            if options is not None:
                attrs.append((f"{prefix}-options", options))
            if c.kind == "text" and c.max_length:
                attrs.append((f"{prefix}-placeholder", f"Up to {c.max_length} characters"))
            if c.required and not c.conditions:  # a field shown only sometimes: the page checks it
                attrs.append((f"{prefix}-required", "true"))
            if c.kind == "choice" and c.default:
                attrs.append((f"{prefix}-value", c.default))
            elif c.kind == "checkbox":
                attrs.append((f"{prefix}-value", "false"))
        return tuple(attrs)

    @property
    def paypal_fields(self) -> tuple[tuple[str, str], ...]:
        """PayPal Payments Standard "Buy Now" fields (name, value) for a buyer who chooses
        nothing; the page's script sets amount, quantity, shipping and the on/os options."""
        fields = [
            ("cmd", "_xclick"),
            ("business", self.order_contact.paypal_email or ""),
            ("item_name", self.title[:127]),
            ("item_number", self.slug),
            ("amount", self.decimal_price),
            ("currency_code", self.currency),
            ("quantity", "1"),
            ("charset", "utf-8"),
            ("no_shipping", "2"),
        ]
        return tuple(fields)

    @property
    def summary(self) -> str:
        """The description as plain text, cut to about 160 characters (made when asked for)."""
        return summarize(plain_text(str(self.description)))

    @property
    def order_mail(self) -> Mapping[str, str]:
        """Parts the script needs to rebuild the order mail: to, subject, intro, outro (in the
        shop's language)."""
        t = self.order_contact.messages
        # (No t.tr inside an f-string: pybabel would not find the message there.)
        intro = [t.tr("Hello %(name)s,", name=self.order_contact.maker), "", t.tr("I would like to order:")]
        outro = ["", t.tr("My name:"), t.tr("Shipping address:")]
        return {
            "to": self.order_contact.email,
            "subject": t.tr("Order: %(title)s", title=self.title),
            "intro": "\n".join([*intro, self.title, self.abs_url, "", ""]),
            "outro": "\n".join([*outro, ""]),
        }

    @property
    def order_mailto(self) -> str:
        """'Order by email' link without options (the page script adds the buyer's choices)."""
        mail = self.order_mail
        body = mail["intro"] + self.order_text_without_script + mail["outro"]
        return mailto(mail["to"], mail["subject"], body)

    @property
    def order_text_without_script(self) -> str:
        """The middle of the order mail for a buyer without JavaScript: a line to fill in for
        each customization (with its options and prices), the price, and the shipping regions."""
        t = self.order_contact.messages
        lines: list[str] = []
        if self.customizations:
            lines.append(t.tr("My choices:"))
            for c in self.customizations:
                when = f" [{c.condition_note}]" if c.condition_note else ""
                if c.kind == "choice":
                    shown = ", ".join(o.label + (f" {o.surcharge_text}" if o.surcharge_text else "") for o in c.options)
                    lines.append(f"- {c.name}{when} ({shown}): ")
                elif c.kind == "checkbox":
                    yes_no = t.tr("yes/no")
                    lines.append(f"- {c.name}{' ' + c.surcharge_text if c.surcharge_text else ''}{when} ({yes_no}): ")
                else:
                    allowed = f" ({c.allowed_note})" if c.allowed_note else ""
                    lines.append(f"- {c.name}{' ' + c.surcharge_text if c.surcharge_text else ''}{when}{allowed}: ")
        if self.price_varies:
            lines.append(t.tr("Price shown: from %(price)s, plus the options I chose", price=self.min_price))
        else:
            lines.append(t.tr("Price shown: %(price)s", price=self.price))
        if self.shipping is not None and self.shipping.regions:
            regions = ", ".join(f"{r.name} {r.price_text}" for r in self.shipping.regions)
            lines.append(t.tr("Ship to (%(regions)s): ", regions=regions))
        return "\n".join(lines) + "\n"


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderContact:
    """Who order mails go to."""

    email: str
    """The shop's contact address (site.yaml contact.email)."""
    maker: str
    """The maker's name, greeted in the mail."""
    paypal_email: str | None = None
    """The PayPal business account (checkout.provider paypal), or None."""
    messages: Messages = ENGLISH
    """The shop's words, for the mail's text."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MakerView:
    """The maker (maker.yaml)."""

    name: str
    """The maker's or the studio's name."""
    photo: ImageView | None
    """A photo of the maker, or None."""
    location: str | None
    """Where the maker works, or None."""
    intro: str | None
    """One or two sentences for the home page, or None."""
    bio: Markup
    """The maker's story, as safe HTML (from Markdown)."""
    links: tuple[TagLink, ...]
    """The maker's links (name and full address), in the maker's order."""
    custom_orders_enabled: bool
    """Whether the maker takes custom orders (then every page offers to ask for one)."""
    accepts: str | None
    """What kinds of custom orders the maker accepts, or None."""
    production_time: str | None
    """Average time to make a custom order, as written, or None."""
    response_time: str
    """How fast the maker answers a request, e.g. '24 hours'."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TagView:
    """A tag and its public listings."""

    name: str
    """The tag as the maker wrote it (the first way it was written)."""
    slug: str
    """The tag's name in its address (tags/<slug>/), in any script."""
    url: str
    """Site-relative URL of the tag's page."""
    listings: tuple[ListingView, ...]
    """Every public listing with this tag; a tag page shows its share in page.listings."""
    count: int = 0
    """len(listings): templates that only need the number should use this (a page that reads
    `listings` is rendered again whenever any listing with the tag changes)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MenuItem:
    """An extra page in the site's menu."""

    title: str
    """The page's title."""
    url: str
    """Site-relative URL of the page."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactView:
    """How buyers reach the maker (site.yaml contact)."""

    email: str
    """Where orders and custom-order requests go (site.yaml contact.email)."""
    form_action: str | None
    """Form endpoint for custom-order requests; None: they are mailed."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckoutView:
    """How buyers pay (site.yaml checkout)."""

    provider: str
    """'email', 'snipcart' or 'paypal'."""
    snipcart_key: str | None
    """Snipcart's public API key (it is public: Snipcart's script reads it in every page)."""
    snipcart_script: str
    """Address of Snipcart's script."""
    snipcart_css: str
    """Address of Snipcart's style sheet."""
    paypal_action: str
    """Where the PayPal Buy Now form posts."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfigView:
    """site.yaml's settings as templates see them (plain values: no paths or source files)."""

    title: str
    """Name of the shop."""
    base_url: str
    """Absolute URL of the site root, ending in '/'."""
    base_path: str
    """The path part of base_url ('/' or '/shop/'), for links that cannot be relative."""
    description: str | None
    """One sentence about the shop, or None."""
    language: str
    """BCP 47 language code of the shop's text, e.g. 'en' or 'zh-CN' (for <html lang>)."""
    currency: str
    """The shop's currency (ISO 4217), e.g. 'USD'."""
    theme: str
    """The theme's name."""
    contact: ContactView
    """How buyers reach the maker."""
    listings_per_page: int
    """Listings on each page of the home page and of each tag page."""
    extra: Mapping[str, Any]
    """site.yaml's `extra:` block, as written (see SiteView.extra for it merged with the theme's)."""
    checkout: CheckoutView | None = None
    """How buyers pay."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteView:
    """The whole shop, the same on every page: `site` in templates."""

    config: ConfigView
    """site.yaml's settings: title, base_url, language, currency, contact, extra..."""
    title: str
    """Name of the shop."""
    maker: MakerView
    """The maker."""
    listings: tuple[ListingView, ...]
    """Public listings only: newest first (by `date:`), undated ones after, then by title."""
    tags: tuple[TagView, ...]
    """Every tag of a public listing, sorted by slug."""
    menu: tuple[MenuItem, ...]
    """The extra pages in the menu, in their order."""
    extra: Mapping[str, Any]
    """Theme defaults merged with site.yaml `extra:`."""
    favicon_url: str | None = None
    """Site-relative URL of site.yaml's favicon (prefix with page.root), or None."""
    favicon_type: str | None = None
    """MIME type of the favicon, e.g. 'image/png' (makerfront publishes a photo as PNG, an SVG as it is)."""
    feed_url: str = "feed.xml"
    """Site-relative URL of the Atom feed of public listings."""
    manifest_url: str = "manifest.webmanifest"
    """Site-relative URL of the web app manifest."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PageLink:
    """One entry of a page list: a page number and its site-relative URL, or a gap ('…')."""

    number: int | None
    """None for a gap between distant page numbers."""
    url: str | None
    """Site-relative URL of that page; None for a gap."""
    current: bool = False
    """Whether this is the page being shown."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PaginationView:
    """Where a page stands in a list split over several pages (home and tag pages)."""

    number: int
    """This page's number, from 1."""
    count: int
    """How many pages the list has (1 for a short list)."""
    prev_url: str | None
    """Site-relative URL (prefix with page.root) of the previous page, or None on the first."""
    next_url: str | None
    """Site-relative URL of the next page, or None on the last."""
    links: tuple[PageLink, ...]
    """The first and last pages and those near this one, with gaps between (for long lists)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SeoView:
    """What search engines and link previews read about a page: `page.seo`."""

    title: str
    """Title for og:title / twitter:title (the page's own title, without the shop name)."""
    description: str
    """Plain text for <meta name="description">, og:description; at most about 160 characters."""
    canonical: str | None = None
    """Absolute URL of the page; None for pages that must not be indexed."""
    og_type: str = "website"
    """og:type: 'website', 'product' on listing pages, 'profile' on the maker's page."""
    image: ImageView | None = None
    """Image for link previews (absolute URL in image.abs_url)."""
    price_amount: str | None = None
    """Decimal price for product:price:amount ('28.00'), on listing pages."""
    price_currency: str | None = None
    """ISO 4217 code for product:price:currency, on listing pages."""
    structured_data: tuple[Mapping[str, Any], ...] = ()
    """schema.org objects, one <script type="application/ld+json"> each."""


EMPTY_SEO = SeoView(title="", description="")
"""The SEO view of a page that has none (private listings, 404)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PageView:
    """The page being rendered: `page` in templates."""

    url: str
    """Site-relative URL of this page, e.g. 'listings/eagle-mug/' ('' for the home page)."""
    abs_url: str
    """Absolute URL of this page."""
    root: str
    """Relative path from this page to the site root ('../../'), to prefix site-relative URLs
    with, so the site works from any folder of any host."""
    kind: str
    """'home', 'listing', 'private_listing', 'tag', 'maker', 'page', 'custom_order' or 'not_found'."""
    title: str
    """The page's own title (without the shop's name)."""
    indexable: bool
    """Whether search engines may index the page (False for private listings and the 404 page)."""
    custom_order_href: str | None
    """'Ask about a Custom Order' link for this page, or None when custom orders are off."""
    body: Markup | None = None
    """Extra pages: their text as safe HTML; None for other pages."""
    seo: SeoView = EMPTY_SEO
    """Meta description, canonical URL, sharing tags and JSON-LD (see seo.py)."""
    private: bool = False
    """True on a private listing's page: no canonical URL, no sharing tags, no referrer."""
    listings: tuple[ListingView, ...] = ()
    """Home and tag pages: the listings on this page (a share of site.listings or tag.listings)."""
    pagination: PaginationView | None = None
    """Home and tag pages: page number, count and links (count is 1 for a short list)."""


class PageContext(TypedDict):
    """Everything a template is given: these four names and nothing else."""

    site: SiteView
    """The whole shop."""
    page: PageView
    """The page being rendered."""
    listing: ListingView | None
    """Listing pages: the listing shown; None on other pages."""
    tag: TagView | None
    """Tag pages: the tag shown; None on other pages."""


def snipcart_options(c: CustomizationView, digits: int) -> str | None:
    """A customization's options as Snipcart reads them, with price modifiers: 'Red|Yellow[+4.00]';
    a checkbox 'true[+5.00]|false'; a priced number its allowed numbers; None for a text field
    and an unpriced number (free text in Snipcart)."""

    def priced(label: str, minor: int) -> str:
        return f"{label}[+{decimal_amount(minor, digits)}]" if minor else label

    # A field shown only sometimes is "None" when it is not shown.
    required = c.required and not c.conditions
    if c.kind == "choice":
        options = [priced(o.label, o.surcharge) for o in c.options]
        return "|".join(options if required else ["None", *options])
    if c.kind == "checkbox":
        return f"{priced('true', c.surcharge)}|false"
    if c.kind == "number" and c.surcharge and c.maximum is not None:
        low = c.minimum if c.minimum is not None else 0
        numbers = [priced(str(n), n * c.surcharge) for n in range(low, c.maximum + 1, c.step)]
        return "|".join(numbers if required else ["None", *numbers])
    return None


# -- the theme author's reference (docs/themes.md) -----------------------------------------------

_INTRO = """\
# Theme reference: what templates receive

<!-- Generated from generator/views.py by `python tools/make_theme_docs.py`: edit the views'
docstrings, not this file. -->

A theme is a folder of [Jinja](https://jinja.palletsprojects.com/) templates and static files
(`themes/NAME/templates/`, `themes/NAME/static/`). Set `theme: NAME` in site.yaml; every template
and file the theme lacks comes from the built-in theme (`generator/themes/default/` in the
package), and `{% extends "theme:listing.html" %}` extends the template yours replaces. A
`themes/default/` folder beside `content/` changes the built-in theme file by file.

Templates render in Jinja's sandbox with autoescaping: they can read the values below and call
Jinja's filters and tests, nothing else (no files, no Python objects). Every page gets four names,
`site`, `page`, `listing` and `tag`; values are ready to print (prices formatted, Markdown as safe
HTML, URLs percent-encoded). Site-relative URLs are printed after `page.root`:
`<a href="{{ page.root }}{{ listing.url }}">`.

The templates: `home.html`, `listing.html` (public and private listings), `tag.html`,
`maker.html`, `page.html` (extra pages), `custom_order.html`, `404.html`, with `base.html` and
`partials/` shared by them. Filters added to Jinja's: `json_ld` (a value as JSON for a
`<script type="application/ld+json">`), `json_script` (JSON for a `<script type="application/json">`
that a page script reads, translations as plain text), `tojson_attr` (JSON for an HTML attribute),
`number` (a number as the shop's language writes it) and `date` (a date so written).

**Every text a buyer reads is translatable** ([jinja2.ext.i18n](https://jinja.palletsprojects.com/en/stable/extensions/#i18n-extension),
new style): write `{{ _("Order by email") }}`, `{{ _("Made by %(name)s", name=site.maker.name) }}`
or `{% trans count=n %}{{ count }} piece{% pluralize %}{{ count }} pieces{% endtrans %}`
(`ngettext()` too; `%(num)s` is the number as the shop's language writes it). Values are escaped;
translations are plain text, never markup, so keep tags out of the message. The messages come from
makerfront's catalogs (`generator/locale/`, one per language, chosen by site.yaml `language:`).
A theme may word any message its own way, or translate its own new messages, in
`themes/NAME/locale/<code>/LC_MESSAGES/makerfront.po` (a gettext catalog: `pybabel init -D makerfront`
and `pybabel extract` make one); it wins over the themes it extends and over makerfront's, and
site.yaml `strings:` win over it. Scripts get their texts translated through a JSON block of the page
(`partials/script_strings.html`), never written in the script. See docs/translating.md.
"""


def _markdown_text(doc: str) -> str:
    """A docstring as Markdown text: HTML it names (<label for>, <meta name="description">) shown
    as code, not rendered or stripped by GitHub; a lone < or > as &lt; &gt;. Code spans are kept."""
    import re

    def outside_code(part: str) -> str:
        part = re.sub(r"[^\s(`]*<[^<>`]*>[^\s`),.;]*", lambda m: f"`{m.group()}`", part)
        pieces = re.split(r"(`[^`]*`)", part)
        return "".join(p if p.startswith("`") else p.replace("<", "&lt;").replace(">", "&gt;") for p in pieces)

    pieces = re.split(r"(`[^`]*`)", doc)
    return "".join(p if p.startswith("`") else outside_code(p) for p in pieces)


def _row(name: str, kind: str, doc: str) -> str:
    bar = "\\|"  # a | inside a Markdown table cell
    return f"| `{name}` | `{kind.replace('|', bar)}` | {_markdown_text(doc).replace('|', bar)} |\n"


def theme_reference() -> str:
    """docs/themes.md: every view and field, with its docstring (read from this file's source)."""
    import ast
    import inspect
    import sys

    module = sys.modules[__name__]
    tree = ast.parse(inspect.getsource(module))
    classes = [n for n in tree.body if isinstance(n, ast.ClassDef)]
    # PageContext (the four names a template gets) first, then the views in this file's order.
    classes.sort(key=lambda n: n.name != "PageContext")
    out = [_INTRO]
    for node in classes:
        name = node.name
        doc = ast.get_docstring(node) or ""
        out.append(f"\n## `{name}`\n\n{doc}\n\n| field | type | meaning |\n|---|---|---|\n")
        body = node.body
        for i, item in enumerate(body):
            if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                field_doc = ""
                following = body[i + 1] if i + 1 < len(body) else None
                if isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant):
                    field_doc = " ".join(str(following.value.value).split())
                out.append(_row(item.target.id, ast.unparse(item.annotation), field_doc))
            elif isinstance(item, ast.FunctionDef) and any(
                isinstance(d, ast.Name) and d.id == "property" for d in item.decorator_list
            ):
                kind = ast.unparse(item.returns) if item.returns else ""
                out.append(_row(item.name, kind, " ".join((ast.get_docstring(item) or "").split())))
            elif isinstance(item, ast.FunctionDef) and not item.name.startswith("_"):
                # A method a template calls, e.g. img.srcset(page.root).
                params = ", ".join(arg.arg for arg in item.args.args[1:])
                kind = ast.unparse(item.returns) if item.returns else ""
                out.append(_row(f"{item.name}({params})", kind, " ".join((ast.get_docstring(item) or "").split())))
    return "".join(out)
