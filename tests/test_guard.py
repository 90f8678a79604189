"""The leak guard on its own: fed a real plan and outputs with one private value planted in them."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from conftest import TEST_SECRET, build_site, png_bytes
from markupsafe import escape

from generator.errors import BuildFailed
from generator.guard import check_outputs, find_leaks, readable_forms
from generator.pipeline import BuildResult
from generator.write import Content

PRIVATE = """\
title: Heronsgate Pitcher
price: 70
private: true
buyer: Zoë O'Hara
images:
  - {src: images/heron-pitcher.png, alt: A pitcher}
description: A pitcher.
"""

BUYER = "Zoë O'Hara"


@pytest.fixture
def built(make_site) -> BuildResult:
    content = make_site({"listings/heron.yaml": PRIVATE, "images/heron-pitcher.png": png_bytes((5, 5, 5))})
    return build_site(content, leak_guard=False)


def planted(result: BuildResult, path: str, text: str) -> dict[str, Content]:
    outputs = dict(result.outputs)
    page = result.outputs["index.html"]
    assert isinstance(page, bytes)
    outputs[path] = page.replace(b"</main>", text.encode("utf-8") + b"</main>")
    return outputs


def kinds(result: BuildResult, outputs: dict[str, Content]) -> set[tuple[str, str]]:
    return {(out, n.kind) for out, n in find_leaks(result.plan, outputs, TEST_SECRET)}


def test_clean_build_has_no_findings(built: BuildResult) -> None:
    assert kinds(built, dict(built.outputs)) == set()
    check_outputs(built.plan, built.outputs, TEST_SECRET)


@pytest.mark.parametrize(
    "written",
    [
        BUYER,
        str(escape(BUYER)),  # Jinja autoescape
        BUYER.upper(),  # {{ buyer|upper }}
        quote(BUYER, safe=""),  # a mailto body or query string
        quote_plus(BUYER),
        json.dumps(BUYER)[1:-1],
        json.dumps(BUYER, ensure_ascii=True)[1:-1],
        str(escape(json.dumps({"to": BUYER}))),  # JSON in an HTML attribute
        "mailto:a@b.example?body=Hello%0A" + quote(BUYER, safe="") + "%0A",
        f"<p>Made for {BUYER}.</p>",
    ],
)
def test_buyer_is_found_however_it_is_encoded(built: BuildResult, written: str) -> None:
    assert kinds(built, planted(built, "maker/index.html", written)) == {("maker/index.html", "buyer")}


@pytest.mark.parametrize("written", ["Zoë O'Haras", "Zoë", "XZoë O'Hara"])
def test_other_words_are_not_the_buyer(built: BuildResult, written: str) -> None:
    assert kinds(built, planted(built, "maker/index.html", written)) == set()


def test_title_and_photo_name_are_found_but_not_inside_other_names(built: BuildResult) -> None:
    found = kinds(built, planted(built, "index.html", "HERONSGATE PITCHER <img src=x/heron-pitcher.png>"))
    assert found == {("index.html", "title"), ("index.html", "photo file name")}
    assert kinds(built, planted(built, "index.html", "big-heron-pitcher.png heron-pitcher.png.webp")) == set()


def test_token_is_found_in_binary_files_and_file_names(built: BuildResult, tmp_path: Path) -> None:
    token = built.plan.private_listings[0].token
    blob = tmp_path / "photo.jpg"
    blob.write_bytes(b"\xff\xd8\x00" + token.encode() + b"\x00\xff")
    outputs = dict(built.outputs)
    outputs["images/photo.jpg"] = blob
    outputs[f"static/{token}.css"] = b""
    assert kinds(built, outputs) == {
        ("images/photo.jpg", "secret address (p/...)"),
        (f"static/{token}.css", "secret address (p/...)"),
    }


def test_values_inside_the_listings_own_folder_are_allowed(built: BuildResult) -> None:
    folder = built.plan.private_listings[0].url
    outputs = planted(built, folder + "notes.txt", f"{BUYER} {folder}")
    assert kinds(built, outputs) == set()


def test_secret_is_allowed_nowhere(built: BuildResult) -> None:
    folder = built.plan.private_listings[0].url
    outputs = planted(built, folder + "index.html", TEST_SECRET)
    assert kinds(built, outputs) == {(folder + "index.html", "site secret")}
    with pytest.raises(BuildFailed) as err:
        check_outputs(built.plan, outputs, TEST_SECRET)
    assert TEST_SECRET not in str(err.value)
    assert built.plan.private_listings[0].token not in str(err.value)
    assert "p/<heron>/index.html" in str(err.value)


def test_readable_forms_undo_nested_escapes() -> None:
    forms = readable_forms("a=&#34;Zo\\u00eb%20O%27Hara&#34;")
    assert 'a="zoë o\'hara"' in forms


def test_short_values_are_not_searched(make_site) -> None:
    listing = "title: Ox\nprice: 5\nprivate: true\nbuyer: Al\nimages:\n  - {src: images/mug.png, alt: m}\n"
    result = build_site(make_site({"listings/ox.yaml": listing}), leak_guard=False)
    outputs = dict(result.outputs)
    outputs["extra.txt"] = b"Al and the Ox"
    assert {n.kind for _, n in find_leaks(result.plan, outputs, TEST_SECRET)} == set()


def test_token_is_found_upper_cased_or_percent_encoded(built: BuildResult) -> None:
    url = built.plan.private_listings[0].url
    for written in (url.upper(), quote(url, safe="")):
        found = kinds(built, planted(built, "tags/mugs/index.html", written))
        assert found == {("tags/mugs/index.html", "secret address (p/...)")}, written


CJK_PRIVATE = """\
title: 给小明的红杯子
price: 70
private: true
buyer: 山田花子
images:
  - {src: images/mug.png, alt: A cup}
"""


@pytest.mark.parametrize(
    ("written", "kind"),
    [
        ("<p>看看给小明的红杯子吧</p>", "title"),  # Chinese puts no spaces between words
        ("<p>山田花子さんへ</p>", "buyer"),  # a Japanese particle follows the name
        ("<p>Made for 山田花子.</p>", "buyer"),
    ],
)
def test_text_in_scripts_without_spaces_is_found_inside_a_sentence(make_site, written: str, kind: str) -> None:
    result = build_site(make_site({"listings/cup.yaml": CJK_PRIVATE}), leak_guard=False)
    assert kinds(result, planted(result, "maker/index.html", written)) == {("maker/index.html", kind)}


@pytest.mark.parametrize("written", ["Zoë O'Haras", "XZoë O'Hara", "ЗоиZoë O'Hara"])
def test_a_latin_or_cyrillic_word_still_needs_its_own_boundaries(built: BuildResult, written: str) -> None:
    assert kinds(built, planted(built, "maker/index.html", written)) == set()
