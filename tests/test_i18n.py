"""The shop's words in its language: catalogs picked from site.yaml `language:`, English when a
text has no translation, a theme's catalog and site.yaml `strings:` over makerfront's, plural
forms, and every mistake in `strings:` reported at its line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest
from conftest import SITE_YAML, build_site, text_of

from generator.errors import BuildFailed, SiteError
from generator.i18n import LOCALE_DIR, catalog_codes, load_messages

ROOT = Path(__file__).resolve().parent.parent


SECOND = {"listings/plate.yaml": "title: Plate\nprice: 30\nimages:\n  - {src: images/mug.png, alt: A plate}\n"}
"""A second listing, so that one listing per page makes a page 2."""


def site_yaml(extra: str) -> str:
    return SITE_YAML + extra


@pytest.mark.parametrize(
    ("language", "codes"),
    [
        ("de", ("de",)),
        ("de-AT", ("de_AT", "de")),
        ("zh-CN", ("zh_CN",)),
        ("zh-Hans", ("zh_CN",)),
        ("zh-SG", ("zh_CN",)),
        ("zh-TW", ("zh_TW",)),
        ("zh-HK", ("zh_TW",)),
        ("zh-Hant", ("zh_TW",)),
        ("en", ("en",)),
        ("xx-YY", ("xx",)),
    ],
)
def test_the_catalog_follows_the_language_tag(language: str, codes: tuple[str, ...]) -> None:
    assert catalog_codes(language) == codes


def test_a_german_shop_reads_german_and_an_unknown_language_english() -> None:
    de = load_messages("de-CH")
    assert de.catalog == "de"
    assert de.tr("Page %(number)s of %(count)s", number=2, count=3) == "Seite 2 von 3"
    nl = load_messages("nl")
    assert nl.catalog is None
    assert nl.tr("Page %(number)s of %(count)s", number=2, count=3) == "Page 2 of 3"
    assert "Page %(number)s of %(count)s" in nl.missing
    assert load_messages("en").missing == ()


def test_plural_forms_follow_the_language() -> None:
    one, many = (
        "%(num)s handmade piece tagged “%(tag)s” from %(shop)s.",
        "%(num)s handmade pieces tagged “%(tag)s” from %(shop)s.",
    )
    en = load_messages("en")
    assert en.ntr(one, many, 1, tag="mugs", shop="S") == "1 handmade piece tagged “mugs” from S."
    assert en.ntr(one, many, 1200, tag="mugs", shop="S") == "1,200 handmade pieces tagged “mugs” from S."
    de = load_messages("de")
    assert de.ntr(one, many, 1, tag="Becher", shop="S").startswith("1 handgemachtes")
    assert de.ntr(one, many, 1200, tag="Becher", shop="S").startswith("1.200 handgemachte ")
    zh = load_messages("zh-CN")
    assert zh.plural(1) == zh.plural(5) == 0  # Chinese has one form


def test_a_german_shop_builds_in_german(make_site) -> None:
    content = make_site({"site.yaml": site_yaml("language: de\nlistings_per_page: 1\n"), **SECOND})
    result = build_site(content)
    page2 = text_of(result, "page/2/index.html")
    assert "<title>Seite 2 von" in page2
    listing = text_of(result, "listings/blue-mug/index.html")
    mail = unquote(listing.split('id="order-email" href="', 1)[1].split('"', 1)[0])
    assert "subject=Bestellung: Blue Mug" in mail
    assert "Hallo Ada Potter," in mail


def test_strings_in_site_yaml_reword_one_text(make_site) -> None:
    content = make_site(
        {
            "site.yaml": site_yaml(
                'language: de\nstrings:\n  "Page %(number)s of %(count)s": "Blatt %(number)s/%(count)s"\n'
                "listings_per_page: 1\n"
            ),
            **SECOND,
        }
    )
    result = build_site(content)
    assert "<title>Blatt 2/" in text_of(result, "page/2/index.html")


def test_a_theme_catalog_rewords_texts_and_site_yaml_wins_over_it(make_site, tmp_path: Path) -> None:
    po = tmp_path / "themes" / "default" / "locale" / "de" / "LC_MESSAGES" / "makerfront.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        'msgid "Page %(number)s of %(count)s"\nmsgstr "S. %(number)s von %(count)s"\n\n'
        'msgid "About %(name)s"\nmsgstr "Wer ist %(name)s?"\n',
        encoding="utf-8",
    )
    content = make_site(
        {
            "site.yaml": site_yaml('language: de\nlistings_per_page: 1\nstrings:\n  "About %(name)s": "Über mich"\n'),
            **SECOND,
        }
    )
    result = build_site(content)
    assert "<title>S. 2 von" in text_of(result, "page/2/index.html")
    assert "<title>Über mich ·" in text_of(result, "maker/index.html")


def test_translations_are_text_never_markup(make_site) -> None:
    content = make_site(
        {"site.yaml": site_yaml('strings:\n  "About %(name)s": "<script>alert(1)</script> %(name)s"\n')}
    )
    html = text_of(build_site(content), "maker/index.html")
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Ada Potter" in html


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            '  "Page %(nubmer)s of %(count)s": "x"',
            'site.yaml:6:3: strings: no text of the shop reads "Page %(nubmer)s of %(count)s"',
        ),
        (
            '  "About %(name)s": "Über %(maker)s"',
            'site.yaml:6:21: strings: "About %(name)s": %(maker)s is not one of the values',
        ),
        (
            '  "About %(name)s": "100% %(name)s"',
            'site.yaml:6:21: strings: "About %(name)s": a lone % must be written %%',
        ),
        ('  "About %(name)s": [a, b]', 'site.yaml:6:21: strings: "About %(name)s" has one form'),
        ('  "About %(name)s": {a: b}', 'site.yaml:6:21: strings: "About %(name)s": expected your wording'),
        ('  "About %(name)s": " "', 'site.yaml:6:21: strings: "About %(name)s": the wording is empty'),
    ],
)
def test_mistakes_in_strings_name_the_line(make_site, entry: str, message: str) -> None:
    content = make_site({"site.yaml": site_yaml(f"strings:\n{entry}\n")})
    with pytest.raises(BuildFailed) as err:
        build_site(content)
    assert message in str(err.value)


def test_a_misspelt_text_gets_a_did_you_mean(make_site) -> None:
    content = make_site({"site.yaml": site_yaml('strings:\n  "Page %(number)s of %(cuont)s": "x"\n')})
    with pytest.raises(BuildFailed) as err:
        build_site(content)
    assert 'did you mean "Page %(number)s of %(count)s"?' in str(err.value)


def test_catalogs_are_up_to_date_with_the_code_and_the_theme() -> None:
    """Every message the code and the built-in theme use is in makerfront.pot and in every
    shipped .po file (run `python tools/catalogs.py` after changing a text)."""
    done = subprocess.run([sys.executable, "tools/catalogs.py", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_compiled_catalog_is_kept_beside_its_source() -> None:
    assert not list(LOCALE_DIR.rglob("*.mo"))


def test_check_lists_the_texts_with_no_translation(make_site, capsys: pytest.CaptureFixture[str]) -> None:
    from generator.cli import main

    content = make_site({"site.yaml": site_yaml('language: nl\nstrings:\n  "Page not found": Pagina niet gevonden\n')})
    assert main(["check", "--content", str(content), "--themes", str(content.parent / "themes")]) == 0
    out = capsys.readouterr().out
    assert "no Dutch (nl) translation and show in English" in out
    assert '    "Order: %(title)s": ...' in out
    assert '"Page not found"' not in out  # worded in strings:
    assert out.rstrip().endswith("templates checked.")


def test_check_is_quiet_about_a_complete_translation(make_site, capsys: pytest.CaptureFixture[str]) -> None:
    from generator.cli import main

    for language in ("de", "fr", "es", "it", "ja", "zh-CN", "zh-TW", "en"):
        content = make_site({"site.yaml": site_yaml(f"language: {language}\n")})
        assert main(["check", "--content", str(content), "--themes", str(content.parent / "themes")]) == 0
        assert "translation" not in capsys.readouterr().out, language


def test_editing_a_theme_catalog_renders_the_pages_again(make_site, tmp_path: Path) -> None:
    """The build cache keeps pages whose inputs are unchanged: the translations are among them."""
    from conftest import build_into

    po = tmp_path / "themes" / "default" / "locale" / "de" / "LC_MESSAGES" / "makerfront.po"
    po.parent.mkdir(parents=True)
    head = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
    po.write_text(head + 'msgid "About the maker"\nmsgstr "Die Werkstatt"\n', encoding="utf-8")
    content = make_site({"site.yaml": site_yaml("language: de\n")})
    out = tmp_path / "out"
    build_into(content, out)
    assert ">Die Werkstatt</a>" in (out / "index.html").read_text(encoding="utf-8")
    po.write_text(head + 'msgid "About the maker"\nmsgstr "Unsere Werkstatt"\n', encoding="utf-8")
    build_into(content, out)
    assert ">Unsere Werkstatt</a>" in (out / "index.html").read_text(encoding="utf-8")
    assert ">Unsere Werkstatt</a>" in (out / "listings/blue-mug/index.html").read_text(encoding="utf-8")


def test_a_broken_theme_catalog_is_named(make_site, tmp_path: Path) -> None:
    po = tmp_path / "themes" / "default" / "locale" / "de" / "LC_MESSAGES" / "makerfront.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid "About the maker"\nmsgstr "Die Werkstatt"\nmsgtr "x"\n', encoding="utf-8")
    content = make_site({"site.yaml": site_yaml("language: de\n")})
    with pytest.raises(SiteError) as err:
        build_site(content)
    assert "makerfront.po:3: this translation catalog cannot be read" in str(err.value)


def test_a_translation_with_a_value_its_message_lacks_is_named_at_its_line(make_site, tmp_path: Path) -> None:
    po = tmp_path / "themes" / "default" / "locale" / "de" / "LC_MESSAGES" / "makerfront.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid "About the maker"\nmsgstr "Werkstatt"\n\nmsgid "About %(name)s"\nmsgstr "Über %(nmae)s"\n')
    content = make_site({"site.yaml": site_yaml("language: de\n")})
    with pytest.raises(BuildFailed) as err:
        build_site(content)
    assert 'makerfront.po:4: "About %(name)s": %(nmae)s is not one of the values this text can show' in str(err.value)


def test_every_shipped_catalog_loads() -> None:
    """Each shipped translation is complete and its values match its messages (a wrong %(name)s
    would fail the page; load_messages checks each one)."""
    codes = sorted(p.parent.parent.name for p in LOCALE_DIR.glob("*/LC_MESSAGES/makerfront.po"))
    assert {"de", "fr", "es", "it", "ja", "zh_CN", "zh_TW"} <= set(codes)
    for code in codes:
        messages = load_messages(code.replace("_", "-"))
        assert messages.catalog == code
        assert messages.missing == (), code


@pytest.mark.parametrize(
    ("language", "about", "order"),
    [
        ("fr-CA", "L’artisan", "Commander par e-mail"),
        ("es", "Sobre el taller", "Pedir por correo"),
        ("it", "Chi crea", "Ordina via email"),
        ("ja", "作り手について", "メールで注文"),
        ("zh-Hant", "關於創作者", "用電子郵件訂購"),
    ],
)
def test_every_shipped_language_builds_a_shop_in_it(make_site, language: str, about: str, order: str) -> None:
    result = build_site(make_site({"site.yaml": site_yaml(f"language: {language}\n")}))
    home = text_of(result, "index.html")
    assert f'<html lang="{language}">' in home and f">{about}</a>" in home
    assert f">{order}</a>" in text_of(result, "listings/blue-mug/index.html")


def test_a_language_without_a_catalog_counts_by_its_own_plural_rule(make_site) -> None:
    """Polish has three plural forms: site.yaml `strings:` words each, and the shop picks the
    right one (1 / 2-4 / 5 and more) although makerfront ships no Polish catalog."""
    one, many = "%(num)s piece tagged “%(tag)s”.", "%(num)s pieces tagged “%(tag)s”."
    pl = load_messages("pl")
    assert pl.catalog is None
    assert [pl.plural(n) for n in (1, 3, 5, 22, 25)] == [0, 1, 2, 1, 2]
    forms = '["%(num)s praca", "%(num)s prace", "%(num)s prac"]'
    content = make_site({"site.yaml": site_yaml(f'language: pl\nstrings:\n  "{one}": {forms}\n')})
    html = text_of(build_site(content), "tags/mugs/index.html")
    assert "1 praca" in html and many not in html
    two = '["%(num)s praca", "%(num)s prace"]'
    content = make_site({"site.yaml": site_yaml(f'language: pl\nstrings:\n  "{one}": {two}\n')})
    with pytest.raises(BuildFailed) as err:
        build_site(content)
    assert "Polish has 3 plural forms; expected 3 wordings (or one for every number), got 2" in str(err.value)
