"""`makerfront schema`: the JSON Schemas editors use accept every valid file makerfront accepts
and reject the mistakes a schema can express, because both come from generator/schema.py."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import MAKER_YAML, MUG_YAML, REPO, SITE_YAML, png_bytes

from generator.cli import main
from generator.errors import ErrorList, SiteError
from generator.load import YMap, load_yaml_file, parse_yaml
from generator.model import load_listing
from generator.scaffold import ShopSettings, init_shop, new_listing
from generator.schema import DOCUMENTS, json_schema

SCHEMAS = {name: json_schema(name) for name in DOCUMENTS}
INVALID = REPO / "tests" / "sites_invalid"

# Mistakes no JSON Schema can see: they are about other files, the photos themselves, or the
# relation between two fields. Every other invalid fixture must be rejected by the schemas.
BEYOND_A_SCHEMA = {
    "strings-unknown-text": "the texts a shop has depend on its theme (a theme may add its own)",
    "duplicate-option-labels": "labels must differ from each other, whatever their case",
    "duplicate-slugs": "two files give the same address",
    "duplicate-addresses-any-script": "two files give the same address",
    "duplicate-tag-addresses": "two tags give the same address once written in one way",
    "tag-too-long": "the length of a tag's address in bytes, which depends on its script",
    "image-missing": "the photo file does not exist",
    "show-if-circle": "conditions that name each other round a circle",
    "show-if-unknown-option": "which options a condition may name depends on another customization",
    "image-not-an-image": "the photo file is not a picture",
    "price-jpy-decimals": "how many decimals a price may have depends on its currency",
    "page-front-matter": "pages are Markdown files, which get no schema",
    "base-url-broken-ipv6": "the inner syntax of a web address (the brackets of an IPv6 address)",
    "unclosed-quote-in-front-matter": "pages are Markdown files, which get no schema",
    "control-character-in-page": "pages are Markdown files, which get no schema",
    "pages-is-a-file": "a folder that is a file",
    "photo-decompression-bomb": "the size of the photo in the file",
    "photo-too-large": "the size of the photo in the file",
    "template-lone-surrogate": "themes are not content",
    "template-loops-forever": "themes are not content",
    "template-not-utf8": "themes are not content",
}


def as_json(value: Any) -> Any:
    """YAML as an editor's language server sees it: dates are text, as typed (YAML 1.2 has no
    timestamps). No YAML 1.2 parser (ruamel.yaml) is installed, so makerfront's own loader reads
    the files and this turns its YAML 1.1 readings back into what a YAML 1.2 reader would see."""
    if isinstance(value, YMap):
        return {
            k: value.raw[k] if isinstance(v, datetime | date) and k in value.raw else as_json(v)
            for k, v in value.items()
        }
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def kind_of(path: Path) -> str | None:
    if path.name == "site.yaml":
        return "site"
    if path.name == "maker.yaml":
        return "maker"
    if path.parent.name == "listings" and path.suffix == ".yaml":
        return "listing"
    return None


def problems(path: Path) -> list[str]:
    kind = kind_of(path)
    assert kind is not None
    validator = jsonschema.Draft7Validator(SCHEMAS[kind], format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    return [e.message for e in validator.iter_errors(as_json(load_yaml_file(path).data))]


def content_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.yaml") if kind_of(p) is not None)


def test_the_schemas_are_valid_draft_07() -> None:
    for schema in SCHEMAS.values():
        jsonschema.Draft7Validator.check_schema(schema)
        assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"


@pytest.mark.parametrize("starter", [False, True], ids=["sample shop", "init's starter shop"])
def test_every_file_of_the_sample_and_the_starter_shop_is_valid(starter: bool, tmp_path: Path) -> None:
    root = REPO / "content"
    if starter:
        init_shop(tmp_path / "shop", ShopSettings(title="Atelier: Céramique #1", language="fr", currency="EUR"))
        new_listing(tmp_path / "shop" / "content", "vase")
        root = tmp_path / "shop" / "content"
    files = content_files(root)
    assert len(files) >= 4
    for path in files:
        assert problems(path) == [], path


def test_the_test_suites_own_fixture_files_are_valid(tmp_path: Path) -> None:
    for name, text in (("site.yaml", SITE_YAML), ("maker.yaml", MAKER_YAML), ("listings/mug.yaml", MUG_YAML)):
        path = tmp_path / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        assert problems(path) == [], name


def _case_files(case: Path) -> list[Path] | None:
    """The case's content files, or None when YAML itself cannot read one (then no schema sees it)."""
    files = content_files(case)
    for path in files:
        try:
            load_yaml_file(path)
        except SiteError:
            return None
    return files


@pytest.mark.parametrize("case", sorted(p.name for p in INVALID.iterdir() if p.is_dir()))
def test_every_mistake_a_schema_can_express_is_rejected_by_it(case: str) -> None:
    files = _case_files(INVALID / case)
    if files is None:
        pytest.skip("a YAML syntax error: the editor's YAML parser reports it, before any schema")
    rejected = {p.relative_to(INVALID / case).as_posix(): problems(p) for p in files}
    rejected = {k: v for k, v in rejected.items() if v}
    if case in BEYOND_A_SCHEMA:
        assert not rejected, f"{case} is rejected by the schema after all: drop it from BEYOND_A_SCHEMA"
    else:
        assert rejected, f"{case}: no schema rejects it"


def test_descriptions_and_closed_choices_reach_the_editor() -> None:
    listing = SCHEMAS["listing"]
    assert "price" in listing["required"] and "title" in listing["required"]
    assert "a dot before the cents" in listing["properties"]["price"]["description"]
    custom = listing["properties"]["customizations"]["items"]
    assert custom["properties"]["type"]["enum"] == ["choice", "text", "number", "checkbox"]
    assert SCHEMAS["maker"]["properties"]["kind"]["enum"] == ["person", "business", None]  # None: `kind:`
    assert "EUR" in SCHEMAS["site"]["properties"]["currency"]["anyOf"][0]["enum"]

    def described(node: dict[str, Any], where: str) -> None:
        for name, prop in node.get("properties", {}).items():
            if prop is False:
                continue
            assert prop.get("description"), f"{where}.{name} has no description"
            described(prop, f"{where}.{name}")
            if isinstance(prop.get("items"), dict):
                described(prop["items"], f"{where}.{name}[]")

    for name, schema in SCHEMAS.items():
        described(schema, name)


def test_a_field_the_type_of_a_customization_does_not_have_is_rejected() -> None:
    validator = jsonschema.Draft7Validator(SCHEMAS["listing"])
    listing = parse_yaml(MUG_YAML, Path("mug.yaml"))
    assert not list(validator.iter_errors(as_json(listing)))
    listing["customizations"][0]["max_length"] = 3  # a choice has no max_length
    assert list(validator.iter_errors(as_json(listing)))


def test_makerfront_schema_writes_what_the_modelines_point_at(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["schema"]) == 0
    assert "Wrote 3 JSON Schemas into .schemas/" in capsys.readouterr().out
    for name in DOCUMENTS:
        written = json.loads((tmp_path / ".schemas" / f"{name}.schema.json").read_text(encoding="utf-8"))
        assert written == SCHEMAS[name]
    assert main(["schema", "elsewhere"]) == 0
    assert (tmp_path / "elsewhere" / "listing.schema.json").is_file()


# -- the editor and the build agree ------------------------------------------------------------

LISTING_HEAD = "title: Blue Mug\nprice: 28\nimages:\n  - {src: images/mug.png, alt: A blue mug}\n"


def verdicts(tmp_path: Path, text: str) -> tuple[list[str], list[str]]:
    """What the listing schema says about ``text`` (a listing file) and what the build says."""
    (tmp_path / "images").mkdir(exist_ok=True)
    (tmp_path / "images" / "mug.png").write_bytes(png_bytes())
    path = tmp_path / "listings" / "mug.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    errors = ErrorList()
    load_listing(load_yaml_file(path), errors, None, tmp_path)
    return problems(path), [str(e) for e in errors.errors]


@pytest.mark.parametrize(
    "lines",
    [
        "currency: eur",
        'currency: " EUR"',
        "currency: Eur",
        "description:",
        "production_time:",
        "tags:",
        "customizations:",
        "private:",
        "order_url:",
        "currency:",
        "date:",
        "extra:",
        "private: true\nexpires: 2027-03-01 10:00:00",
        "private: true\nexpires: 2027-3-1T10:00:00Z",
        "private: true\nexpires: 2027-03-01 10:00:00.5 +02:00",
        'private: true\nexpires: "2027-03-01"',
        "private: true\nbuyer: Ana\npublic_mentions: allowed",
        "private: false\nbuyer:",
        "customizations:\n  - name: Initials\n    type: text\n    instructions:\n    price:",
        "stock: 0",
        "stock: 3",
        "customizations:\n  - name: Colour\n    type: choice\n    default: Red\n    options: [Red, Blue]",
        "shipping:\n  processing_time: 1-3 days\n  regions:\n    - {name: Home, price: 5, free_over: 50, countries: [US]}",
        "order_url: https://buy.example/?ref={title}&total={total}",
    ],
)
def test_what_the_build_accepts_the_editor_accepts(lines: str, tmp_path: Path) -> None:
    schema, build = verdicts(tmp_path, LISTING_HEAD + lines + "\n")
    assert build == []
    assert schema == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("price: 0", "price: must be greater than 0"),
        ('price: "0.00"', "price: must be greater than 0"),
        ('title: ""', "title: must not be empty"),
        ('title: "  "', "title: must not be empty"),
        ("title:", "title: this field is required"),
        ("currency: xyz", "unknown currency code"),
        ("buyer: Ana", "buyer: only private listings have a buyer"),
        ("expires: 2027-03-01", "expires: only private listings have a expires"),
        ("private: false\npublic_mentions: allowed", "public_mentions: only private listings"),
        ("private: true\nexpires: 2027-03-01 10:00", "expires: expected a date written as YYYY-MM-DD"),
        ('private: true\nexpires: "2027-02-30"', "expires: expected a date written as YYYY-MM-DD"),
        ("stock: -1", "stock: must be at least 0"),
        ("shipping:\n  regions:\n    - {name: Home}", "shipping.regions[0].price: this field is required"),
        ("shipping:\n  regions: []", "shipping.regions: list at least one region"),
        ("customizations:\n  - name: Note\n    type: text\n    default: x", "unknown field 'default'"),
    ],
)
def test_what_the_build_refuses_the_editor_underlines(text: str, expected: str, tmp_path: Path) -> None:
    fields = dict(line.split(":", 1) for line in LISTING_HEAD.splitlines()[:2])
    head = "".join(f"{k}:{v}\n" for k, v in fields.items() if not text.startswith(k + ":"))
    schema, build = verdicts(tmp_path, head + "images:\n  - {src: images/mug.png, alt: A blue mug}\n" + text + "\n")
    assert any(expected in message for message in build), build
    assert schema, "the editor shows no error"


def test_required_fields_stay_required_when_left_empty() -> None:
    for name, schema in SCHEMAS.items():
        for field, prop in schema["properties"].items():
            if field in schema.get("required", ()):
                validator = jsonschema.Draft7Validator(prop)
                assert not validator.is_valid(None), f"{name}.{field} accepts nothing"
