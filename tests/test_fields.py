"""Field validation: exact money, clear expected-vs-found messages, paths that stay in content/."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from generator.errors import ErrorList
from generator.fields import Reader
from generator.load import parse_yaml


def reader(text: str, root: Path | None = None) -> tuple[Reader, ErrorList]:
    errors = ErrorList()
    path = Path("listing.yaml")
    return Reader(parse_yaml(text, path), path, errors, content_root=root), errors


def messages(errors: ErrorList) -> list[str]:
    return [str(e) for e in errors.errors]


@pytest.mark.parametrize(
    ("written", "currency", "minor"),
    [
        ("19.99", "USD", 1999),
        ("0.29", "USD", 29),  # 0.29 * 100 is 28.999999999999996 in floating point
        ("1.10", "USD", 110),
        ("28", "USD", 2800),
        ('"12.50"', "USD", 1250),
        ("4.1", "EUR", 410),
        ("1234567.89", "USD", 123456789),
        ("3000", "JPY", 3000),
        ("3000.0", "JPY", 3000),
        ("0", "USD", 0),
        ("1_000", "USD", 100000),
    ],
)
def test_money_is_exact_minor_units(written: str, currency: str, minor: int) -> None:
    r, errors = reader(f"price: {written}\n")
    assert r.money("price", currency) == minor
    assert not errors


@pytest.mark.parametrize(
    ("written", "currency", "message"),
    [
        ("twelve", "USD", 'listing.yaml:1:8: price: expected a price such as 12 or 12.50, got "twelve"'),
        (
            '"$12"',
            "USD",
            'listing.yaml:1:8: price: expected a price such as 12 or 12.50, got "$12"\n'
            "  hint: write only the number, without a currency sign",
        ),
        (
            "€12",
            "EUR",
            'listing.yaml:1:8: price: expected a price such as 12 or 12.50, got "€12"\n'
            "  hint: write only the number, without a currency sign",
        ),
        (
            "12,50",
            "EUR",
            'listing.yaml:1:8: price: expected a price such as 12 or 12.50, got "12,50"\n'
            "  hint: use a dot before the cents: 12.50",
        ),
        (
            "1,200",
            "USD",
            'listing.yaml:1:8: price: expected a price such as 12 or 12.50, got "1,200"\n'
            "  hint: use a dot before the cents: 12.50; and no comma between thousands: 1200",
        ),
        ("-5", "USD", "listing.yaml:1:8: price: must be 0 or more (got -5)"),
        ("12.999", "USD", "listing.yaml:1:8: price: USD prices have at most 2 decimals (got 12.999)"),
        ("12.5", "JPY", "listing.yaml:1:8: price: JPY prices have no decimals (got 12.5)"),
        ("true", "USD", "listing.yaml:1:8: price: expected a price such as 12 or 12.50, got true"),
        (".nan", "USD", 'listing.yaml:1:8: price: expected a price such as 12 or 12.50, got ".nan"'),
        ("[1, 2]", "USD", "listing.yaml:1:8: price: expected a price such as 12 or 12.50, got a list"),
        ("2026-01-01", "USD", "listing.yaml:1:8: price: expected a price such as 12 or 12.50, got 2026-01-01"),
    ],
)
def test_bad_money_is_reported_with_what_was_found(written: str, currency: str, message: str) -> None:
    r, errors = reader(f"price: {written}\n")
    assert r.money("price", currency) is None
    assert messages(errors) == [message]


def test_price_must_be_positive_when_asked() -> None:
    r, errors = reader("price: 0\n")
    assert r.money("price", "USD", positive=True) is None
    assert messages(errors) == ["listing.yaml:1:8: price: must be greater than 0 (got 0)"]


def test_required_field_missing_and_unknown_field_suggestion() -> None:
    r, errors = reader("titel: Mug\nprice: 3\nzzz: 1\n")
    r.req_text("title")
    r.money("price", "USD")
    r.done()
    assert messages(errors) == [
        "listing.yaml:1:1: title: this field is required but missing from the file\n  hint: add a line 'title: ...'",
        "listing.yaml:1:1: titel: unknown field 'titel'\n  hint: did you mean 'title'?",
        "listing.yaml:3:1: zzz: unknown field 'zzz'\n  hint: known fields: price, title",
    ]


def test_text_keeps_what_the_maker_typed() -> None:
    r, errors = reader("a: 1984\nb: 12.50\nc: 2026-01-02\nd: '  padded  '\ne: yes\nf: true\n")
    assert [r.text(k) for k in "abcde"] == ["1984", "12.50", "2026-01-02", "padded", "yes"]
    assert r.text("f") is None
    assert messages(errors) == ["listing.yaml:6:4: f: expected text, got true\n  hint: put the text in quotes"]


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "shop.example",
        "//shop.example/",
        "https://",
        "https://shop .example/",
        "ftp://x.example/",
    ],
)
def test_url_must_be_a_full_web_address(url: str) -> None:
    r, errors = reader(f"u: {url!r}\n")
    assert r.url("u") is None
    assert messages(errors) == [f'listing.yaml:1:4: u: expected a full web address starting with https://, got "{url}"']


@pytest.mark.parametrize("email", ["ada", "ada@shop", "ada@shop.example?cc=x@evil.example", "a b@shop.example"])
def test_email_is_checked(email: str) -> None:
    r, errors = reader(f"e: {email!r}\n")
    assert r.email("e") is None
    assert messages(errors) == [f'listing.yaml:1:4: e: expected an email address, got "{email}"']
    r, errors = reader("e: ada@shop.example\n")
    assert r.email("e") == "ada@shop.example"


def test_currency_codes() -> None:
    r, errors = reader("a: eur\nb: JPY\nc: XXZ\n")
    assert (r.currency("a", "USD"), r.currency("b", "USD"), r.currency("c", "USD")) == ("EUR", "JPY", "USD")
    assert len(errors.errors) == 1 and 'c: unknown currency code "XXZ"' in messages(errors)[0]


def test_content_paths_stay_inside_content(tmp_path: Path) -> None:
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "mug.png").write_bytes(b"x")
    (tmp_path / "outside.png").write_bytes(b"x")
    content = tmp_path / "content"
    content.mkdir()
    (content / "images").mkdir()
    (content / "images" / "ok.png").write_bytes(b"x")
    (content / "images" / "link.png").symlink_to(tmp_path / "outside.png")
    text = (
        "a: images/ok.png\nb: ../outside.png\nc: /etc/passwd\nd: 'C:\\\\x.png'\ne: images/link.png\n"
        "f: images\ng: images/missing.png\nh: https://x.example/a.png\ni: images\\\\ok.png\n"
    )
    r, errors = reader(text, root=content)
    got = {k: r.content_path(k) for k in "abcdefghi"}
    assert got == {k: None for k in "bcdefgh"} | {"a": Path("images/ok.png"), "i": Path("images/ok.png")}
    assert [m.split(": ", 2)[0] for m in messages(errors)] == [f"listing.yaml:{n}:4" for n in range(2, 9)]
    assert "'..' is not allowed" in messages(errors)[0]
    assert "links to a place outside the content folder" in messages(errors)[3]
    assert "images is a folder, not a file" in messages(errors)[4]
    assert "file not found: content/images/missing.png" in messages(errors)[5]


# -- a build checks each named file once ------------------------------------------------------------


@pytest.mark.parametrize("jobs", [1, 2])
def test_every_listing_naming_a_missing_or_outside_photo_is_reported_at_its_own_line(
    make_site, tmp_path: Path, jobs: int
) -> None:
    from conftest import MUG_YAML, build_site

    from generator.errors import BuildFailed

    outside = tmp_path / "elsewhere.png"
    outside.write_bytes(b"")
    files = {
        f"listings/mug-{i:02d}.yaml": ("\n" * i) + MUG_YAML.replace("images/mug.png", "images/gone.png")
        for i in range(6)
    }
    content = make_site(files)
    (content / "images" / "linked.png").symlink_to(outside)
    for i in range(6, 9):
        (content / "listings" / f"mug-{i:02d}.yaml").write_text(MUG_YAML.replace("images/mug.png", "images/linked.png"))
    with pytest.raises(BuildFailed) as failed:
        build_site(content, jobs=jobs)
    found = sorted((e.path.name, e.line) for e in failed.value.errors if e.path is not None)
    # MUG_YAML names its photo on line 4; each file above starts with i blank lines.
    assert found == [(f"mug-{i:02d}.yaml", 4 + i) for i in range(6)] + [(f"mug-{i:02d}.yaml", 4) for i in range(6, 9)]
    messages = [str(e) for e in failed.value.errors]
    assert sum("file not found: content/images/gone.png" in m for m in messages) == 6
    assert sum("links to a place outside the content folder" in m for m in messages) == 3


def test_a_build_checks_each_named_file_once_and_the_next_build_looks_again(tmp_path: Path) -> None:
    from generator import fields

    calls: list[str] = []

    def check() -> str:
        calls.append("checked")
        return "result"

    checks = fields.FileChecks()
    assert checks.once(("k",), check) == checks.once(("k",), check) == "result"
    assert calls == ["checked"]
    fields.checked(fields.FileChecks(), ("k",), check)  # the next build's checks
    fields.checked(None, ("k",), check)  # a file read on its own (the dev server's early preview)
    assert calls == ["checked"] * 3


@pytest.mark.parametrize(
    ("written", "shown"),
    [("1:30", '"1:30"'), ("0x1F", '"0x1F"'), ("0o17", '"0o17"'), ("2026-01-01", "2026-01-01")],
)
def test_a_wrong_value_is_shown_as_typed_not_as_yaml_1_1_read_it(written: str, shown: str) -> None:
    r, errors = reader(f"price: {written}\nstep: {written}\n")
    r.money("price", "USD")
    assert messages(errors) == [f"listing.yaml:1:8: price: expected a price such as 12 or 12.50, got {shown}"]
    r.boolean("step", default=False)
    assert messages(errors)[1] == f"listing.yaml:2:7: step: expected true or false, got {shown}"


@pytest.mark.parametrize(
    ("written", "day"),
    [("2027-03-01", date(2027, 3, 1)), ('"2027-03-01"', date(2027, 3, 1)), ("2027-03-01 10:00:00", date(2027, 3, 1))],
)
def test_a_date_may_be_quoted(written: str, day: date) -> None:
    r, errors = reader(f"expires: {written}\n")
    assert r.day("expires") == day
    assert not errors


@pytest.mark.parametrize("written", ['"2027-02-30"', '"20270301"', '"2027-W09-1"', "2027-03-01 10:00", '" 2027-03-01"'])
def test_a_quoted_date_must_be_a_real_yyyy_mm_dd(written: str) -> None:
    r, errors = reader(f"expires: {written}\n")
    assert r.day("expires") is None
    assert messages(errors)[0].startswith("listing.yaml:1:10: expires: expected a date written as YYYY-MM-DD, got")
