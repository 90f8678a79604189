"""site.yaml -> SiteConfig."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from .errors import ErrorList, SiteError, SourceRef
from .fields import Reader, describe
from .i18n import StringOverride
from .images import FORMATS, ImageSettings
from .load import Mark, RawDoc, YList, YMap
from .schema import CHECKOUT_PROVIDERS, SITE

DEFAULT_IMAGE_SETTINGS = ImageSettings()
DEFAULT_PER_PAGE = 48
"""Listings per page of the home and tag pages: whole rows of 2, 3 or 4 cards."""

_LANGUAGE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")


@dataclass(frozen=True, slots=True, kw_only=True)
class Contact:
    email: str
    """Where orders and custom-order requests are mailed."""
    form_action: str | None
    """Form endpoint for custom-order requests; None means mailto."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Checkout:
    """How buyers pay (site.yaml checkout)."""

    provider: str = "email"
    """'email', 'snipcart' or 'paypal'."""
    snipcart_key: str | None = None
    """Snipcart's public API key (provider snipcart)."""
    paypal_email: str | None = None
    """The PayPal business account's address (provider paypal)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Region:
    """Somewhere the maker ships to, and what it costs."""

    name: str
    price: int
    """Minor units of the currency of the prices it applies to."""
    free_over: int | None = None
    """Orders of at least this much (minor units) ship there for free."""
    countries: tuple[str, ...] = ()
    """ISO 3166 codes, for search engines (schema.org DefinedRegion)."""

    def cost(self, subtotal: int) -> int:
        """What shipping an order of ``subtotal`` there costs."""
        return 0 if self.free_over is not None and subtotal >= self.free_over else self.price


@dataclass(frozen=True, slots=True, kw_only=True)
class Shipping:
    """Where the maker ships, what it costs and how long packing takes (site.yaml shipping, or a
    listing's own)."""

    processing_time: str | None = None
    """As written, e.g. '1-3 days'."""
    processing_days: tuple[int, int] | None = None
    """processing_time in days (fewest, most)."""
    regions: tuple[Region, ...] = ()
    currency: str = "USD"
    """The currency its prices are written in."""


NO_SHIPPING = Shipping()


_DURATION = re.compile(
    r"^\s*(?:about\s+|up\s+to\s+)?(\d{1,3})(?:\s*(?:-|–|to)\s*(\d{1,3}))?\s*"
    r"(business\s+days?|working\s+days?|days?|weeks?|months?)\s*$",
    re.IGNORECASE,
)
_DAYS_IN = {"day": 1, "week": 7, "month": 30}


def duration_days(text: str | None) -> tuple[int, int] | None:
    """'1-2 weeks' -> (7, 14), '3 days' -> (3, 3), 'up to 5 working days' -> (5, 5) (working
    days counted as days: an estimate that errs late); None for text that is not a duration."""
    if not text or (m := _DURATION.match(text)) is None:
        return None
    low = int(m[1])
    high = int(m[2]) if m[2] else low
    if high < low:
        return None
    unit = m[3].lower().split()[-1].rstrip("s")
    scale = _DAYS_IN[unit]
    if m[3].lower().startswith(("business", "working")):
        # Five working days are a week.
        return ((low * 7 + 4) // 5, (high * 7 + 4) // 5)
    return (low * scale, high * scale)


def _country_codes() -> frozenset[str]:
    from babel import Locale

    codes: list[str] = [str(code) for code in Locale.parse("en").territories]
    return frozenset(code for code in codes if code.isalpha() and len(code) == 2)


def read_shipping(sr: Reader, currency: str, base: Shipping | None = None) -> Shipping:
    """A `shipping:` block; with ``base`` (the shop's), the fields it leaves out come from there."""
    processing = sr.text("processing_time")
    days = duration_days(processing)
    if processing is not None and days is None:
        sr.error(
            "processing_time",
            f'{sr.field("processing_time")}: expected a time such as "1-3 days" or "2 weeks", got "{processing}"',
        )
    regions: list[Region] = []
    raw = sr.sequence("regions")
    if raw is not None:
        if not raw:
            sr.error("regions", f"{sr.field('regions')}: list at least one region, or leave the line out")
        seen: dict[str, int] = {}
        for i, item in enumerate(raw):
            if not isinstance(item, YMap):
                sr.error_at(raw.marks[i], f"{sr.field('regions')}[{i}]: expected 'name:' and 'price:' lines")
                continue
            rr = sr.child("regions", i, item)
            name = rr.req_text("name")
            price = rr.money("price", currency, required=True)
            free_over = rr.money("free_over", currency)
            countries: list[str] = []
            if (codes := rr.sequence("countries")) is not None:
                known = _country_codes()
                for j, code in enumerate(codes):
                    text = str(code).strip().upper() if isinstance(code, str) else ""
                    if text not in known:
                        rr.error_at(
                            codes.marks[j],
                            f"{rr.field('countries')}[{j}]: expected a two-letter country code such as US, GB or DE, "
                            f"got {describe(code)}",
                        )
                        continue
                    countries.append(text)
            rr.done()
            if name and name.casefold() in seen:
                rr.error(
                    "name", f'{rr.field("name")}: "{name}" is already {sr.field("regions")}[{seen[name.casefold()]}]'
                )
            if not rr.ok or price is None:
                sr.ok = False
                continue
            seen[name.casefold()] = i
            regions.append(Region(name=name, price=price, free_over=free_over, countries=tuple(countries)))
    sr.done()
    if base is None:
        return Shipping(processing_time=processing, processing_days=days, regions=tuple(regions), currency=currency)
    return Shipping(
        processing_time=processing if processing is not None else base.processing_time,
        processing_days=days if processing is not None else base.processing_days,
        regions=tuple(regions) if raw is not None else base.regions,
        currency=currency if raw is not None else base.currency,
    )


def _checkout(r: Reader) -> Checkout:
    cr = r.mapping("checkout")
    if cr is None:
        return Checkout()
    provider = cr.text("provider", default="email") or "email"
    if provider not in CHECKOUT_PROVIDERS:
        import difflib

        close = difflib.get_close_matches(provider, CHECKOUT_PROVIDERS, n=1)
        cr.error(
            "provider",
            f'checkout.provider: unknown checkout "{provider}"',
            hint=(f"did you mean '{close[0]}'? " if close else "") + "use one of: " + ", ".join(CHECKOUT_PROVIDERS),
        )
        provider = "email"
    key = cr.text("snipcart_key")
    if key is not None and not re.fullmatch(r"[A-Za-z0-9_=+/.-]{8,300}", key):
        cr.error(
            "snipcart_key",
            f"checkout.snipcart_key: expected Snipcart's public API key, got {describe(key)}",
            hint="copy it from Snipcart's dashboard: Account, API keys, Public test (or live) API key",
        )
    paypal = cr.email("paypal_email")
    needs = {"snipcart": ("snipcart_key", key), "paypal": ("paypal_email", paypal)}
    for name, (field, value) in needs.items():
        if provider == name and value is None and not cr.has(field):
            cr.error(
                None, f"checkout.{field}: provider {name} needs it", hint=f"add a line '{field}: ...' under checkout:"
            )
        elif provider != name and cr.has(field):
            cr.error(
                field,
                f"checkout.{field}: only used with 'provider: {name}' (the provider is {provider})",
                hint=f"remove this line, or set 'provider: {name}'",
            )
    cr.done()
    return Checkout(provider=provider, snipcart_key=key, paypal_email=paypal)


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteConfig:
    title: str
    """Shop name, shown on every page."""
    base_url: str
    """Absolute URL of the site root, always ending in '/'."""
    base_path: str
    """Path part of base_url ('/' or '/shop/'), for links that cannot be relative (404.html)."""
    description: str | None
    language: str
    """BCP 47 language tag for <html lang> and price formatting."""
    currency: str
    """Default ISO 4217 currency of prices."""
    theme: str
    """Theme folder name under themes/."""
    contact: Contact
    favicon: Path | None
    """Content-relative path of the favicon image."""
    extra: Mapping[str, Any]
    """Theme-specific settings, passed through untouched."""
    source: SourceRef
    listings_per_page: int = 48
    """Listings on each page of the home page and of every tag page; more make further pages."""
    favicon_line: int = 0
    """Line of site.yaml that names the favicon, for messages about it."""
    images: ImageSettings = DEFAULT_IMAGE_SETTINGS
    """How photos are published: widths, formats and quality (site.yaml `images:`)."""
    strings: tuple[StringOverride, ...] = ()
    """The maker's own wording of messages of the shop (site.yaml `strings:`), checked against
    the catalogs when the build loads them (i18n.load_messages)."""
    modified: float = 0.0
    """Modification time of site.yaml (seconds since the epoch), for sitemap and feed dates."""
    checkout: Checkout = Checkout()
    """How buyers pay."""
    shipping: Shipping = NO_SHIPPING
    """Where the maker ships and what it costs (no regions: not said)."""
    show_sold: bool = True
    """Whether the home and tag pages list sold work."""


def freeze(value: Any) -> Any:
    """Read-only copies of YAML data for `extra` mappings."""
    if isinstance(value, YMap | dict):
        return MappingProxyType({k: freeze(v) for k, v in value.items()})
    if isinstance(value, YList | list):
        return tuple(freeze(v) for v in value)
    return value


# Characters that may not appear in a URL at all (RFC 3986); they would also need escaping in HTML.
_URL_FORBIDDEN = set('<>"{}|\\^`')


def base_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a site's base_url, or None when it can. Shared by site.yaml and
    the --base-url flag, so both accept exactly the same addresses."""
    if not url or any(c.isspace() for c in url) or any(c in _URL_FORBIDDEN for c in url):
        return f"expected a full web address such as https://you.example/ or https://you.github.io/shop/, got {url!r}"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return f"expected a full web address such as https://you.example/, got {url!r}"
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return f"expected a full web address starting with https:// or http://, got {url!r}"
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        return f"must not contain '?' or '#', got {url!r}"
    if parts.username is not None or parts.password is not None:
        return f"must not contain a user name or password, got {url!r}"
    return None


def language_problem(code: str) -> str | None:
    """Why ``code`` cannot be a site's language, or None when it can."""
    if not _LANGUAGE.match(code):
        return f'expected a language code such as en or fr-CA, got "{code}"'
    return None


def normalize_base_url(url: str) -> str:
    """Ends in '/', with the path percent-encoded (sitemaps and feeds need ASCII URLs).
    Already-encoded '%XX' sequences are kept as they are."""
    parts = urlsplit(url)
    path = quote(parts.path, safe="/%:@!$&'()*+,;=-._~")
    if not path.endswith("/"):
        path += "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc, path, "", ""))


def load_config(
    doc: RawDoc, errors: ErrorList, content_root: Path, base_url_override: str | None = None
) -> SiteConfig | None:
    if not isinstance(doc.data, YMap):
        errors.add(expected_mapping(doc))
        return None
    r = Reader(doc.data, doc.path, errors, content_root=content_root, spec=SITE)
    title = r.req_text("title")
    base_url = r.url("base_url", required=True)
    if base_url is not None and (problem := base_url_problem(base_url)) is not None:
        r.error("base_url", f"base_url: {problem}")
        base_url = None
    if base_url_override is not None:
        # The CLI checks --base-url before building; this guards other callers of the pipeline.
        if (problem := base_url_problem(base_url_override)) is not None:
            errors.add(SiteError(f"--base-url: {problem}"))
        base_url = base_url_override if problem is None else None
    description = r.text("description")
    language = r.text("language", default="en") or "en"
    if (problem := language_problem(language)) is not None:
        r.error("language", f"language: {problem}")
        language = "en"
    currency = r.currency("currency", "USD")
    theme = r.text("theme", default="default") or "default"
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}", theme) or ".." in theme:  # a folder name
        r.error("theme", f'theme: expected the name of a folder in themes/, got "{theme}"')
        theme = "default"
    contact_r = r.mapping("contact", required=True)
    email, form_action = None, None
    if contact_r is not None:
        email = contact_r.email("email", required=True)
        form_action = contact_r.url("form_action")
        contact_r.done()
    favicon = r.content_path("favicon")
    per_page = r.integer("listings_per_page", default=DEFAULT_PER_PAGE, minimum=1) or DEFAULT_PER_PAGE
    images = _image_settings(r)
    checkout = _checkout(r)
    shipping = read_shipping(sr, currency) if (sr := r.mapping("shipping")) is not None else NO_SHIPPING
    show_sold = r.boolean("show_sold", default=True)
    strings = _strings(r, doc.path)
    extra = r.raw_value("extra", False)
    r.done()
    if not r.ok or base_url is None or email is None:
        return None
    base = normalize_base_url(base_url)
    return SiteConfig(
        title=title,
        base_url=base,
        base_path=urlsplit(base).path or "/",
        description=description,
        language=language,
        currency=currency,
        theme=theme,
        contact=Contact(email=email, form_action=form_action),
        favicon=favicon,
        extra=freeze(extra if isinstance(extra, YMap) else {}),
        source=SourceRef(path=doc.path, line=1),
        listings_per_page=per_page,
        images=images,
        favicon_line=r.mark_of("favicon").line if favicon else 0,
        strings=strings,
        modified=doc.path.stat().st_mtime,
        checkout=checkout,
        shipping=shipping,
        show_sold=show_sold,
    )


MAX_IMAGE_WIDTH = 4096
"""The widest photo file makerfront makes: no screen shows more."""


def _image_settings(r: Reader) -> ImageSettings:
    """site.yaml `images:`; each mistake reported at its line, the default kept for it."""
    default = ImageSettings()
    ir = r.mapping("images")
    if ir is None:
        return default
    widths = default.widths
    raw = ir.sequence("widths")
    if raw is not None:
        found: list[int] = []
        for i, item in enumerate(raw):
            if isinstance(item, bool) or not isinstance(item, int) or not 16 <= item <= MAX_IMAGE_WIDTH:
                ir.error_at(
                    raw.marks[i],
                    f"images.widths[{i}]: expected a width in pixels from 16 to {MAX_IMAGE_WIDTH}, "
                    f"got {ir.as_typed('widths', item) if not isinstance(item, int) else item}",
                    hint="for example  widths: [480, 800, 1200, 1600]",
                )
                continue
            found.append(item)
        if not raw:
            ir.error("widths", "images.widths: give at least one width, e.g. [480, 800, 1200, 1600]")
        elif found:
            widths = tuple(sorted(set(found)))
    formats = default.formats
    raw = ir.sequence("formats")
    if raw is not None:
        names: list[str] = []
        for i, item in enumerate(raw):
            name = item.lower() if isinstance(item, str) else None
            if name == "jpg":
                name = "jpeg"
            if name is None or name not in FORMATS:
                ir.error_at(
                    raw.marks[i],
                    f"images.formats[{i}]: expected one of {', '.join(FORMATS)}, got {ir.as_typed('formats', item)}",
                )
                continue
            names.append(name)
        if "jpeg" not in names and len(names) == len(raw):
            ir.error(
                "formats",
                "images.formats: jpeg is always made (every browser and link preview reads it), so it must be listed",
                hint="for example  formats: [webp, jpeg]  or  formats: [avif, webp, jpeg]",
            )
        elif names:
            formats = tuple(sorted(set(names), key=list(FORMATS).index))
    quality = ir.integer("quality", default=default.quality, minimum=1) or default.quality
    if quality > 100:
        ir.error("quality", f"images.quality: expected a number from 1 to 100, got {quality}")
        quality = default.quality
    ir.done()
    return ImageSettings(widths=widths, formats=formats, quality=quality)


def _strings(r: Reader, path: Path) -> tuple[StringOverride, ...]:
    """site.yaml `strings:`: English text of the shop -> the maker's wording (a list: one per
    plural form, singular first)."""
    sr = r.mapping("strings")
    if sr is None:
        return ()
    out: list[StringOverride] = []
    for key, value in sr.data.items():
        mark = sr.mark_of(key)
        texts: list[str] = []
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            texts = [str(value)]
        elif isinstance(value, YList) and value and all(isinstance(v, str) for v in value):
            texts = [str(v) for v in value]
        else:
            sr.error_at(
                mark,
                f'strings: "{key}": expected your wording of this text (or a list, one per plural form), '
                f"got {describe(value)}",
            )
            continue
        if not all(t.strip() for t in texts):
            sr.error_at(mark, f'strings: "{key}": the wording is empty', hint="write the text, or remove the line")
            continue
        at_key = sr.mark_of(key, value=False)
        out.append(
            StringOverride(
                msgid=str(key),
                text=tuple(texts),
                source=SourceRef(path=path, line=mark.line, column=mark.column),
                key=SourceRef(path=path, line=at_key.line, column=at_key.column),
            )
        )
    return tuple(out)


def expected_mapping(doc: RawDoc) -> SiteError:
    # Point at the list that stands where the fields should be; a lone value sits on line 1.
    mark = doc.data.mark if isinstance(doc.data, YList) else Mark(1, 1)
    if doc.data is None:
        return SiteError(
            "the file is empty; expected 'name: value' lines",
            path=doc.path,
            line=1,
            column=1,
            hint="see docs/content.md for the fields this file needs",
        )
    return SiteError(
        "expected 'name: value' lines at the top level of the file "
        f"(found {'a list' if isinstance(doc.data, list) else 'a single value'})",
        path=doc.path,
        line=mark.line,
        column=mark.column,
    )
