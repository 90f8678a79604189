"""The leak guard on its own: fed a real plan and outputs with one private value planted in them."""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from conftest import REPO, TEST_SECRET, build_site, png_bytes, text_of, write_files
from markupsafe import escape

from generator.errors import BuildFailed, display_path
from generator.guard import _INVISIBLE, _INVISIBLE_UTF8, INVISIBLE, check_outputs, find_leaks, normalise, readable_forms
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


def test_token_is_found_inside_a_longer_run_of_letters(built: BuildResult) -> None:
    token = built.plan.private_listings[0].token
    found = kinds(built, planted(built, "index.html", f"data-x=zz{token.upper()}abc"))
    assert found == {("index.html", "secret address (p/...)")}


# -- the maker's own text is not exempt ------------------------------------------------------------

SAM = """\
# A custom order
title: "Garden Birds Mug Set: Wood Duck, American Robin and Purple Finch"
price: 114
private: true
buyer: Sam Whitfield
images:
  - {src: images/mug.png, alt: Three mugs}
description: Three mugs.
"""

FAQ = """\
---
title: FAQ
---
## Custom orders

Yes, I take them.

{text}

More questions? Write to me.
"""


def faq_site(make_site, text: str, listing: str = SAM) -> Path:
    return make_site({"listings/bird-mugs-for-sam.yaml": listing, "pages/faq.md": FAQ.format(text=text)})


def leak_errors(content: Path) -> list:
    with pytest.raises(BuildFailed) as err:
        build_site(content)
    message = str(err.value)
    # Build logs may be public: fields and files are named, never the values or the token.
    assert "whitfield" not in message.lower() and "garden birds" not in message.lower()
    assert not re.search(r"p/[a-z2-7]{32}", message)
    return err.value.errors


def test_a_buyer_thanked_on_a_page_fails_naming_both_files_and_lines(make_site) -> None:
    content = faq_site(make_site, "Thank you, Sam Whitfield, for the Garden Birds Mug Set!")
    [error] = leak_errors(content)
    assert (error.path, error.line) == (content / "pages" / "faq.md", 8)
    listing = display_path(content / "listings" / "bird-mugs-for-sam.yaml")
    assert error.message == (
        f"private listing leak: this line has the buyer ({listing}:5) of a private listing, so the page "
        "faq/index.html (template page.html) would show it; a private listing may appear only on its own page"
    )
    assert error.hint == (
        "nothing was written. Reword this line; or, if naming that listing in public is on purpose, "
        f"add 'public_mentions: allowed' to {listing} (its address stays secret)"
    )


@pytest.mark.parametrize(
    "written",
    [
        "Thanks, Sam&nbsp;Whitfield!",
        "Thanks, Sam&#160;Whitfield!",
        "Thanks, Sam Whit&shy;field!",
        "Thanks, Sam Whit&#173;field!",
        "Thanks, Sam Whit\u00adfield!",  # a raw soft hyphen
        "Thanks, Sam  Whitfield!",
        "Thanks, Sam\u00a0\u3000Whitfield!",
        "Thanks, SAM WHITFIELD!",
        "Thanks, Sam Whit\u200dfield!",  # zero-width joiner
        "Thanks, Sam Whit\u200bfield\ufeff!",  # zero-width space, byte order mark
        "Thanks, \uff33\uff41\uff4d \uff37\uff48\uff49\uff54\uff46\uff49\uff45\uff4c\uff44!",  # fullwidth
        "Thanks, **Sam** Whitfield!",
    ],
)
def test_the_buyer_is_found_however_the_maker_writes_it(make_site, written: str) -> None:
    [error] = leak_errors(faq_site(make_site, written))
    assert (error.path.name, error.line) == ("faq.md", 8), written
    assert "this line has the buyer (" in error.message


def test_a_name_broken_over_two_lines_is_traced_to_its_first(make_site) -> None:
    [error] = leak_errors(faq_site(make_site, "Thank you, Sam\nWhitfield, for your order."))
    assert (error.path.name, error.line) == ("faq.md", 8)


def test_title_and_buyer_on_one_line(make_site) -> None:
    text = "Sam Whitfield ordered the garden birds mug set: wood duck, American robin and purple finch."
    [error] = leak_errors(faq_site(make_site, text))
    listing = display_path(make_site() / "listings" / "bird-mugs-for-sam.yaml")
    assert f"this line has the title ({listing}:2) and buyer ({listing}:5) of a private listing" in error.message
    assert "would show them" in error.message


def test_smart_punctuation_does_not_hide_a_title(make_site) -> None:
    """Markdown writes a typed ' as ’ and -- as –; the listing's title keeps them as typed."""
    listing = SAM.replace('"Garden Birds Mug Set: Wood Duck, American Robin and Purple Finch"', "Sam's Mugs -- Birds")
    content = faq_site(make_site, "Have a look at Sam's Mugs -- Birds.", listing=listing)
    assert "Sam’s Mugs – Birds" in text_of(build_site(content, leak_guard=False), "faq/index.html")
    [error] = leak_errors(content)
    assert "this line has the title (" in error.message and (error.path.name, error.line) == ("faq.md", 8)


def test_a_public_listing_with_a_private_listings_title_is_caught(make_site) -> None:
    public = 'title: "Garden Birds Mug Set: Wood Duck, American Robin and Purple Finch"\nprice: 40\n'
    public += "images:\n  - {src: images/mug.png, alt: A mug}\n"
    content = make_site({"listings/bird-mugs-for-sam.yaml": SAM, "listings/bird-mugs.yaml": public})
    [error] = leak_errors(content)
    assert (error.path.name, error.line) == ("bird-mugs.yaml", 1)
    assert "this line has the title (" in error.message
    assert "listings/bird-mugs/index.html" in error.message


def test_the_maker_profile_and_site_yaml_are_searched_too(make_site) -> None:
    maker = "name: Ada Potter\nbio: |\n  I make mugs.\n\n  Last month: a set for Sam Whitfield.\n"
    maker += "custom_orders:\n  enabled: true\n"
    [error] = leak_errors(make_site({"listings/bird-mugs-for-sam.yaml": SAM, "maker.yaml": maker}))
    assert (error.path.name, error.line) == ("maker.yaml", 5)


def test_public_mentions_allowed_lets_title_and_buyer_through_but_never_the_address(make_site) -> None:
    allowed = SAM + "public_mentions: allowed\n"
    text = "Thank you, Sam Whitfield, for the Garden Birds Mug Set: Wood Duck, American Robin and Purple Finch!"
    result = build_site(faq_site(make_site, text, listing=allowed))
    assert "Sam Whitfield" in text_of(result, "faq/index.html")
    token = result.plan.private_listings[0].token
    content = faq_site(make_site, text + f" [Your page](https://s.example/p/{token}/)", listing=allowed)
    [error] = leak_errors(content)
    assert error.path is not None and error.path.name == "bird-mugs-for-sam.yaml"
    assert "would contain this private listing's secret address (p/...)" in error.message


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("public_mentions: yes please", 'public_mentions: expected "allowed", got "yes please"'),
        ("public_mentions: Allowed", 'public_mentions: expected "allowed", got "Allowed"'),
    ],
)
def test_public_mentions_takes_only_allowed(make_site, line: str, message: str) -> None:
    with pytest.raises(BuildFailed) as err:
        build_site(make_site({"listings/bird-mugs-for-sam.yaml": SAM + line + "\n"}))
    assert message in str(err.value)


def test_public_mentions_is_for_private_listings_only(make_site) -> None:
    public = SAM.replace("private: true\nbuyer: Sam Whitfield\n", "") + "public_mentions: allowed\n"
    with pytest.raises(BuildFailed, match="public_mentions: only private listings have a public_mentions"):
        build_site(make_site({"listings/bird-mugs.yaml": public}))


def test_a_theme_that_prints_the_buyer_is_traced_to_its_template(make_site, tmp_path: Path) -> None:
    site_yaml = "title: T\nbase_url: https://s.example/\ntheme: mine\ncontact:\n  email: a@b.example\n"
    content = make_site({"listings/bird-mugs-for-sam.yaml": SAM, "site.yaml": site_yaml})
    footer = "<footer>\n<p>Our favourite customer:\nSam Whitfield</p>\n</footer>\n"
    write_files(tmp_path / "themes", {"mine/templates/partials/footer.html": footer})
    [error] = leak_errors(content)
    assert error.path == tmp_path / "themes" / "mine" / "templates" / "partials" / "footer.html"
    assert error.line == 3


def test_an_untraceable_leak_names_the_listing_and_the_outputs(built: BuildResult) -> None:
    with pytest.raises(BuildFailed) as err:
        check_outputs(built.plan, planted(built, "maker/index.html", "made for zo&euml; o&#39;hara"), TEST_SECRET)
    [error] = err.value.errors
    assert error.path is not None and error.path.name == "heron.yaml"
    assert error.message.startswith("private listing leak: the page maker/index.html (template maker.html) would ")
    assert "this private listing's buyer" in error.message


def test_the_sample_shop_has_no_false_positive() -> None:
    content = REPO / "content"
    if not (content / "site.yaml").is_file():
        pytest.skip("sample content/ not in this checkout")
    result = build_site(content, themes=REPO / "themes", leak_guard=False)
    assert [x.listing.buyer for x in result.plan.private_listings] == ["Sam Whitfield"]
    assert list(find_leaks(result.plan, result.outputs, TEST_SECRET)) == []


# -- normalising -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("Sam&nbsp;Whitfield", "sam whitfield"),
        ("Sam\u00a0\u2003\u3000 Whitfield\n", "sam whitfield"),
        ("Whit&shy;field Whit&#173;field Whit&#xAD;field Whit\u00adfield", "whitfield whitfield whitfield whitfield"),
        ("Whit\u200b\u200c\u200d\u2060\ufefffield", "whitfield"),
        ("\uff33\uff21\uff2d", "sam"),
        ("STRASSE Stra\u00dfe", "strasse strasse"),
        ("Zoe\u0308 Zo\u00eb", "zo\u00eb zo\u00eb"),
        ("Sam\u2019s \u201cmug\u201d \u2013 \u2014", 'sam\'s "mug" -- ---'),
        ("\ufb01ne \u2026", "fine ..."),
    ],
)
def test_normalise(written: str, normalised: str) -> None:
    assert normalise(written) == normalised


def test_every_format_character_is_invisible() -> None:
    """INVISIBLE holds every format character (Cf) of the running Python's Unicode database, and the
    quick look at UTF-8 bytes agrees with the character class."""
    cf = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"]
    assert [ch for ch in cf if not _INVISIBLE.match(ch)] == []
    listed = [chr(c) for low, high in INVISIBLE for c in range(low, high + 1)]
    assert all(_INVISIBLE_UTF8.search(ch.encode("utf-8")) for ch in listed)
    others = [chr(c) for c in range(0x20, 0x3000) if not _INVISIBLE.match(chr(c)) and not 0xD800 <= c < 0xE000]
    assert not any(_INVISIBLE_UTF8.search(ch.encode("utf-8")) for ch in others)


@pytest.mark.parametrize(
    "written",
    [
        json.dumps("Zo\u00eb O'Ha\u00adra")[1:-1],  # a soft hyphen as \u00ad in JSON
        quote("Zo\u00eb O'Ha\u200dra", safe=""),  # a zero-width joiner percent-encoded
        "Zo%C3%AB O%27%48ara",  # a letter percent-encoded
        "Zo\\u00eb O'\\u0048ara",  # a letter as a JSON escape
        "Zo\u00eb O'\uff28ara",  # a fullwidth letter
        json.dumps("Zo\u00eb O'\U0001d407ara")[1:-1],  # a mathematical bold H, as a JSON surrogate pair
    ],
)
def test_escapes_that_make_letters_are_undone(built: BuildResult, written: str) -> None:
    assert kinds(built, planted(built, "maker/index.html", written)) == {("maker/index.html", "buyer")}
