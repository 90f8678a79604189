"""The fields of site.yaml, maker.yaml, listings and pages: one definition, read by the validator
(fields.Reader checks every field it reads against it and reports unknown ones from it) and turned
into JSON Schemas for editors (`makerfront schema`), so the two cannot disagree.

Each field says what kind of value it takes, whether it is required and what it means; the
meaning is the description an editor shows while the maker types.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

FieldKind = Literal[
    "text", "markdown", "boolean", "integer", "money", "currency", "url", "email", "date", "path",
    "language", "block", "list", "links", "strings", "option", "conditions", "allowed", "any",
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Field:
    kind: FieldKind
    """What the value is: the accessor of fields.Reader that reads it must be of this kind."""
    doc: str
    """What the field means, in a maker's words (shown by editors as the field's description)."""
    required: bool = False
    enum: tuple[str, ...] = ()
    """The closed list of allowed values, for a text field that has one."""
    minimum: int | None = None
    """The smallest number allowed (integer), or the fewest items (list)."""
    positive: bool = False
    """A `money` field that must be more than 0 (fields.Reader.money(positive=True))."""
    default: Any = None
    fields: Mapping[str, Field] = field(default_factory=dict)
    """The fields of a `block` (a nested mapping) or of each item of a `list` of blocks."""
    items: Field | None = None
    """The kind of each item of a `list`."""
    json: Mapping[str, Any] = field(default_factory=dict)
    """More of the field's JSON Schema than its kind says (a pattern, a length, a shape of its own)."""


def _block(doc: str, fields: Mapping[str, Field], required: bool = False) -> Field:
    return Field("block", doc, required=required, fields=fields)


EXTRA = Field("any", "Anything your theme needs, passed to it untouched")

CHECKOUT_PROVIDERS = ("email", "snipcart", "paypal")

REGION: Mapping[str, Field] = {
    "name": Field(
        "text", "Where you ship to, as a buyer would say it, e.g. United States or Everywhere else", required=True
    ),
    "price": Field("money", "What shipping there costs, e.g. 8 or 0 for free", required=True),
    "free_over": Field("money", "Shipping there is free for orders of at least this much, e.g. 100"),
    "countries": Field(
        "list",
        "Two-letter country codes of the region for search engines, e.g. [US] or [DE, AT]",
        items=Field("text", "A country code (ISO 3166), e.g. US"),
    ),
}

SHIPPING = _block(
    "Where you ship and what it costs, shown on every listing page before ordering",
    {
        "processing_time": Field("text", "Time to pack and post once an item is ready, e.g. 1-3 days"),
        "regions": Field("list", "Where you ship, each with its price", minimum=1,
                         items=Field("block", "A region: name: and price: lines", fields=REGION)),
    },
)  # fmt: skip

SITE: Mapping[str, Field] = {
    "title": Field("text", "Name of the shop, shown on every page", required=True),
    "base_url": Field(
        "url", "Full address where the shop will live, e.g. https://riverbend.example/ or https://you.github.io/shop/",
        required=True,
    ),
    "description": Field("text", "One sentence about the shop (the home page summary for search engines)"),
    "language": Field("language", "Language code of your text, e.g. en, de, zh-CN", default="en"),
    "currency": Field("currency", "Three-letter currency code (ISO 4217) of your prices: USD, EUR, GBP, JPY...",
                      default="USD"),
    "theme": Field("text", "Folder name of a theme under themes/ (leave out for the built-in theme)", default="default"),
    "contact": _block(
        "How buyers reach you",
        {
            "email": Field("email", "Where order and custom-order emails go", required=True),
            "form_action": Field(
                "url", "Web address of a form service; when set, 'Ask about a Custom Order' opens a form that posts there"
            ),
        },
        required=True,
    ),
    "favicon": Field("path", "Path of an image in content/ for the browser tab icon, e.g. images/icon.png"),
    "listings_per_page": Field(
        "integer", "How many listings the home page and each tag page show before further pages", minimum=1, default=48
    ),
    "images": _block(
        "How photos are published: the widths made of each photo, the formats and the quality",
        {
            "widths": Field("list", "Widths in pixels made of each photo (never larger than the photo), "
                            "default [480, 800, 1200, 1600]", minimum=1, items=Field("integer", "A width in pixels")),
            "formats": Field("list", "File formats made of each width: jpeg (always), webp, avif; default [webp, jpeg]",
                             minimum=1, items=Field("text", "A format", enum=("jpeg", "webp", "avif"))),
            "quality": Field("integer", "Quality from 1 to 100 (default 80): higher is sharper and heavier",
                             minimum=1, default=80),
        },
    ),
    "checkout": _block(
        "How buyers pay: by email (the default), Snipcart or PayPal",
        {
            "provider": Field("text", "email, snipcart or paypal", enum=CHECKOUT_PROVIDERS, default="email"),
            "snipcart_key": Field("text", "Snipcart only: your public API key (Snipcart dashboard, Account, API keys)"),
            "paypal_email": Field("email", "PayPal only: the email address of your PayPal business account"),
        },
    ),
    "shipping": SHIPPING,
    "show_sold": Field(
        "boolean", "Whether the home and tag pages show sold work (its own page always stays)", default=True
    ),
    "strings": Field(
        "strings",
        "Your own wording of the shop's texts, by the English text: e.g. \"Order by email\": Write to me to order "
        "(a list gives one wording per plural form)",
    ),
    "extra": EXTRA,
}  # fmt: skip

MAKER_KINDS = ("person", "business")

MAKER: Mapping[str, Field] = {
    "name": Field("text", "Your name or your studio's", required=True),
    "kind": Field("text", "person, or business for a studio, workshop or company", enum=MAKER_KINDS, default="person"),
    "photo": Field("path", "Path of a photo of you in content/, e.g. images/maker.jpg"),
    "location": Field("text", "Where you work, e.g. Asheville, North Carolina"),
    "intro": Field("text", "One or two sentences for the home page"),
    "bio": Field("markdown", "Your story, in Markdown"),
    "links": Field("links", "Name: address lines, e.g. Instagram: https://instagram.com/riverbend"),
    "custom_orders": _block(
        "Whether and how you take custom orders",
        {
            "enabled": Field("boolean", "true if you take custom orders, false if not", required=True),
            "accepts": Field("text", "What kinds of custom orders you accept"),
            "production_time": Field("text", "Average time to make a custom order, e.g. 2-3 weeks"),
            "response_time": Field("text", "How fast you answer a request, e.g. 24 hours", default="24 hours"),
        },
        required=True,
    ),
    "extra": EXTRA,
}

CUSTOMIZATION_KINDS = ("choice", "text", "number", "checkbox")

COLOUR_PATTERN = r"^\s*#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})\s*$"
"""A colour as web pages write it: #e8c547 or #fc0."""
FONT_SUFFIXES = (".woff2", ".woff", ".ttf", ".otf")

OPTION: Mapping[str, Field] = {
    "label": Field("text", "The option's name, as the buyer sees it", required=True),
    "price": Field("money", "Added to the listing's price when chosen, e.g. 4 or 4.50", default=0),
    "image": Field("path", "One of the listing's photos (its src), shown when this option is chosen, "
                   "e.g. images/eagle-mug-yellow.jpg"),
    "swatch": Field("text", 'A colour swatch for the option, e.g. "#e8c547" (in quotes): the choice then shows '
                    "swatches to pick from instead of a list", json={"pattern": COLOUR_PATTERN}),
    "font": Field("path", "A font file in content/ (.woff2, .woff, .ttf or .otf), e.g. fonts/script.woff2: "
                  "the preview of the listing's text draws in it when this option is chosen"),
}  # fmt: skip

SHOW_IF = Field(
    "conditions",
    "When the buyer is asked this: another customization's name and the answer that shows it, e.g. "
    "{Gift wrap: true} (a checkbox), {Size: [16 oz, 20 oz]} (a choice), {Monogram: filled} (text or number)",
)

ALLOWED_WORDS = ("letters", "letters_digits")
ALLOWED = Field(
    "allowed",
    "What the buyer may type: letters (and spaces), letters_digits (letters, digits and spaces), "
    'or a list of characters, e.g. [A, B, C, "&", " "]',
)

PREVIEW: Mapping[str, Field] = {
    "image": Field("path", "One of the listing's photos (its src) to draw the text on, e.g. images/board-blank.jpg",
                   required=True),
    "area": Field("list", "Where the text goes on the photo, in its pixels: [x, y, width, height] from the "
                  "top left corner", required=True, minimum=4, items=Field("integer", "Pixels", minimum=0),
                  json={"maxItems": 4}),
    "font": Field("path", "A font file in content/ (.woff2, .woff, .ttf or .otf), e.g. fonts/engraving.woff2; "
                  "without it a serif font is used"),
    "colour": Field("text", 'Colour of the text, e.g. "#3b2a1a" (in quotes)', default="#1a1a1a",
                    json={"pattern": COLOUR_PATTERN}),
    "max_size": Field("integer", "Largest letter size in the photo's pixels (default: the area's height); "
                      "longer text is drawn smaller to fit", minimum=6),
}  # fmt: skip

_NAME = Field("text", "What the buyer is asked, e.g. Colour or Monogram", required=True)
_TYPE = Field("text", "choice (a list), text (a text box), number or checkbox", required=True, enum=CUSTOMIZATION_KINDS)
_SURCHARGE = Field("money", "Added to the price when the buyer uses it, e.g. 6", default=0)

CUSTOMIZATION: Mapping[str, Mapping[str, Field]] = {
    "choice": {
        "name": _NAME,
        "type": _TYPE,
        "required": Field("boolean", "Whether the buyer must choose (default true)", default=True),
        "default": Field("text", "The option chosen at first (its label); without it the buyer must choose"),
        "options": Field(
            "list", "The choices: a name, or label: and price: lines for a surcharge", required=True, minimum=1,
            items=Field("option", "An option: its name, or label: and price: lines", fields=OPTION),
        ),
        "show_if": SHOW_IF,
    },
    "text": {
        "name": _NAME,
        "type": _TYPE,
        "max_length": Field("integer", "Most characters the buyer may type (default 100)", minimum=1, default=100),
        "required": Field("boolean", "Whether the buyer must fill it in (default false)", default=False),
        "price": _SURCHARGE,
        "instructions": Field("text", "A short help line under the box, e.g. Up to three letters"),
        "allowed": ALLOWED,
        "preview": Field("block", "A live preview of the text drawn on a photo of the listing as the buyer "
                         "types: image, area, font, colour, max_size", fields=PREVIEW),
        "show_if": SHOW_IF,
    },
    "number": {
        "name": _NAME,
        "type": _TYPE,
        "min": Field("integer", "Smallest number allowed (default 0)", default=0),
        "max": Field("integer", "Largest number allowed"),
        "step": Field("integer", "Allowed steps between numbers (default 1)", minimum=1, default=1),
        "required": Field("boolean", "Whether the buyer must fill it in (default false)", default=False),
        "price": Field("money", "Added to the price for each unit", default=0),
        "show_if": SHOW_IF,
    },
    "checkbox": {
        "name": _NAME,
        "type": _TYPE,
        "price": _SURCHARGE,
        "show_if": SHOW_IF,
    },
}  # fmt: skip

IMAGE: Mapping[str, Field] = {
    "src": Field("path", "Path of the photo in content/, e.g. images/eagle-mug.jpg", required=True),
    "alt": Field("text", "What the photo shows, for blind buyers and search engines", required=True),
    "focus": Field(
        "text",
        "Which part of the photo cards keep when they show it square: top, bottom, left, "
        "right, center, or percentages across and down such as 50% 30%",
        default="center",
    ),
}

LISTING: Mapping[str, Field] = {
    "title": Field("text", "Name of the item", required=True),
    "price": Field("money", "Price as a number, e.g. 34 or 34.50 (no currency sign; a dot before the cents)",
                   required=True, positive=True),
    "currency": Field("currency", "Overrides the shop's currency for this item (ISO 4217 code)"),
    "images": Field("list", "Photos of the item; the first is the main photo", required=True, minimum=1,
                    items=Field("block", "A photo: src: and alt: lines", fields=IMAGE)),
    "description": Field("markdown", "What the item is, in Markdown"),
    "tags": Field("list", "Words that group items, e.g. [mugs, birds]; each tag gets its own page",
                  items=Field("text", "A tag")),
    "production_time": Field("text", "How long you need to make it, e.g. 1-2 weeks"),
    "order_url": Field(
        "url", "Address of an external checkout; it may contain {title}, {url}, {total}, {currency}, {shipping}, "
        "{options} and {option:Name}, filled with what the buyer chose"
    ),
    "stock": Field("integer", "How many are ready to ship; 0 when sold; leave out for work made to order", minimum=0),
    "shipping": Field(
        "block", "Replaces the shop's shipping (site.yaml) for this item: processing_time, regions",
        fields=SHIPPING.fields,
    ),
    "private": Field("boolean", "true for an item made for one buyer, built at a secret address", default=False),
    "buyer": Field("text", "Private listings only: who it is made for"),
    "expires": Field("date", "Private listings only: last day it is built, written as YYYY-MM-DD"),
    "public_mentions": Field(
        "text", "Private listings only: 'allowed' lets its title and buyer appear on public pages too "
        "(its address stays secret); without it, a build that shows them anywhere else fails",
        enum=("allowed",),
    ),
    "date": Field("date", "When the listing was added, YYYY-MM-DD; newest come first in the feed"),
    "customizations": Field(
        "list", "Options the buyer chooses: choices, text, numbers, checkboxes",
        items=Field("block", "One customization: name: and type: lines and the fields of its type"),
    ),
    "extra": EXTRA,
}  # fmt: skip

PAGE: Mapping[str, Field] = {
    "title": Field("text", "Title of the page", required=True),
    "order": Field("integer", "Position in the menu (smaller first)", default=0),
    "menu": Field("boolean", "Whether the page is in the menu", default=True),
}

DOCUMENTS: Mapping[str, Mapping[str, Field]] = {"site": SITE, "maker": MAKER, "listing": LISTING}
"""The files that get a schema, by schema name: site.yaml, maker.yaml, listings/*.yaml."""

SCHEMA_DIR = ".schemas"
"""Where `init` and `makerfront schema` put the schemas, in the shop's folder (beside content/)."""

_TITLES = {"site": "makerfront site.yaml", "maker": "makerfront maker.yaml", "listing": "makerfront listing"}


MAX_PRICE = 1_000_000_000
"""Prices (and surcharges) are below a billion of the currency's units: a larger number is a typo."""


# -- JSON Schema (draft-07, what yaml-language-server reads) ---------------------------------------


def _money(positive: bool) -> dict[str, Any]:
    number: dict[str, Any] = {"type": "number", "exclusiveMaximum": MAX_PRICE}
    number["exclusiveMinimum" if positive else "minimum"] = 0
    digits = r"(?!0*(\.0*)?\s*$)\d{1,9}(\.\d+)?" if positive else r"\d{1,9}(\.\d+)?"
    return {"anyOf": [number, {"type": "string", "pattern": rf"^\s*{digits}\s*$"}]}


# Plain text: YAML reads `title: 1984` as a number and makerfront keeps it as the text typed.
_TEXT: dict[str, Any] = {"type": ["string", "number"]}
# Required text: fields.Reader.text strips it and refuses what is left empty.
_NOT_BLANK = r"\S"

# A date, as YAML 1.2 editors see it: text. The build (load.py, YAML 1.1) reads YYYY-MM-DD and a
# date and time (seconds required: `2027-03-01 10:00` is text to it, and refused) as dates;
# fields.Reader.day also takes a quoted "YYYY-MM-DD". Beyond this schema: a quoted date and time
# (the build refuses it), and a day past the end of its month in a date and time (2027-02-30 10:00:00).
_DATE_ONLY = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_DATE_TIME = (
    r"^(?!0000)[0-9]{4}-(0?[1-9]|1[0-2])-(0?[1-9]|[12][0-9]|3[01])"
    r"([Tt]|[ \t]+)([01]?[0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]*)?"
    r"([ \t]*(Z|[-+]([01]?[0-9]|2[0-3])(:[0-5][0-9])?))?$"
)


def _nullable(out: dict[str, Any]) -> dict[str, Any]:
    """``out`` also allowing nothing (`description:` with no value), which the build reads as a
    field left out (fields.Reader.raw_value)."""
    if "enum" in out:
        out["enum"] = [*out["enum"], None]
    elif "anyOf" in out:
        out["anyOf"] = [*out["anyOf"], {"type": "null"}]
    elif "type" in out:
        kinds = out["type"] if isinstance(out["type"], list) else [out["type"]]
        out["type"] = [*kinds, "null"]
    # else: any value at all (extra:), nothing included
    return out


def _json(f: Field) -> dict[str, Any]:
    out: dict[str, Any]
    if f.kind in ("text", "markdown"):
        out = {"enum": list(f.enum)} if f.enum else dict(_TEXT)
        if f.required and not f.enum:
            out["pattern"] = _NOT_BLANK
    elif f.kind == "language":
        out = {"type": "string", "pattern": r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$"}
    elif f.kind == "currency":
        codes = _currencies()
        # The build strips the code and reads it in capitals (fields.Reader.currency): eur, " EUR"
        # and Eur are EUR. No JSON Schema enum ignores case, so a pattern takes the other spellings
        # (the enum comes first: editors offer its values).
        either = "|".join("".join(f"[{c.upper()}{c.lower()}]" for c in code) for code in codes)
        out = {"anyOf": [{"enum": codes}, {"type": "string", "pattern": rf"^\s*({either})\s*$"}]}
    elif f.kind == "boolean":
        out = {"type": "boolean"}
    elif f.kind == "integer":
        # Beyond a schema: draft-07 counts 2.0 as an integer, which the build refuses (`step: 2.0`).
        out = {"type": "integer"}
        if f.minimum is not None:
            out["minimum"] = f.minimum
    elif f.kind == "money":
        out = _money(f.positive)
    elif f.kind == "url":
        out = {"type": "string", "pattern": r"^[hH][tT][tT][pP][sS]?://\S+$"}
    elif f.kind == "email":
        out = {"type": "string", "pattern": r"^[^@\s]+@[^@\s]+\.[^@\s]+$"}
    elif f.kind == "date":
        out = {
            "anyOf": [
                {"type": "string", "format": "date", "pattern": _DATE_ONLY},
                {"type": "string", "pattern": _DATE_TIME},
            ]
        }
    elif f.kind == "path":
        # Inside content/: not absolute, no drive letter or scheme, no ".." step.
        out = {
            "type": "string",
            "pattern": r"^(?![/\\]|[A-Za-z]:)(?!.*://)(?!(.*[/\\])?\.\.([/\\]|$))[^\x00-\x1f\x7f]+$",
        }
    elif f.kind == "strings":
        text = {"type": "string", "pattern": _NOT_BLANK}
        out = {
            "type": "object",
            "additionalProperties": {"anyOf": [text, {"type": "array", "items": text, "minItems": 1}]},
        }
    elif f.kind == "links":
        out = {"type": "object", "additionalProperties": _json(Field("url", "A web address"))}
    elif f.kind == "block":
        out = _object(f.fields) if f.fields else {"type": "object"}
    elif f.kind == "option":
        out = {"anyOf": [dict(_TEXT), _object(f.fields)]}
    elif f.kind == "list":
        out = {"type": "array"}
        if f.minimum is not None:
            out["minItems"] = f.minimum
        if f.items is not None:
            out["items"] = _json(f.items)
    elif f.kind == "conditions":
        answer = {"anyOf": [{"type": "boolean"}, dict(_TEXT), {"type": "array", "minItems": 1, "items": dict(_TEXT)}]}
        out = {"type": "object", "minProperties": 1, "additionalProperties": answer}
    elif f.kind == "allowed":
        one = {"type": "string", "minLength": 1, "maxLength": 1}
        out = {"anyOf": [{"enum": list(ALLOWED_WORDS)}, {"type": "array", "minItems": 1, "items": one}]}
    else:  # any
        out = {}
    out.update(f.json)
    out["description"] = f.doc
    if f.default is not None:
        out["default"] = f.default
    return out


def _currencies() -> list[str]:
    from babel.numbers import list_currencies  # here: only `makerfront schema` needs the list

    return sorted(list_currencies())


def _object(fields: Mapping[str, Field]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "object",
        "properties": {name: _json(f) if f.required else _nullable(_json(f)) for name, f in fields.items()},
        "additionalProperties": False,
    }
    if required := [name for name, f in fields.items() if f.required]:
        out["required"] = required
    return out


def _customization() -> dict[str, Any]:
    """One customization: the fields allowed depend on its type."""
    every = sorted({name for fields in CUSTOMIZATION.values() for name in fields})
    properties: dict[str, Any] = {}
    for fields in CUSTOMIZATION.values():
        for name, f in fields.items():
            properties.setdefault(name, _json(f) if f.required else _nullable(_json(f)))
    return {
        "type": "object",
        "description": LISTING["customizations"].items.doc if LISTING["customizations"].items else "",
        "properties": properties,
        "required": ["name", "type"],
        "additionalProperties": False,
        "allOf": [
            {
                "if": {"properties": {"type": {"const": kind}}, "required": ["type"]},
                "then": {
                    "properties": {name: False for name in every if name not in fields},
                    **({"required": [n for n, f in fields.items() if f.required]}),
                },
            }
            for kind, fields in CUSTOMIZATION.items()
        ],
    }


_PRIVATE_ONLY = ("buyer", "expires", "public_mentions")


def json_schema(name: str) -> dict[str, Any]:
    """The JSON Schema of one kind of file: "site", "maker" or "listing"."""
    schema = _object(DOCUMENTS[name])
    if name == "listing":
        schema["properties"]["customizations"]["items"] = _customization()
        # Only a private listing has a buyer, an expiry day or public mentions (model.py).
        schema["if"] = {"properties": {"private": {"const": True}}, "required": ["private"]}
        schema["else"] = {"properties": {key: {"type": "null"} for key in _PRIVATE_ONLY}}
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": f"makerfront-{name}.schema.json",
        "title": _TITLES[name],
        **schema,
    }


def schema_file(name: str) -> str:
    return f"{name}.schema.json"


def write_schemas(folder: Path) -> list[Path]:
    """Write every schema into ``folder``; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in DOCUMENTS:
        path = folder / schema_file(name)
        path.write_text(json.dumps(json_schema(name), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written


def modeline(name: str, file: Path, schemas: Path) -> str:
    """The first line of a content file that points editors at its schema (a relative path)."""
    import os

    rel = os.path.relpath(schemas / schema_file(name), file.parent)
    return f"# yaml-language-server: $schema={Path(rel).as_posix()}\n"
