"""Parsed content -> the frozen, validated Site. Markdown becomes safe Markup here."""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Protocol

from markupsafe import Markup

from . import images
from .config import NO_SHIPPING, Shipping, SiteConfig, expected_mapping, freeze, load_config, read_shipping
from .errors import ErrorList, SiteError, SourceRef, display_path
from .fields import MISSING, FileChecks, Reader, checked, describe
from .load import ContentFiles, Mark, RawDoc, YList, YMap, load_yaml_file
from .schema import ALLOWED_WORDS, CUSTOMIZATION, CUSTOMIZATION_KINDS, FONT_SUFFIXES, LISTING, MAKER, OPTION, PAGE
from .text import markdown_html, markdown_key, plain_text, render_markdown, same_tag, slugify

Kind = Literal["choice", "text", "number", "checkbox"]
KINDS: tuple[Kind, ...] = CUSTOMIZATION_KINDS  # type: ignore[assignment]
MakerKind = Literal["person", "business"]
DEFAULT_TEXT_MAX = 100
MAX_TAG_BYTES = 200
"""Longest tag slug, in UTF-8 bytes (a folder name may have 255)."""
RESERVED_PAGE_SLUGS = frozenset(
    {"listings", "tags", "maker", "custom-order", "p", "static", "images", "404", "feed",
     "sitemap", "robots", "index", "search", "media"}
)  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class Image:
    src: Path
    """Path relative to content/."""
    alt: str
    """Text alternative; required for every product photo."""
    width: int | None
    """Width of the photo as shown (upright: its EXIF orientation applied); None for an SVG."""
    height: int | None
    focus: str | None = None
    """Where a card that crops the photo keeps it: a CSS position such as '50% 30%' (listing
    photos' `focus:`), or None for the middle."""
    where: SourceRef | None = dataclass_field(default=None, compare=False)
    """The line that names the photo, for messages about it (not part of what the photo is)."""
    field_name: str = dataclass_field(default="", compare=False)
    """The field on that line, e.g. 'images[0].src'."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Link:
    name: str
    url: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomOrders:
    enabled: bool
    accepts: str | None
    production_time: str | None
    response_time: str | None
    """As the maker wrote it; None: not said (the shop shows "24 hours" in its language)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Maker:
    name: str
    photo: Image | None
    location: str | None
    intro: str | None
    bio: Markup
    links: tuple[Link, ...]
    custom_orders: CustomOrders
    extra: Mapping[str, Any]
    source: SourceRef
    kind: MakerKind = "person"
    """'person' or 'business' (a studio, workshop, company): schema.org Person or Organization."""
    modified: float = 0.0
    """Modification time of maker.yaml (seconds since the epoch)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Option:
    label: str
    surcharge: int
    """Minor units added to the price when chosen."""
    image: Path | None = None
    """One of the listing's photos (its src), shown when this option is chosen."""
    swatch: str | None = None
    """A colour swatch, '#rrggbb' (lower case)."""
    font: Path | None = None
    """A font file in content/: the listing's preview draws in it when this option is chosen."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Condition:
    """One line of a customization's show_if: it is asked only when ``field`` has this answer."""

    field: str
    """The key of the customization it depends on."""
    name: str
    """That customization's name, as the maker wrote it."""
    test: Literal["checked", "unchecked", "filled", "one_of"]
    """'checked'/'unchecked' (a checkbox), 'filled' (text or number not empty), 'one_of' (a choice)."""
    values: tuple[str, ...] = ()
    """one_of: the option labels that show it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Preview:
    """A text customization drawn live on a photo of the listing."""

    image: Path
    """One of the listing's photos (its src)."""
    area: tuple[int, int, int, int]
    """x, y, width, height of where the text goes, in the photo's pixels."""
    font: Path | None
    """The maker's font file in content/, or None for a serif font."""
    colour: str
    """'#rrggbb'."""
    max_size: int
    """Largest letter size, in the photo's pixels."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Customization:
    key: str
    """Form field name, unique within the listing."""
    name: str
    kind: Kind
    required: bool
    options: tuple[Option, ...] = ()
    max_length: int | None = None
    surcharge: int = 0
    """Flat surcharge (text, checkbox) or per unit (number)."""
    instructions: str | None = None
    minimum: int | None = None
    maximum: int | None = None
    step: int = 1
    default: str | None = None
    """Choice: the label of the option chosen at first; None: the buyer must choose."""
    show_if: tuple[Condition, ...] = ()
    """When it is asked: every condition holds (none: always). A field not asked is not
    required, priced, mailed or handed to checkout."""
    allowed: str | tuple[str, ...] | None = None
    """Text: 'letters', 'letters_digits', the characters allowed, or None for anything."""
    preview: Preview | None = None
    """Text: drawn live on a photo of the listing."""

    def clamp(self, value: int) -> int:
        """Number: ``value`` moved onto the allowed numbers (min, max and the steps from min),
        as the page's script does before pricing it."""
        low = self.minimum if self.minimum is not None else 0
        if value < low:
            return low
        value = low + (value - low) // self.step * self.step
        if self.maximum is not None and value > self.maximum:
            value = low + (self.maximum - low) // self.step * self.step
        return value


@dataclass(frozen=True, slots=True, kw_only=True)
class Tag:
    name: str
    slug: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Listing:
    slug: str
    title: str
    price: int
    """Minor units of ``currency`` (cents)."""
    currency: str
    images: tuple[Image, ...]
    description: Markup | StoredHTML
    """Safe HTML; in a build with a build cache, left in its text store (StoredHTML)."""
    tags: tuple[Tag, ...]
    production_time: str | None
    order_url: str | None
    private: bool
    buyer: str | None
    expires: date | None
    public_mentions: bool
    """`public_mentions: allowed`: the title and buyer may appear on public pages (guard.py)."""
    date: date | None
    customizations: tuple[Customization, ...]
    extra: Mapping[str, Any]
    source: SourceRef
    modified: float
    """Modification time of the listing file (seconds since the epoch)."""
    stock: int | None = None
    """How many are ready to ship; 0: sold; None: made to order."""
    shipping: Shipping = NO_SHIPPING
    """The shop's shipping, or this listing's own."""
    checkout: str = "email"
    """How this listing is ordered: 'email', 'snipcart', 'paypal' or 'order_url' (the shop's
    provider, unless the listing has an order_url or does not fit the provider's limits)."""

    @property
    def sold(self) -> bool:
        return self.stock == 0

    @property
    def fonts(self) -> tuple[Path, ...]:
        """The font files its preview uses (content-relative, in order, each once): published with
        its page, like its photos."""
        found: dict[Path, None] = {}
        for c in self.customizations:
            if c.preview is not None and c.preview.font is not None:
                found[c.preview.font] = None
            for o in c.options:
                if o.font is not None:
                    found[o.font] = None
        return tuple(found)

    # Made from `description` when asked for, not kept: a large shop's worth of it is many
    # megabytes, in the build process and again in each worker process that reads it.
    @property
    def description_text(self) -> str:
        """Plain text of the description."""
        return plain_text(str(self.description))


@dataclass(frozen=True, slots=True, kw_only=True)
class Page:
    slug: str
    title: str
    order: int
    menu: bool
    body: Markup
    source: SourceRef
    modified: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Site:
    config: SiteConfig
    maker: Maker
    listings: tuple[Listing, ...]
    """Every listing, public and private, sorted by slug. Only plan.py decides what is shown."""
    pages: tuple[Page, ...]
    content_root: Path


# -- text kept out of memory ----------------------------------------------------------------


class StoredHTML:
    """Safe HTML (a rendered description) kept in a file instead of in memory: the text store
    of the build cache (buildcache.TextStore) makes them, and a large shop's descriptions are
    then read back one at a time, by the page that shows each. Jinja prints it through
    ``__html__`` (it is already safe HTML); ``str()`` reads it too.

    Two are equal when their keys are: the key is a hash of the Markdown source and of the code
    that rendered it (text.markdown_key), so equal keys mean equal HTML. ``repr`` shows the key
    alone, which compares pages' inputs (depends.py) without reading the file."""

    # Private names: a theme (in Jinja's sandbox, which refuses names starting with _) must not
    # print where the cache is on the maker's computer.
    __slots__ = ("_key", "_length", "_offset", "_path")

    def __init__(self, path: str, offset: int, length: int, key: bytes) -> None:
        self._path = path
        self._offset = offset
        self._length = length
        self._key = key

    def __html__(self) -> str:
        with open(self._path, "rb", buffering=0) as file:
            file.seek(self._offset)
            data = file.read(self._length)
        if len(data) != self._length:
            raise OSError(f"the build cache file {self._path} was cut short; delete the cache folder and build again")
        return data.decode("utf-8")

    def __str__(self) -> str:
        return self.__html__()

    def __len__(self) -> int:
        return len(self.__html__())

    def __bool__(self) -> bool:
        return self._length > 0  # no need to read it: empty HTML is zero bytes

    def __repr__(self) -> str:
        return f"StoredHTML({self._key.hex()})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, StoredHTML):
            return self._key == other._key
        if isinstance(other, str):
            return self.__html__() == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._key)

    def __reduce__(self) -> tuple[Any, ...]:
        return (StoredHTML, (self._path, self._offset, self._length, self._key))


class TextShelf(Protocol):
    """Where rendered Markdown is kept out of memory, by markdown_key (buildcache.TextStore)."""

    def find(self, key: bytes) -> StoredHTML | None: ...

    def add(self, key: bytes, html: str) -> StoredHTML: ...


def description_html(text: str, texts: TextShelf | None) -> Markup | StoredHTML:
    """Safe HTML for a maker's Markdown; with a text shelf, found on it or put on it."""
    if texts is None:
        return Markup(markdown_html(text))
    key = markdown_key(text)
    found = texts.find(key)
    return found if found is not None else texts.add(key, markdown_html(text))


@dataclass(frozen=True)
class Reading:
    """What the listings of one build share while they are read: the files they name, each
    checked once (fields.FileChecks), and, when the build has a cache, the shelf their rendered
    descriptions stay on (a Listing's description is then a StoredHTML)."""

    checks: FileChecks = dataclasses.field(default_factory=FileChecks)
    texts: TextShelf | None = None


# -- images -----------------------------------------------------------------------------------


_Header = images.Header | images.PhotoError


def _image_header(path: Path, checks: FileChecks | None) -> _Header:
    return checked(checks, ("image header", path), lambda: _read_image_header(path))


def _read_image_header(path: Path) -> _Header:
    if path.suffix.lower() == ".svg":
        return images.Header(0, 0, "SVG")
    try:
        st = os.stat(path)
    except OSError:
        return images.PhotoError("this file does not exist")
    # Many listings share a photo; read each file's header once per version of the file.
    return _cached_header(path, st.st_size, st.st_mtime_ns, st.st_ino)


@lru_cache(maxsize=4096)
def _cached_header(path: Path, size: int, mtime_ns: int, inode: int) -> _Header:
    try:
        return images.read_header(path)
    except images.PhotoError as exc:
        return exc


def read_image(
    r: Reader, rel: Path, alt: str, mark: Mark, field: str, focus: str | None = None, listing: bool = False
) -> Image | None:
    """A photo named at ``mark``: its upright size from its header. A file that is not a photo
    makerfront publishes is an error; a listing photo that is small or a thin strip, a warning."""
    assert r.content_root is not None
    header = _image_header(r.content_root / rel, r.checks)
    if isinstance(header, images.PhotoError):
        message = header.message if header.message.startswith("this") else f"{rel.as_posix()} {header.message}"
        r.error_at(mark, f"{field}: {message}", hint=header.hint)
        return None
    width, height = (header.width, header.height) if header.width else (None, None)
    if listing:
        for note in images.photo_warnings(width, height):
            r.errors.warnings.append(SiteError(f"{field}: {note}", path=r.path, line=mark.line, column=mark.column))
    return Image(
        src=rel,
        alt=alt,
        width=width,
        height=height,
        focus=focus,
        where=SourceRef(path=r.path, line=mark.line, column=mark.column),
        field_name=field,
    )


# -- Markdown ---------------------------------------------------------------------------------

_MD_IMAGE = re.compile(r"!\[[^\]\n]*\]\s*[(\[]")


def markdown_field(r: Reader, key: str) -> Markup:
    """A Markdown field as safe HTML. Pictures inside the text would be dropped by the sanitizer,
    so they are reported instead of vanishing."""
    return render_markdown(_markdown_source(r, key))


def _markdown_source(r: Reader, key: str) -> str:
    text = r.text(key) or ""
    if (match := _MD_IMAGE.search(text)) is not None:
        start = r.mark_of(key)
        # A block scalar (`description: |`) starts on the line after its mark.
        mark = Mark(start.line + 1 + text[: match.start()].count("\n"), 1) if "\n" in text else start
        r.error_at(
            mark,
            f"{r.field(key)}: pictures inside the text are not shown",
            hint="list photos under 'images:' instead (listings), or use a link [text](https://...)",
        )
    return text


# -- maker ------------------------------------------------------------------------------------


def load_maker(doc: RawDoc, errors: ErrorList, root: Path) -> Maker | None:
    if not isinstance(doc.data, YMap):
        errors.add(expected_mapping(doc))
        return None
    r = Reader(doc.data, doc.path, errors, content_root=root, spec=MAKER)
    name = r.req_text("name")
    photo = None
    if (rel := r.content_path("photo")) is not None:
        photo = read_image(r, rel, f"Portrait of {name}", r.mark_of("photo"), "photo")
    kind_text = r.text("kind", default="person") or "person"
    kind: MakerKind = "person"
    if kind_text == "business":
        kind = "business"
    elif kind_text not in MAKER["kind"].enum:
        r.error("kind", f'kind: expected "person" or "business", got "{kind_text}"')
    location = r.text("location")
    intro = r.text("intro")
    bio = markdown_field(r, "bio")
    links: list[Link] = []
    if (lr := r.mapping("links")) is not None:
        for key in lr.data:
            url = lr.url(key)
            if url is not None:
                links.append(Link(name=key, url=url))
    co = r.mapping("custom_orders", required=True)
    custom = CustomOrders(enabled=False, accepts=None, production_time=None, response_time=None)
    if co is not None:
        custom = CustomOrders(
            enabled=co.boolean("enabled", default=False, required=True),
            accepts=co.text("accepts"),
            production_time=co.text("production_time"),
            response_time=co.text("response_time"),
        )
        co.done()
    extra = r.raw_value("extra", False)
    r.done()
    if not r.ok:
        return None
    return Maker(
        name=name,
        photo=photo,
        location=location,
        intro=intro,
        bio=bio,
        links=tuple(links),
        custom_orders=custom,
        extra=freeze(extra if isinstance(extra, YMap) else {}),
        source=SourceRef(path=doc.path, line=1),
        kind=kind,
        modified=doc.path.stat().st_mtime,
    )


# -- listings ---------------------------------------------------------------------------------


def _colour(r: Reader, key: str, default: str | None = None) -> str | None:
    """A colour written #rgb or #rrggbb, as '#rrggbb' in lower case."""
    value = r.text(key)
    if value is None and key in r.data:
        r.error(
            key,
            f'{r.field(key)}: expected a colour such as "#e8c547", got nothing',
            hint='put it in quotes: "#e8c547" (without them YAML reads # and what follows as a comment)',
        )
        return default
    if value is None:
        return default
    if not re.fullmatch(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})", value):
        hint = 'put it in quotes: "#e8c547" (without them YAML reads # as a comment)' if not value else None
        r.error(key, f'{r.field(key)}: expected a colour such as "#e8c547", got {describe(value)}', hint=hint)
        return default
    if len(value) == 4:
        value = "#" + "".join(ch * 2 for ch in value[1:])
    return value.lower()


_FONT_MAGIC = (b"wOF2", b"wOFF", b"\x00\x01\x00\x00", b"OTTO", b"true")


def _font_problem(path: Path) -> str | None:
    try:
        with open(path, "rb") as f:
            head = f.read(4)
    except OSError as exc:
        return (exc.strerror or str(exc)).lower()
    return None if head in _FONT_MAGIC else "is not a font file (WOFF2, WOFF, TrueType or OpenType)"


def _font(r: Reader, key: str) -> Path | None:
    """A font file of the maker's in content/, checked to be one."""
    rel = r.content_path(key)
    if rel is None:
        return None
    if rel.suffix.lower() not in FONT_SUFFIXES:
        r.error(
            key,
            f"{r.field(key)}: expected a font file ending in "
            + ", ".join(FONT_SUFFIXES)
            + f", got {describe(rel.as_posix())}",
        )
        return None
    assert r.content_root is not None
    root = r.content_root
    problem = checked(r.checks, ("font", root, rel), lambda: _font_problem(root / rel))
    if problem is not None:
        r.error(
            key,
            f"{r.field(key)}: {rel.as_posix()} {problem}",
            hint="use the .woff2 file of the font (or .woff, .ttf, .otf)",
        )
        return None
    return rel


def _listing_photo(r: Reader, key: str, photos: Mapping[Path, Image]) -> Path | None:
    """One of the listing's photos, named by its src."""
    rel = r.content_path(key)
    if rel is None:
        return None
    if rel not in photos:
        r.error(
            key,
            f"{r.field(key)}: {rel.as_posix()} is not one of this listing's photos",
            hint="add it under 'images:' with alt text saying what it shows",
        )
        return None
    return rel


def _options(r: Reader, cr: Reader, currency: str, photos: Mapping[Path, Image]) -> tuple[Option, ...]:
    raw = cr.sequence("options", required=True)
    if raw is None:
        return ()
    if not raw:
        cr.error("options", f"{cr.field('options')}: a choice needs at least one option")
        return ()
    out: list[Option] = []
    seen: dict[str, int] = {}
    options_field = cr.field("options")
    for i, item in enumerate(raw):
        mark = raw.marks[i]
        field = f"{options_field}[{i}]"
        if isinstance(item, YMap):
            orr = Reader(item, cr.path, cr.errors, f"{field}.", cr.content_root, OPTION, cr.checks)
            label = orr.req_text("label")
            surcharge = orr.money("price", currency) or 0
            image = _listing_photo(orr, "image", photos)
            swatch = _colour(orr, "swatch")
            font = _font(orr, "font")
            orr.done()
            if not orr.ok:
                cr.ok = False
                continue
        elif isinstance(item, (str, int, float)) and not isinstance(item, bool):
            label = (raw.raw[i] or str(item)).strip()
            surcharge = 0
            image = swatch = font = None
        else:
            cr.error_at(mark, f"{field}: expected an option name or 'label:'/'price:' lines, got {describe(item)}")
            continue
        if not label:
            cr.error_at(mark, f"{field}: option label must not be empty")
            continue
        folded = label.casefold()
        if folded in seen:
            cr.error_at(
                mark,
                f'{field}: duplicate option "{label}" (the same as {options_field}[{seen[folded]}])',
                hint="each option of a choice needs a different label",
            )
            continue
        seen[folded] = i
        out.append(Option(label=label, surcharge=surcharge, image=image, swatch=swatch, font=font))
    return tuple(out)


# Every field a customization of any type may have (which of them its type allows is checked by
# done() once the type is known).
_ANY_KIND_FIELDS = {name: f for fields in CUSTOMIZATION.values() for name, f in fields.items()}


def _customization(
    r: Reader, index: int, item: Any, currency: str, mark: Mark, photos: Mapping[Path, Image]
) -> tuple[Customization, YMap | None] | None:
    """A customization, with its show_if as written (resolved once every customization of the
    listing is known, see _conditions)."""
    field = f"customizations[{index}]"
    if not isinstance(item, YMap):
        r.error_at(mark, f"{field}: expected 'name:' and 'type:' lines, got {describe(item)}")
        return None
    cr = r.child("customizations", index, item, _ANY_KIND_FIELDS)
    name = cr.req_text("name")
    kind = cr.text("type", required=True)
    if kind is None:
        cr.done(("name", "type"))
        return None
    if kind not in KINDS:
        import difflib

        close = difflib.get_close_matches(kind, KINDS, n=1)
        cr.error(
            "type",
            f'{field}.type: unknown customization type "{kind}"',
            hint=(f"did you mean '{close[0]}'? " if close else "") + "use one of: " + ", ".join(KINDS),
        )
        cr.done()
        return None
    key = slugify(name) or f"option-{index + 1}"
    result: Customization | None = None
    if kind == "choice":
        required = cr.boolean("required", default=True)
        options = _options(r, cr, currency, photos)
        default = cr.text("default")
        if (
            default is not None
            and options
            and cr.ok
            and default.casefold() not in {o.label.casefold() for o in options}
        ):
            cr.error(
                "default",
                f'{field}.default: "{default}" is not one of the options',
                hint="use one of: " + ", ".join(o.label for o in options),
            )
            default = None
        if default is not None:
            default = next((o.label for o in options if o.label.casefold() == default.casefold()), None)
        result = Customization(key=key, name=name, kind="choice", required=required, options=options, default=default)
    elif kind == "text":
        max_length = cr.integer("max_length", default=DEFAULT_TEXT_MAX, minimum=1) or DEFAULT_TEXT_MAX
        result = Customization(
            key=key,
            name=name,
            kind="text",
            required=cr.boolean("required", default=False),
            max_length=max_length,
            surcharge=cr.money("price", currency) or 0,
            instructions=cr.text("instructions"),
            allowed=_allowed(cr),
            preview=_preview(cr, photos),
        )
    elif kind == "number":
        minimum = cr.integer("min", default=0)
        maximum = cr.integer("max")
        step = cr.integer("step", default=1, minimum=1) or 1
        if minimum is not None and maximum is not None and maximum < minimum:
            cr.error("max", f"{field}.max: must not be smaller than min ({minimum}), got {maximum}")
        result = Customization(
            key=key,
            name=name,
            kind="number",
            required=cr.boolean("required", default=False),
            minimum=minimum,
            maximum=maximum,
            step=step,
            surcharge=cr.money("price", currency) or 0,
        )
    else:
        result = Customization(
            key=key, name=name, kind="checkbox", required=False, surcharge=cr.money("price", currency) or 0
        )
    show_if = cr.raw_value("show_if", False)
    if show_if is not MISSING and not isinstance(show_if, YMap):
        cr.error(
            "show_if",
            f"{field}.show_if: expected 'Name: answer' lines, got {describe(show_if)}",
            hint="e.g. show_if: {Gift wrap: true}",
        )
    cr.spec = CUSTOMIZATION[kind]
    cr.done()
    if not cr.ok:
        return None
    return result, show_if if isinstance(show_if, YMap) else None


def _allowed(cr: Reader) -> str | tuple[str, ...] | None:
    value = cr.raw_value("allowed", False)
    if isinstance(value, YList):
        chars: list[str] = []
        for i, item in enumerate(value):
            text = value.raw[i] if value.raw[i] is not None else item
            if not isinstance(text, str) or len(text) != 1:
                cr.error_at(
                    value.marks[i],
                    f"{cr.field('allowed')}[{i}]: expected one character, got {describe(text)}",
                    hint='write each character on its own, in quotes when it is a space or sign: [A, B, "&", " "]',
                )
                continue
            if text not in chars:
                chars.append(text)
        if not value:
            cr.error("allowed", f"{cr.field('allowed')}: the list of allowed characters is empty")
        return tuple(chars) or None
    if isinstance(value, str) and value.strip() in ALLOWED_WORDS:
        return value.strip()
    if value is MISSING:
        return None
    cr.error(
        "allowed",
        f"{cr.field('allowed')}: expected letters, letters_digits or a list of characters, got {describe(value)}",
        hint='e.g. allowed: letters, or allowed: [A, B, C, "&"]',
    )
    return None


def _preview(cr: Reader, photos: Mapping[Path, Image]) -> Preview | None:
    pr = cr.mapping("preview")
    if pr is None:
        return None
    image = _listing_photo(pr, "image", photos) if pr.has("image") else pr.text("image", required=True)
    area_raw = pr.sequence("area", required=True)
    area: tuple[int, ...] = ()
    if area_raw is not None:
        if len(area_raw) != 4 or any(isinstance(n, bool) or not isinstance(n, int) or n < 0 for n in area_raw):
            pr.error(
                "area",
                f"{pr.field('area')}: expected four whole numbers [x, y, width, height], got "
                + ", ".join(describe(n) for n in area_raw),
                hint="measure them in the photo's pixels, from its top left corner",
            )
        elif area_raw[2] == 0 or area_raw[3] == 0:
            pr.error("area", f"{pr.field('area')}: the width and height of the area must be more than 0")
        else:
            area = tuple(area_raw)
    font = _font(pr, "font")
    colour = _colour(pr, "colour", "#1a1a1a") or "#1a1a1a"
    max_size = pr.integer("max_size", minimum=6)
    pr.done()
    if isinstance(image, Path) and len(area) == 4:
        photo = photos[image]
        x, y, w, h = area
        if photo.width and photo.height and (x + w > photo.width or y + h > photo.height):
            pr.error(
                "area",
                f"{pr.field('area')}: [{x}, {y}, {w}, {h}] goes beyond the photo, which is "
                f"{photo.width} x {photo.height} pixels",
                hint="x + width must be at most the photo's width, y + height at most its height",
            )
            return None
        if not pr.ok:
            return None
        return Preview(image=image, area=(x, y, w, h), font=font, colour=colour, max_size=max_size or h)
    return None


def _conditions(
    r: Reader, read: list[tuple[int, Customization, YMap | None]], written: set[str]
) -> list[Customization]:
    """The customizations with their show_if resolved against each other: each condition names
    another customization of the listing and an answer it can have, and none depends on itself,
    directly or round a circle."""
    import difflib

    by_name = {c.name.casefold(): c for _, c, _ in read}
    out: list[Customization] = []
    for i, c, raw in read:
        if raw is None:
            out.append(c)
            continue
        field = f"customizations[{i}].show_if"
        if not raw:
            r.error_at(
                raw.mark, f"{field}: name the customization it depends on", hint="e.g. show_if: {Gift wrap: true}"
            )
        conditions: list[Condition] = []
        for name, answer in raw.items():
            key_mark = raw.key_marks.get(name, raw.mark)
            mark = raw.value_marks.get(name, key_mark)
            target = by_name.get(str(name).strip().casefold())
            if target is None and str(name).strip().casefold() in written:
                continue  # that customization has an error of its own
            if target is None:
                close = difflib.get_close_matches(str(name), [x.name for _, x, _ in read], n=1, cutoff=0.6)
                r.error_at(
                    key_mark,
                    f'{field}: this listing has no customization named "{name}"',
                    hint=f"did you mean '{close[0]}'?" if close else "known: " + ", ".join(x.name for _, x, _ in read),
                )
                continue
            if target.key == c.key:
                r.error_at(key_mark, f"{field}: {c.name} cannot depend on itself", hint="name another customization")
                continue
            condition = _condition(r, f"{field}.{name}", target, answer, mark, raw.raw.get(name))
            if condition is not None:
                conditions.append(condition)
        out.append(replace(c, show_if=tuple(conditions)))
    _check_circles(r, out, {c.key: (i, raw) for i, c, raw in read})
    return out


def _condition(
    r: Reader, field: str, target: Customization, answer: Any, mark: Mark, raw: str | None
) -> Condition | None:
    if target.kind == "checkbox":
        if isinstance(answer, bool):
            return Condition(field=target.key, name=target.name, test="checked" if answer else "unchecked")
        r.error_at(mark, f'{field}: expected true or false (whether "{target.name}" is ticked), got {describe(answer)}')
        return None
    if target.kind == "choice":
        answers = list(answer) if isinstance(answer, YList) else [answer]
        texts = (
            [
                (answer.raw[k] or str(a)) if not isinstance(a, (YMap, YList, bool)) and a is not None else a
                for k, a in enumerate(answers)
            ]
            if isinstance(answer, YList)
            else [raw if raw is not None and not isinstance(answer, bool) else answer]
        )
        labels = {o.label.casefold(): o.label for o in target.options}
        values: list[str] = []
        for text in texts:
            if (
                not isinstance(text, (str, int, float))
                or isinstance(text, bool)
                or str(text).strip().casefold() not in labels
            ):
                r.error_at(
                    mark,
                    f'{field}: "{target.name}" has no option {describe(text)}',
                    hint="use one or more of: " + ", ".join(o.label for o in target.options),
                )
                return None
            values.append(labels[str(text).strip().casefold()])
        if not values:
            r.error_at(mark, f"{field}: name at least one option of {target.name}")
            return None
        return Condition(field=target.key, name=target.name, test="one_of", values=tuple(dict.fromkeys(values)))
    if isinstance(answer, str) and answer.strip() == "filled":
        return Condition(field=target.key, name=target.name, test="filled")
    r.error_at(
        mark,
        f'{field}: expected "filled" (shown once "{target.name}" is filled in), got {describe(answer)}',
        hint=f"write {target.name}: filled",
    )
    return None


def _check_circles(
    r: Reader, customizations: list[Customization], where: Mapping[str, tuple[int, YMap | None]]
) -> None:
    """An error for each circle of conditions (A shown if B, B shown if A): none of them could
    ever be shown."""
    depends = {c.key: [x.field for x in c.show_if] for c in customizations}
    names = {c.key: c.name for c in customizations}
    state: dict[str, int] = {}  # 1: being walked, 2: done
    reported: set[frozenset[str]] = set()

    def walk(key: str, path: list[str]) -> None:
        state[key] = 1
        path.append(key)
        for dep in depends.get(key, ()):
            if state.get(dep) == 1:
                circle = path[path.index(dep) :]
                if frozenset(circle) not in reported:
                    reported.add(frozenset(circle))
                    first = min(circle, key=lambda k: where[k][0])
                    start = circle.index(first)
                    ring = circle[start:] + circle[:start] + [first]
                    index, raw = where[first]
                    mark = raw.mark if raw is not None else r.data.mark
                    r.error_at(
                        mark,
                        f"customizations[{index}].show_if: "
                        + " and ".join(f'"{names[k]}"' for k in ring[:-1] if k)
                        + " depend on each other in a circle ("
                        + " → ".join(names[k] for k in ring)
                        + "), so none of them could ever be shown",
                        hint="remove the show_if of one of them",
                    )
            elif state.get(dep) is None:
                walk(dep, path)
        path.pop()
        state[key] = 2

    for c in customizations:
        if state.get(c.key) is None:
            walk(c.key, [])


def _check_fonts(r: Reader, read: list[tuple[int, Customization, YMap | None]], preview_written: bool) -> None:
    """Option fonts choose the lettering of the listing's preview: one choice may have them, and
    only in a listing with a preview."""
    with_fonts = [(i, c) for i, c, _ in read if any(o.font for o in c.options)]
    if not with_fonts:
        return
    if not preview_written:
        i, c = with_fonts[0]
        r.error_at(
            r.data["customizations"].marks[i],
            f"customizations[{i}] ({c.name}): its options name fonts, but no text customization of this listing has a preview",
            hint="add preview: to the text the fonts are for, or remove the font: lines",
        )
    for i, c in with_fonts[1:]:
        r.error_at(
            r.data["customizations"].marks[i],
            f"customizations[{i}] ({c.name}): only one choice may name fonts (customizations[{with_fonts[0][0]}] does already)",
        )


def _tags(r: Reader) -> tuple[Tag, ...]:
    raw = r.sequence("tags")
    if raw is None:
        return ()
    tags: dict[str, tuple[int, Tag]] = {}
    for i, item in enumerate(raw):
        if isinstance(item, bool) or not isinstance(item, (str, int, float)):
            r.error_at(raw.marks[i], f"tags[{i}]: expected a word, got {describe(item)}")
            continue
        name = (raw.raw[i] or str(item)).strip()
        slug = slugify(name)
        if not slug:
            r.error_at(raw.marks[i], f"tags[{i}]: a tag needs at least one letter or digit, got {describe(item)}")
            continue
        if len(slug.encode()) > MAX_TAG_BYTES:
            # Its page is the folder tags/<slug>/, and file systems allow 255 bytes a name.
            r.error_at(
                raw.marks[i],
                f"tags[{i}]: this tag is too long to be a web address ({len(slug.encode())} bytes)",
                hint="a tag is a word or two; at most about 200 letters, or 60 Chinese or Japanese characters",
            )
            continue
        if (first := tags.get(slug)) is None:
            tags[slug] = (i, Tag(name=name, slug=slug))
        elif not same_tag(first[1].name, name):  # the same tag in another letter case is one tag
            r.error_at(raw.marks[i], _tag_clash(f"tags[{i}]", name, first[1], f"tags[{first[0]}]"), hint=TAG_CLASH_HINT)
    return tuple(tag for _, tag in tags.values())


TAG_CLASH_HINT = "write the tag the same way everywhere, or use another word for one of them"


def _tag_clash(field: str, name: str, other: Tag, where: str) -> str:
    return f'{field}: "{name}" and "{other.name}" ({where}) would have the same address /tags/{other.slug}/'


def _tag_mark(path: Path, name: str) -> tuple[int, Mark]:
    """Where the tag ``name`` is written in the listing file ``path``: (its index, its mark).
    A Tag keeps no line of its own (listings share their Tag objects, see parallel.py), so the
    file is read again, only to report a problem; (-1, line 1) when it can no longer be found."""
    try:
        data = load_yaml_file(path).data
    except (SiteError, OSError):
        data = None
    raw = data.get("tags") if isinstance(data, YMap) else None
    if isinstance(raw, YList):
        for i, item in enumerate(raw):
            if (raw.raw[i] or str(item)).strip() == name:
                return i, raw.marks[i]
    return -1, Mark(1, 1)


_FOCUS_WORDS = {
    "center": "50% 50%", "middle": "50% 50%", "top": "50% 0%", "bottom": "50% 100%",
    "left": "0% 50%", "right": "100% 50%",
    "top left": "0% 0%", "top right": "100% 0%", "bottom left": "0% 100%", "bottom right": "100% 100%",
}  # fmt: skip
_FOCUS = re.compile(r"(\d{1,3})%\s+(\d{1,3})%")


def _focus(r: Reader) -> str | None:
    """A photo's `focus:` as a CSS position ('50% 30%'): where cards that crop it keep it."""
    text = r.text("focus")
    if text is None:
        return None
    words = " ".join(text.lower().split())
    if words in _FOCUS_WORDS:
        return _FOCUS_WORDS[words]
    found = _FOCUS.fullmatch(words)
    if found is None or int(found[1]) > 100 or int(found[2]) > 100:
        r.error(
            "focus",
            f"{r.field('focus')}: expected top, bottom, left, right, center or two percentages "
            f'across and down such as "50% 30%", got "{text}"',
            hint="cards show a square of the photo; focus says which part to keep",
        )
        return None
    return f"{int(found[1])}% {int(found[2])}%"


def _images(r: Reader) -> tuple[Image, ...]:
    raw = r.sequence("images", required=True)
    if raw is None:
        return ()
    if not raw:
        r.error("images", "images: a listing needs at least one photo")
    out: list[Image] = []
    for i, item in enumerate(raw):
        field = f"images[{i}]"
        if isinstance(item, str):
            r.error_at(
                raw.marks[i],
                f"{field}: a photo needs alt text describing it",
                hint=f'write it as  - {{src: {item}, alt: "what the photo shows"}}',
            )
            continue
        if not isinstance(item, YMap):
            r.error_at(raw.marks[i], f"{field}: expected 'src:' and 'alt:' lines, got {describe(item)}")
            continue
        ir = r.child("images", i, item)
        rel = ir.content_path("src") if ir.has("src") else ir.text("src", required=True)
        alt = ir.text("alt", required=True)
        focus = _focus(ir)
        ir.done()
        if isinstance(rel, Path) and alt:
            img = read_image(ir, rel, alt, ir.mark_of("src"), f"{field}.src", focus=focus, listing=True)
            if img is not None:
                out.append(img)
    return tuple(out)


def load_listing(
    doc: RawDoc, errors: ErrorList, config: SiteConfig | None, root: Path, reading: Reading | None = None
) -> Listing | None:
    """The listing of one file, or None (its problems added to ``errors``). ``reading``: what the
    listings of one build share (see Reading); without it each is read on its own."""
    if not isinstance(doc.data, YMap):
        errors.add(expected_mapping(doc))
        return None
    slug = slugify(doc.path.stem)
    if not slug:
        errors.add(
            SiteError(
                "the file name must contain letters or digits (it becomes the page address)",
                path=doc.path,
                line=1,
                column=1,
                hint="rename it, e.g. listings/blue-bowl.yaml",
            )
        )
        return None
    reading = reading or Reading()
    r = Reader(doc.data, doc.path, errors, content_root=root, spec=LISTING, checks=reading.checks)
    title = r.req_text("title")
    currency = r.currency("currency", config.currency if config else "USD")
    price = r.money("price", currency, required=True, positive=True)
    images = _images(r)
    description = description_html(_markdown_source(r, "description"), reading.texts)
    tags = _tags(r)
    production_time = r.text("production_time")
    order_url = r.url("order_url")
    stock = r.integer("stock", minimum=0)
    shipping = config.shipping if config else NO_SHIPPING
    if (sr := r.mapping("shipping")) is not None:
        shipping = read_shipping(sr, currency, shipping)
    private = r.boolean("private", default=False)
    buyer = r.text("buyer")
    expires = r.day("expires")
    mentions = r.text("public_mentions")
    if mentions is not None and mentions not in LISTING["public_mentions"].enum:
        r.error(
            "public_mentions",
            f'public_mentions: expected "allowed", got "{mentions}"',
            hint="write 'public_mentions: allowed', or remove the line to keep the title and buyer off public pages",
        )
    when = r.day("date")
    for field, value in (("buyer", buyer), ("expires", expires), ("public_mentions", mentions)):
        if value is not None and not private:
            r.error(
                field, f"{field}: only private listings have a {field}", hint="add 'private: true' or remove this line"
            )
    customizations: list[Customization] = []
    if (raw := r.sequence("customizations")) is not None:
        keys: dict[str, int] = {}
        photos = {img.src: img for img in images}
        read: list[tuple[int, Customization, YMap | None]] = []
        for i, item in enumerate(raw):
            found = _customization(r, i, item, currency, raw.marks[i], photos)
            if found is None:
                continue
            c, show_if = found
            if c.key in keys:
                r.error_at(
                    raw.marks[i],
                    f'customizations[{i}].name: "{c.name}" is already used by customizations[{keys[c.key]}]',
                    hint="give each customization a different name",
                )
                continue
            keys[c.key] = i
            read.append((i, c, show_if))
        # Names of customizations with mistakes of their own count as known: a condition on one
        # is not a second mistake.
        written = {str(item.get("name")).strip().casefold() for item in raw if isinstance(item, YMap)}
        customizations = _conditions(r, read, written)
        _check_fonts(r, read, any(isinstance(item, YMap) and "preview" in item for item in raw))
    if order_url is not None:
        _check_order_url(r, order_url, customizations)
    if shipping.regions and shipping.currency != currency:
        r.error(
            "currency" if r.has("currency") else None,
            f"shipping: the shop's shipping prices are in {shipping.currency}, this listing's price in {currency}",
            hint="give this listing its own 'shipping:' with 'regions:' priced in its currency",
        )
    extra = r.raw_value("extra", False)
    r.done()
    if not r.ok or price is None:
        return None
    checkout = "order_url" if order_url else config.checkout.provider if config else "email"
    if checkout in LIMITS:
        problem = checkout_problem(checkout, tuple(customizations), shipping)
        if problem is not None:
            field, message = problem
            mark = r.mark_of(field, value=False) if field in r.data else r.data.mark
            errors.warnings.append(
                SiteError(
                    f"{message}: {title} is offered by email instead",
                    path=doc.path,
                    line=mark.line,
                    column=mark.column,
                    hint=LIMITS[checkout],
                )
            )
            checkout = "email"
    return Listing(
        slug=slug,
        title=title,
        price=price,
        currency=currency,
        images=images,
        description=description,
        tags=tags,
        production_time=production_time,
        order_url=order_url,
        private=private,
        buyer=buyer,
        expires=expires,
        public_mentions=mentions == "allowed",
        date=when,
        customizations=tuple(customizations),
        extra=freeze(extra if isinstance(extra, YMap) else {}),
        source=SourceRef(path=doc.path, line=1),
        modified=doc.path.stat().st_mtime,
        stock=stock,
        shipping=shipping,
        checkout=checkout,
    )


# -- checkout ---------------------------------------------------------------------------------

ORDER_URL_FIELDS = ("title", "url", "total", "currency", "shipping", "options")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def _check_order_url(r: Reader, url: str, customizations: Iterable[Customization]) -> None:
    names = {c.name.casefold() for c in customizations}
    for m in _PLACEHOLDER.finditer(url):
        inner = m[1]
        if inner.startswith("option:"):
            if inner[len("option:") :].strip().casefold() not in names:
                r.error(
                    "order_url",
                    f"order_url: {m[0]} names no customization of this listing",
                    hint="write {option:Name} with the name of one of its customizations",
                )
        elif inner not in ORDER_URL_FIELDS:
            r.error(
                "order_url",
                f"order_url: unknown placeholder {m[0]}",
                hint="use " + ", ".join("{" + f + "}" for f in ORDER_URL_FIELDS) + " or {option:Name}",
            )
    if "{" in _PLACEHOLDER.sub("", url) or "}" in _PLACEHOLDER.sub("", url):
        r.error("order_url", "order_url: a '{' or '}' without its partner", hint="placeholders look like {title}")


PAYPAL_MAX_OPTIONS = 7
PAYPAL_MAX_NAME = 64
PAYPAL_MAX_VALUE = 64
PAYPAL_MAX_TEXT = 200
SNIPCART_MAX_STEPS = 100
"""A number customization with a surcharge becomes a Snipcart drop-down of its allowed numbers
(Snipcart has no number field): at most this many."""

LIMITS = {
    "paypal": "PayPal's Buy Now button takes at most 7 options, names and choices of up to 64 characters, "
    "text of up to 200",
    "snipcart": "Snipcart charges for a choice, a checkbox or a number with a max, not for typed text",
}


def paypal_options(customizations: Iterable[Customization], shipping: Shipping) -> int:
    """How many of PayPal's options a listing needs: one for each customization, one for the
    region shipped to when there are several."""
    return sum(1 for _ in customizations) + (1 if len(shipping.regions) > 1 else 0)


def checkout_problem(
    provider: str, customizations: tuple[Customization, ...], shipping: Shipping
) -> tuple[str, str] | None:
    """(field, why) when a listing's customizations cannot go to ``provider`` whole, else None."""
    for i, c in enumerate(customizations):
        where = f"customizations[{i}] ({c.name})"
        if provider == "paypal":
            if len(c.name) > PAYPAL_MAX_NAME:
                return "customizations", f"{where}: PayPal takes option names of up to {PAYPAL_MAX_NAME} characters"
            if c.kind == "text" and (c.max_length or 0) > PAYPAL_MAX_TEXT:
                return (
                    "customizations",
                    f"{where}: PayPal takes text of up to {PAYPAL_MAX_TEXT} characters, max_length is {c.max_length}",
                )
            if any(len(o.label) > PAYPAL_MAX_VALUE for o in c.options):
                return "customizations", f"{where}: PayPal takes choices of up to {PAYPAL_MAX_VALUE} characters"
        elif provider == "snipcart":
            if any(ch in text for text in (c.name, *(o.label for o in c.options)) for ch in "|[]"):
                return "customizations", f"{where}: Snipcart cannot take a name or option with | [ or ] in it"
            if c.kind == "text" and c.surcharge:
                return "customizations", f"{where}: Snipcart cannot add a price for typed text"
            if c.kind == "number" and c.surcharge:
                if c.maximum is None:
                    return "customizations", f"{where}: Snipcart can price a number only when it has a max"
                low = c.minimum if c.minimum is not None else 0
                if (c.maximum - low) // c.step + 1 > SNIPCART_MAX_STEPS:
                    return (
                        "customizations",
                        f"{where}: Snipcart can price at most {SNIPCART_MAX_STEPS} different numbers",
                    )
    if provider == "paypal" and (n := paypal_options(customizations, shipping)) > PAYPAL_MAX_OPTIONS:
        return (
            "customizations",
            f"customizations: PayPal takes at most {PAYPAL_MAX_OPTIONS} options, this listing needs {n}",
        )
    return None


# -- pages ------------------------------------------------------------------------------------


def load_page(doc: RawDoc, errors: ErrorList, root: Path) -> Page | None:
    if not isinstance(doc.data, YMap):
        errors.add(expected_mapping(doc))
        return None
    slug = slugify(doc.path.stem)
    r = Reader(doc.data, doc.path, errors, content_root=root, spec=PAGE)
    if not slug or slug in RESERVED_PAGE_SLUGS:
        errors.add(
            SiteError(
                f"the page name '{doc.path.stem}' is taken by the shop itself"
                if slug
                else "the file name must contain letters or digits",
                path=doc.path,
                line=1,
                column=1,
                hint="rename the file, e.g. pages/about-the-studio.md",
            )
        )
        r.ok = False
    title = r.req_text("title")
    if (match := _MD_IMAGE.search(doc.body)) is not None:
        r.error_at(
            Mark(doc.body_line + doc.body[: match.start()].count("\n"), 1),
            "pictures inside a page are not shown",
            hint="use a link [text](https://...) instead",
        )
    order = r.integer("order", default=0) or 0
    menu = r.boolean("menu", default=True)
    r.done()
    if not r.ok:
        return None
    return Page(
        slug=slug,
        title=title,
        order=order,
        menu=menu,
        body=render_markdown(doc.body),
        source=SourceRef(path=doc.path, line=1),
        modified=doc.path.stat().st_mtime,
    )


# -- the whole site ---------------------------------------------------------------------------


def build_site(
    files: ContentFiles,
    errors: ErrorList,
    base_url_override: str | None = None,
    preloaded: Mapping[Path, Listing] | None = None,
    reading: Reading | None = None,
) -> Site | None:
    """``preloaded``: listings already built from their files by worker processes (with the same
    site config), merged in file order with the ones built here from ``files.listings``.
    ``reading``: what the listings share while they are read (see Reading)."""
    root = files.root
    config = load_config(files.site, errors, root, base_url_override) if files.site else None
    maker = load_maker(files.maker, errors, root) if files.maker else None
    built: list[tuple[Path, Listing]] = list((preloaded or {}).items())
    for doc in files.listings:
        if (listing := load_listing(doc, errors, config, root, reading)) is not None:
            built.append((doc.path, listing))
    listings = merge_listings(built, errors)
    pages: dict[str, Page] = {}
    for doc in files.pages:
        page = load_page(doc, errors, root)
        if page is None:
            continue
        if (dup := pages.get(page.slug)) is not None:
            errors.add(
                SiteError(
                    f"two pages would have the same address /{page.slug}/ (the other is {dup.source.path.name})",
                    path=doc.path,
                    line=1,
                    column=1,
                )
            )
            continue
        pages[page.slug] = page
    if errors or config is None or maker is None:
        return None
    return Site(
        config=config,
        maker=maker,
        listings=listings,
        pages=tuple(sorted(pages.values(), key=lambda p: (p.order, p.title, p.slug))),
        content_root=root,
    )


def merge_listings(built: Iterable[tuple[Path, Listing]], errors: ErrorList) -> tuple[Listing, ...]:
    """The listings of the site, sorted by slug, from (file, listing) pairs: where two files would
    give the same address, the first file (by path) keeps it and the other is reported; so is a
    tag whose address another tag already has (two names with one slug: 'Mugs!', 'mugs?')."""
    listings: dict[str, Listing] = {}
    tags: dict[str, Tag] = {}
    """The first tag of each slug."""
    # By the path as text: listing files share one folder, so this is the order of their names
    # (and quicker than comparing Path objects, for the dev server's rebuilds of large shops).
    for path, listing in sorted(built, key=lambda item: str(item[0])):
        if (other := listings.get(listing.slug)) is not None:
            errors.add(
                SiteError(
                    f"two listings would have the same address /listings/{listing.slug}/ "
                    f"(the other is {other.source.path.name})",
                    path=path,
                    line=1,
                    column=1,
                    hint="rename one of the files",
                )
            )
            continue
        listings[listing.slug] = listing
        for tag in listing.tags:
            first = tags.setdefault(tag.slug, tag)
            if first is not tag and first.name != tag.name and not same_tag(first.name, tag.name):
                errors.add(_tag_clash_error(path, tag, first, listings.values()))
    return tuple(listings[k] for k in sorted(listings))


def _tag_clash_error(path: Path, tag: Tag, other: Tag, listings: Iterable[Listing]) -> SiteError:
    """Two listing files with tags of one address: reported where the second is written, naming
    the first listing (of ``listings``) that has ``other``."""
    other_path = next(x.source.path for x in listings if any(t is other for t in x.tags))
    index, mark = _tag_mark(path, tag.name)
    other_mark = _tag_mark(other_path, other.name)[1]
    where = f"{display_path(other_path)}:{other_mark.line}"
    field = f"tags[{index}]" if index >= 0 else "tags"
    return SiteError(
        _tag_clash(field, tag.name, other, where), path=path, line=mark.line, column=mark.column, hint=TAG_CLASH_HINT
    )


__all__ = [
    "Customization",
    "Image",
    "Listing",
    "Maker",
    "Option",
    "Page",
    "Site",
    "Tag",
    "YList",
    "build_site",
    "merge_listings",
]
