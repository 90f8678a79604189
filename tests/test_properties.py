"""Property tests: any text a maker types survives escaping and mail links; any price is exact."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from pathlib import Path

from conftest import build_site, default_files, text_of, write_files
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sitecheck import mailto_parts, parse, yaml_str

from generator.errors import ErrorList
from generator.fields import Reader
from generator.load import parse_yaml
from generator.render import mailto
from generator.schema import MAX_PRICE
from generator.text import slugify

# What a maker can type: any printable character, including quotes, <, >, & and emoji.
printable = st.characters(exclude_categories=("Cc", "Cs", "Cn", "Co", "Zl", "Zp"))
maker_text = st.text(printable, min_size=1, max_size=40).map(str.strip).filter(bool)


@given(address=st.emails(), subject=st.text(st.characters(exclude_categories=("Cs",))), body=st.text())
def test_mailto_round_trips_any_text(address: str, subject: str, body: str) -> None:
    href = mailto(address, subject, body)
    assert re.fullmatch(r"mailto:[^?#\s]+\?subject=[^&#\s]*&body=[^&#\s]*", href), href
    to, fields = mailto_parts(href)
    assert (to, fields) == (address, {"subject": subject, "body": body})


@given(
    amount=st.decimals(
        min_value=0, max_value=MAX_PRICE - Decimal("0.01"), places=2, allow_nan=False, allow_infinity=False
    )
)
def test_any_two_decimal_price_is_exact_in_cents(amount: Decimal) -> None:
    errors = ErrorList()
    r = Reader(parse_yaml(f"price: {amount}\n", Path("x.yaml")), Path("x.yaml"), errors)
    assert r.money("price", "USD") == int(amount * 100)
    assert not errors


@given(text=st.text())
def test_slugs_are_words_joined_by_single_hyphens(text: str) -> None:
    """Letters, digits and marks of any script (tags/帽子/), never a character a path or an
    address treats specially; ASCII text gives an ASCII slug, and a slug is its own slug."""
    slug = slugify(text)
    words = slug.split("-")
    assert slug == "" or all(words), slug
    assert all(unicodedata.category(ch)[0] in "LNM" for ch in slug.replace("-", "")), slug
    assert not text.isascii() or re.fullmatch(r"([a-z0-9]+(-[a-z0-9]+)*)?", slug)
    assert slugify(slug) == slug


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=maker_text, label=maker_text)
def test_any_title_and_option_label_round_trip_through_the_page(tmp_path: Path, title: str, label: str) -> None:
    content = tmp_path / "content"
    files = default_files()
    files["listings/blue-mug.yaml"] = (
        f"title: {yaml_str(title)}\nprice: 28\nimages:\n  - {{src: images/mug.png, alt: {yaml_str(label)}}}\n"
        f"customizations:\n  - name: Colour\n    type: choice\n    options: [{yaml_str(label)}]\n"
    )
    write_files(content, files)
    page = parse(text_of(build_site(content), "listings/blue-mug/index.html"))
    assert page.one("h1").text == title
    (option,) = [o for o in page.find("option") if o.attrs["value"]]  # after "Choose…"
    assert option.attrs["value"] == label
    assert option.text == label
    assert [img.attrs["alt"] for img in page.find("img")] == [label]
    _, mail = mailto_parts(page.one("a", id="order-email").attrs["href"] or "")
    assert mail["subject"] == f"Order: {title}"
