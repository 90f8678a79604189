"""A German and a Simplified Chinese shop, written by their makers in their own language, show
no English: every text of every page (visible text, accessibility labels, what search engines
and link previews read, the order and custom-order mails, the scripts' texts) is compared with
the English messages of makerfront's catalog. And no English text of the built-in theme is
written outside the catalog (a source check of every template and script)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest
from conftest import build_into, png_bytes
from jinja2 import Environment, nodes

from generator.i18n import load_messages, template_messages
from generator.theme import BUILTIN_THEMES

PNG = png_bytes()

SHOPS: dict[str, dict[str, str]] = {
    "de": {
        "title": "Töpferei am Fluss",
        "description": "Steinzeug von Hand gedreht.",
        "maker": "Greta Sommer",
        "location": "Lüneburg",
        "intro": "Ich drehe Becher und Schalen.",
        "bio": "Ich arbeite seit zehn Jahren mit Ton.",
        "accepts": "Becher mit eigener Zeichnung",
        "production": "2–3 Wochen",
        "response": "zwei Tagen",
        "mug": "Adlerbecher",
        "mug_text": "Ein kräftiger Becher mit Adler.",
        "colour": "Farbe",
        "options": "[Rot, Weiß, {label: Gelb, price: 4}]",
        "wrap": "Geschenkverpackung",
        "initials": "Initialen",
        "hint": "Bis zu drei Buchstaben",
        "count": "Untertassen",
        "bowl": "Teeschale",
        "tag": "Becher",
        "tag2": "Schalen",
        "page": "Versand",
        "page_text": "Wir versenden in drei Tagen.",
        "secret": "Auftragsarbeit",
        "buyer": "Jonas",
        "alt": "Ein Becher",
    },
    "zh-CN": {
        "title": "河畔陶坊",
        "description": "手工拉坯的炻器。",
        "maker": "林小雨",
        "location": "景德镇",
        "intro": "我做杯子和碗。",
        "bio": "我和陶土打交道已有十年。",
        "accepts": "带有您自己图案的杯子",
        "production": "两到三周",
        "response": "两天",
        "mug": "鹰纹马克杯",
        "mug_text": "一只结实的鹰纹杯子。",
        "colour": "颜色",
        "options": "[红色, 白色, {label: 黄色, price: 4}]",
        "wrap": "礼品包装",
        "initials": "姓名缩写",
        "hint": "最多三个字母",
        "count": "杯碟",
        "bowl": "茶碗",
        "tag": "杯子",
        "tag2": "碗",
        "page": "配送",
        "page_text": "我们在三天内发货。",
        "secret": "专属定制",
        "buyer": "小王",
        "alt": "一只杯子",
    },
}


def shop(language: str, form: bool) -> dict[str, str | bytes | None]:
    w = SHOPS[language]
    contact = "contact:\n  email: hallo@shop.example\n" + ("  form_action: https://forms.example/f\n" if form else "")
    return {
        "site.yaml": f"title: {w['title']}\nbase_url: https://shop.example/\ndescription: {w['description']}\n"
        f"language: {language}\ncurrency: EUR\nlistings_per_page: 1\n{contact}",
        "maker.yaml": f"name: {w['maker']}\nlocation: {w['location']}\nintro: {w['intro']}\nbio: {w['bio']}\n"
        f"photo: images/a.png\ncustom_orders:\n  enabled: true\n  accepts: {w['accepts']}\n"
        f"  production_time: {w['production']}\n" + ("" if form else f"  response_time: {w['response']}\n"),
        "listings/eagle-mug.yaml": f"title: {w['mug']}\nprice: 28\ndate: 2026-11-01\nproduction_time: {w['production']}\n"
        f"images:\n  - {{src: images/a.png, alt: {w['alt']}}}\n  - {{src: images/b.png, alt: {w['alt']}}}\n"
        f"description: {w['mug_text']}\ntags: [{w['tag']}]\ncustomizations:\n"
        f"  - {{name: {w['colour']}, type: choice, options: {w['options']}}}\n"
        f"  - {{name: {w['wrap']}, type: checkbox, price: 5}}\n"
        f"  - {{name: {w['initials']}, type: text, max_length: 3, price: 6, instructions: {w['hint']}, required: false}}\n"
        f"  - {{name: {w['count']}, type: number, min: 1, max: 12, price: 2.5}}\n",
        "listings/tea-bowl.yaml": f"title: {w['bowl']}\nprice: 30\nimages:\n  - {{src: images/b.png, alt: {w['alt']}}}\n"
        f"tags: [{w['tag']}, {w['tag2']}]\n"
        f"customizations:\n  - {{name: {w['colour']}, type: choice, required: false, options: {w['options']}}}\n",
        "listings/secret.yaml": f"title: {w['secret']}\nprice: 400\nprivate: true\nbuyer: {w['buyer']}\n"
        f"images:\n  - {{src: images/b.png, alt: {w['alt']}}}\n",
        "pages/shipping.md": f"---\ntitle: {w['page']}\n---\n{w['page_text']}\n",
        "images/a.png": PNG,
        "images/b.png": png_bytes((10, 200, 10)),
    }


class _Texts(HTMLParser):
    """What a buyer (or a screen reader, a search engine, a link preview) reads on a page."""

    READ_ATTRS = ("aria-label", "title", "alt", "placeholder", "value")
    META = ("description", "og:title", "og:description", "twitter:title", "twitter:description", "og:image:alt")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.script: str | None = None
        self._in: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "script":
            self.script = a.get("type", "")
            return
        if tag == "style":
            self._in.append("style")
            return
        for name in self.READ_ATTRS:
            if name in a and not (name == "value" and tag in ("option", "input")):
                self.texts.append(a[name])
        if tag == "meta" and (a.get("name") in self.META or a.get("property") in self.META):
            self.texts.append(a.get("content", ""))
        for name in ("href", "action"):
            if a.get(name, "").startswith("mailto:"):
                query = urlsplit(a[name]).query
                self.texts += [v for _, v in parse_qsl(query)]
        if "data-mail" in a:
            self.texts += [str(v) for v in json.loads(a["data-mail"]).values()]

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.script = None
        elif tag == "style" and self._in:
            self._in.pop()

    def handle_data(self, data: str) -> None:
        if self._in:
            return
        if self.script is None:
            self.texts.append(data)
        elif self.script in ("application/json", "application/ld+json"):
            self.texts += list(_strings_in(json.loads(data)))


def _strings_in(value: object) -> Iterator[str]:
    if isinstance(value, str):
        if not value.startswith(("http://", "https://")):
            yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            # Codes, not text: schema.org names, addresses, the listing's slug as its product code.
            if k not in ("@context", "@type", "url", "availability", "priceCurrency", "inLanguage", "sku", "productID"):
                yield from _strings_in(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings_in(v)


def page_texts(html: str) -> list[str]:
    parser = _Texts()
    parser.feed(html)
    return [t for t in (" ".join(x.split()) for x in parser.texts) if t]


def _pattern(msgid: str) -> re.Pattern[str] | None:
    """The English message as a pattern over page text: its fixed words, anything for its values."""
    parts = [p for p in re.split(r"%\(\w+\)[sd]", msgid.replace("%%", "%"))]
    if not re.search(r"[A-Za-z]{2}", "".join(parts)):
        return None  # no English words ("+%(amount)s")
    fixed = [re.escape(re.sub(r"\s+", " ", p)).replace(r"\ ", r"\s+") for p in parts]
    return re.compile(r"(?<![A-Za-z])" + ".+?".join(fixed) + r"(?![A-Za-z])")


def english_left(texts: list[str], language: str) -> list[tuple[str, str]]:
    messages = load_messages(language)
    found = []
    for msgid, plural in template_messages():
        for english in (msgid, plural) if plural else (msgid,):
            translated = messages.gettext(msgid) if plural is None else messages.ngettext(msgid, plural, 2)
            if translated in (msgid, plural):
                continue  # the same words in both languages ("Shop", "Budget (optional):" in German)
            pattern = _pattern(english)
            if pattern is None:
                continue
            found += [(english, text) for text in texts if pattern.search(text)]
    return found


@pytest.mark.parametrize("form", [False, True], ids=["mailto", "form"])
@pytest.mark.parametrize("language", ["de", "zh-CN"])
def test_a_translated_shop_shows_no_english(make_site, tmp_path: Path, language: str, form: bool) -> None:
    out = tmp_path / "out"
    build_into(make_site(shop(language, form), base=False), out)
    pages = sorted(out.rglob("*.html"))
    assert len(pages) >= 9
    left: list[tuple[str, str, str]] = []
    for path in pages:
        texts = page_texts(path.read_text(encoding="utf-8"))
        left += [(path.relative_to(out).as_posix(), english, text) for english, text in english_left(texts, language)]
        if language == "zh-CN":
            # Chinese text has no Latin words at all: any is English the theme wrote.
            # Names that are not English: file formats, payment services, currency codes.
            allowed = re.compile(r"hallo@shop\.example|https?://\S+|%\(\w+\)s|JPEG|PNG|WebP|HEIC|MB|PayPal|[A-Z]{3}")
            for text in texts:
                words = re.findall(r"[A-Za-z]{2,}", allowed.sub("", text))
                if words:
                    left.append((path.relative_to(out).as_posix(), "Latin words", text))
    assert not left, "\n".join(f"{page}: {english!r} in {text!r}" for page, english, text in left)
    # The feed, the manifest and 404 speak the language too.
    feed = (out / "feed.xml").read_text(encoding="utf-8")
    assert f'xml:lang="{language}"' in feed


def test_the_mails_are_in_the_shops_language(make_site, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_into(make_site(shop("de", False), base=False), out)
    html = (out / "listings/eagle-mug/index.html").read_text(encoding="utf-8")
    order = unquote(re.search(r'id="order-email" href="([^"]+)"', html)[1])  # type: ignore[index]
    assert "subject=Bestellung: Adlerbecher" in order
    assert "Hallo Greta Sommer,\n\nich möchte gern bestellen:\nAdlerbecher" in order
    assert "Angezeigter Preis: ab 28,00\xa0€, zuzüglich der gewählten Optionen" in order
    custom = unquote(re.search(r'class="[^"]*custom-order-link" href="([^"]+)"', html)[1])  # type: ignore[index]
    assert "subject=Anfrage Sonderanfertigung: Adlerbecher" in custom
    assert "Das wünsche ich mir:" in custom


# -- the theme's source: no English outside the catalog ------------------------------------------

TEMPLATES = BUILTIN_THEMES / "default" / "templates"
SCRIPTS = BUILTIN_THEMES / "default" / "static"

_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_WORD = re.compile(r"[A-Za-z]{2,}")
# Attributes whose value a buyer reads (or hears); other attributes are markup.
_READ = re.compile(r'\s(aria-label|title|alt|placeholder)="([^"]*)"')


def _template_text(source: str) -> list[str]:
    """The template's literal text outside Jinja tags that a buyer reads: element text and the
    readable attributes; markup, comments and scripts' sources left out."""
    html = _JINJA.sub(" ", source)
    html = re.sub(r"<!--.*?-->", " ", html, flags=re.S)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    found = [m[2] for m in _READ.finditer(html)]
    found += re.sub(r"<[^>]*>", "\n", html).splitlines()
    return [t.strip() for t in found if _WORD.search(t)]


def _english_literals(source: str, name: str) -> list[str]:
    """String constants printed by `{{ ... }}` or passed to a macro without going through _():
    e.g. {{ "Yes" if x else "No" }}."""
    env = Environment(extensions=["jinja2.ext.i18n"])
    tree = env.parse(source, name)
    gettext_args: set[int] = set()
    for call in tree.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name in (
            "_",
            "gettext",
            "ngettext",
            "script_text",
            "script_plural",
        ):
            gettext_args.update(id(a) for a in call.args)
    printed: list[str] = []
    for output in tree.find_all(nodes.Output):
        for child in output.nodes:
            if isinstance(child, nodes.TemplateData):
                continue
            for const in child.find_all(nodes.Const):
                if (
                    isinstance(const.value, str)
                    and id(const) not in gettext_args
                    and not re.search(r"\d(rem|vw|px|em)\b", const.value)  # a `sizes` media list
                    and re.search(r"[A-Za-z]{2,}\s", const.value + " ")
                    and re.search(r"[A-Z]|\s", const.value)
                ):
                    printed.append(const.value)
    return printed


# Literal text in the templates that is not English a buyer reads.
_NOT_ENGLISH = {"©", "·", "›", "‹", "…"}


def test_no_english_text_in_the_theme_escapes_the_catalog() -> None:
    escaped: list[str] = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        source = path.read_text(encoding="utf-8")
        name = path.relative_to(TEMPLATES).as_posix()
        escaped += [f"{name}: {t!r}" for t in _template_text(source) if t not in _NOT_ENGLISH]
        escaped += [f"{name}: {t!r} (a string printed without _())" for t in _english_literals(source, name)]
    assert not escaped, "texts not in the catalog:\n" + "\n".join(escaped)


_JS_STRING = re.compile(r'"((?:[^"\\\n]|\\.)*)"|\'((?:[^\'\\\n]|\\.)*)\'')
_JS_CODE_WORDS = re.compile(r"^[\w\-.#:\[\]=*^$|~ >+,()\"'@%/]*$")


def test_the_theme_scripts_take_every_text_from_the_page() -> None:
    """The scripts' buyer-facing texts come from the page's JSON block (translated there): a
    string constant in a script is a selector, attribute or key, never a sentence."""
    escaped: list[str] = []
    for path in sorted(SCRIPTS.glob("*.js")):
        code = re.sub(r"^\s*//.*$", "", path.read_text(encoding="utf-8"), flags=re.M)
        for m in _JS_STRING.finditer(code):
            text = m[1] if m[1] is not None else m[2]
            if text == "use strict" or re.match(r"^[.#\[]", text):
                continue  # the mode, or a CSS selector
            # A sentence or label: a capital letter followed by words, or words with spaces.
            if re.search(r"[A-Za-z]{2,} [A-Za-z]{2,}", text) or re.match(r"^[A-Z][a-z]+[ :.!?]", text):
                escaped.append(f"{path.name}: {text!r}")
    assert not escaped, "script texts not taken from the page:\n" + "\n".join(escaped)


def test_the_check_itself_finds_an_english_text() -> None:
    """The source check finds what it is for (a test that cannot fail would prove nothing)."""
    assert sorted(_template_text('<p>Order by email</p><a aria-label="Main">{{ _("Shop") }}</a>')) == [
        "Main", "Order by email",
    ]  # fmt: skip
    assert _english_literals('{{ "Yes" if x else "No" }}{{ _("Fine") }}{{ f(page, "Shop pages") }}', "t") == [
        "Yes", "No", "Shop pages",
    ]  # fmt: skip
    texts = page_texts('<p>Seite 2</p><a href="mailto:a@b.example?subject=Order%3A%20X">x</a>')
    assert english_left(texts, "de") == [("Order: %(title)s", "Order: X")]
