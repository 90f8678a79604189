"""Markdown rendering (generator/text.py): cmark-gfm for most documents, markdown-it-py for those
holding raw HTML (shown as typed), both cleaned by nh3.

The two engines must render a document the same way, so a maker never sees a description change
shape because a stray '<b>' elsewhere in it sent it down the other path."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import lxml.html
import pytest
import yaml
from markupsafe import Markup

from generator import buildcache, text
from generator.text import cmark_html, markdown_html, markdown_it_html

ROOT = Path(__file__).resolve().parent.parent


def cmark_only(source: str) -> str:
    out = cmark_html(source)
    assert out is not None, f"cmark saw raw HTML in {source!r}"
    return out


ENGINES: dict[str, Callable[[str], str]] = {"cmark": cmark_only, "markdown-it": markdown_it_html}


def normalized(fragment: str) -> str:
    """Whitespace between and around tags does not show on the page."""
    folded = re.sub(r"\s+", " ", fragment).strip()
    return re.sub(
        r" ?(</?(?:p|ul|ol|li|h[1-6]|table|thead|tbody|tr|th|td|blockquote|pre|hr|br)\b[^>]*>) ?", r"\1", folded
    )


def elements(fragment: str) -> list[lxml.html.HtmlElement]:
    found: list[lxml.html.HtmlElement] = []
    for part in lxml.html.fragments_fromstring(fragment):
        if isinstance(part, lxml.html.HtmlElement):
            found.extend(part.iter())
    return found


def tags(fragment: str) -> set[str]:
    return {e.tag for e in elements(fragment)}


def visible_text(fragment: str) -> str:
    """Text a buyer sees, with curly quotes made straight again: typed HTML is shown as text and
    gets the same smart punctuation as the rest of the text (as with Python-Markdown before)."""
    shown = "".join(lxml.html.fromstring(f"<div>{fragment}</div>").itertext())
    return shown.translate(str.maketrans("\u201c\u201d\u2018\u2019", "\"\"''"))


# -- documents makers write ---------------------------------------------------------------------

# No raw HTML in these: each must take the cmark path and render identically on markdown-it.
DOCUMENTS = {
    "headings": "# Big title\n\n## Care\n\n### Sizes\n\n###### Small print\n\nSetext\n======\n\nSub\n---\n",
    "emphasis": "*italic* _also_ **bold** __also__ ***both*** snake_case_name 2*3*4 a * b",
    "nested lists": "- mugs\n  - small\n  - large\n- bowls\n\n1. wash\n   - by hand\n2. dry\n\n   then stack\n",
    "numbered lists": "3. third\n4. fourth\n\n1) one\n2) two\n",
    "list after a line": "Colours:\n- blue\n- green\n\nSteps:\n1. wash\n2. dry\n",
    "tables": "| Size | Holds | Price |\n|:-----|:-----:|------:|\n| S | 8 oz | $24 |\n| L | **12 oz** | `$30` |\n| XL | | 6 \\| 7 |\n",
    "table without edges": "Size | Price\n--- | ---\nS | 10\n",
    "links": '[shop](https://shop.example/) [mail](mailto:a@shop.example) [t](https://x.example "A title") '
    "[ref][k] [Ref][K] [rel](../shipping/)\n\n[k]: https://k.example/path?a=1&b=2",
    "autolinks": "<https://shop.example/a--b...> and <hello@shop.example>; bare https://bare.example stays text",
    "code": '`a -- b "q" <b>` and\n\n    indented -- "code" <b>\n\n```\nfenced -- ... <i>\n```\n',
    "blockquote": '> "Lovely mug," she said.\n> - sturdy\n>\n> > nested\n\nafter',
    "quotes and dashes": "\"Hello,\" she said. It's the maker's 'best' mug -- really --- yes... 10--12 cm, a-b",
    "dash runs": "a----b a-----b a------b ---- .... ..",
    "entities": "&amp; &copy; &#169; &#x263A; &nbsp;x &bogus; AT&T 5 > 4",
    "hard breaks": "line one  \nline two\\\nline three\nsoft",
    "strikethrough": "~~sold out~~ now about ~20 cm",
    "escapes": "1\\. not a list \\*not italic\\* \\'straight\\'",
    "rules": "a\n\n***\n\nb\n\n---\n\nc",
    "hashtags": "#handmade #pottery\n\nPrice: 5 # each",
    "unicode": "Café crème — ❤️ 日本 ½",
}


def sample_shop_documents() -> Iterator[tuple[str, str]]:
    """Every description, bio and page body in the sample shop in content/."""
    content = ROOT / "content"
    for path in sorted((content / "listings").glob("*.yaml")):
        if description := yaml.safe_load(path.read_text("utf-8")).get("description"):
            yield path.name, description
    if bio := yaml.safe_load((content / "maker.yaml").read_text("utf-8")).get("bio"):
        yield "maker.yaml", bio
    for path in sorted((content / "pages").glob("*.md")):
        yield path.name, path.read_text("utf-8").split("---", 2)[2]


SHOP = dict(sample_shop_documents())


def test_the_sample_shop_has_markdown_to_compare() -> None:
    assert len(SHOP) >= 10
    assert "maker.yaml" in SHOP


@pytest.mark.parametrize("source", [*DOCUMENTS.values(), *SHOP.values()], ids=[*DOCUMENTS, *SHOP])
def test_both_engines_render_a_document_the_same(source: str) -> None:
    assert normalized(cmark_only(source)) == normalized(markdown_it_html(source))


def test_where_the_engines_differ_unpaired_quotes() -> None:
    """The one difference found: each engine pairs ambiguous straight quotes its own way. cmark
    makes every unpaired " a closing quote and pairs the ' of '90s with the one in 5'10";
    markdown-it leaves an unpaired " straight. Text with balanced quotes is the same (above)."""
    source = "the '90s, 5'10\", 12\" plate"
    assert cmark_only(source) == "<p>the \u201890s, 5\u201910\u201d, 12\u201d plate</p>\n"
    assert markdown_it_html(source) == '<p>the \u201990s, 5\u201910", 12" plate</p>\n'


@pytest.mark.parametrize("engine", ENGINES.values(), ids=ENGINES)
def test_what_makers_write_becomes_the_expected_html(engine: Callable[[str], str]) -> None:
    """What docs/content.md promises under "Descriptions (Markdown)"."""
    render = engine
    assert render("A sturdy **mug**, *hand* thrown.") == "<p>A sturdy <strong>mug</strong>, <em>hand</em> thrown.</p>\n"
    assert normalized(render("# Title\n\nText")) == "<h2>Title</h2><p>Text</p>"
    assert normalized(render("Title\n=====\n")) == "<h2>Title</h2>"
    assert normalized(render("Colours:\n- blue\n- green")) == "<p>Colours:</p><ul><li>blue</li><li>green</li></ul>"
    assert normalized(render("- a\n  - b\n- c")) == "<ul><li>a<ul><li>b</li></ul></li><li>c</li></ul>"
    assert normalized(render("3. three\n4. four")) == '<ol start="3"><li>three</li><li>four</li></ol>'
    assert normalized(render("| A | B |\n|:--|--:|\n| 1 | 2 |")) == (
        '<table><thead><tr><th style="text-align:left">A</th><th style="text-align:right">B</th></tr></thead>'
        '<tbody><tr><td style="text-align:left">1</td><td style="text-align:right">2</td></tr></tbody></table>'
    )
    assert render('"Hi" -- it\'s 10---12... ok') == "<p>\u201cHi\u201d \u2013 it\u2019s 10\u201412\u2026 ok</p>\n"
    assert normalized(render("one  \ntwo")) == "<p>one<br>two</p>"
    assert render("~~sold out~~ ~20 cm") == "<p><del>sold out</del> ~20 cm</p>\n"
    assert render('`a -- "b"`') == '<p><code>a -- "b"</code></p>\n'
    assert render("AT&T &copy;") == "<p>AT&amp;T \u00a9</p>\n"
    assert render("#handmade") == "<p>#handmade</p>\n"
    assert render("see https://bare.example") == "<p>see https://bare.example</p>\n"
    assert '<td style="text-align:center">' in render("| A |\n|:-:|\n| 1 |")
    assert render("[shop](https://shop.example/)") == (
        '<p><a href="https://shop.example/" rel="noopener noreferrer">shop</a></p>\n'
    )


def test_documents_without_html_take_the_cmark_path() -> None:
    for source in [*DOCUMENTS.values(), *SHOP.values()]:
        assert cmark_html(source) is not None
        assert markdown_html(source) == cmark_html(source)


# -- raw HTML is shown as typed, never obeyed ------------------------------------------------------

RAW_HTML = {
    "inline": ("Before <b>bold</b> after.", "Before <b>bold</b> after."),
    "block": ("<div>\nA block\n</div>", "<div>\nA block\n</div>"),
    "script": ("<script>alert(1)</script>", "<script>alert(1)</script>"),
    "image handler": ("Look <img src=x onerror=alert(1)> here", "Look <img src=x onerror=alert(1)> here"),
    "comment": ("a <!-- hidden --> b", "a <!\u2013 hidden \u2013> b"),  # smart dashes, as before
    "block comment": ("<!--\nnote\n-->\n\ntext", "<!\u2013\nnote\n\u2013>"),
    "iframe": ('<iframe src="https://evil.example/"></iframe>', '<iframe src="https://evil.example/"></iframe>'),
    "style": ("<style>body{display:none}</style>", "<style>body{display:none}</style>"),
    "link tag": ('<a href="javascript:alert(1)">x</a>', '<a href="javascript:alert(1)">x</a>'),
    "in a list": ("- <b>x</b>\n- <i>y</i>", "<b>x</b>"),
    "in a table": ("| a |\n|---|\n| <b>x</b> |", "<b>x</b>"),
}


@pytest.mark.parametrize(("source", "shown"), RAW_HTML.values(), ids=RAW_HTML)
def test_raw_html_is_shown_as_typed_not_obeyed(source: str, shown: str) -> None:
    assert cmark_html(source) is None  # cmark would drop it: markdown-it renders this one
    out = markdown_html(source)
    assert shown in visible_text(out)
    assert not tags(out) & {"b", "i", "div", "script", "img", "iframe", "style"}
    assert "<!--" not in out
    assert not any(e.tag == "a" for e in elements(out))


def test_a_document_with_html_keeps_its_markdown_structure() -> None:
    source = '# Care\n\nHand wash <b>only</b>.\n\n- one\n  - two\n\n| A |\n|--:|\n| 1 |\n\n"Quote" -- ok'
    out = markdown_html(source)
    assert markdown_it_html(source) == out
    assert normalized(out) == normalized(
        "<h2>Care</h2><p>Hand wash &lt;b&gt;only&lt;/b&gt;.</p><ul><li>one<ul><li>two</li></ul></li></ul>"
        '<table><thead><tr><th style="text-align:right">A</th></tr></thead>'
        '<tbody><tr><td style="text-align:right">1</td></tr></tbody></table>'
        "<p>\u201cQuote\u201d \u2013 ok</p>"
    )


# -- links ------------------------------------------------------------------------------------------

DANGEROUS_LINKS = [
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](data:text/html,<script>alert(1)</script>)",
    "[x](data:image/png;base64,AAAA)",
    "[x](vbscript:msgbox(1))",
    "[x](file:///etc/passwd)",
    "[x](&#106;avascript:alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x][r]\n\n[r]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "[x](javascript:alert(1) 'title')",
]


@pytest.mark.parametrize("with_html", [False, True], ids=["cmark path", "markdown-it path"])
@pytest.mark.parametrize("source", DANGEROUS_LINKS)
def test_dangerous_links_keep_their_text_but_lose_the_address(source: str, with_html: bool) -> None:
    if with_html:
        source += "\n\nAnd <b>HTML</b> too."
    out = markdown_html(source)
    assert (cmark_html(source) is None) is with_html
    assert not re.search(r"javascript|vbscript|data:|file:", out.replace("javascript:alert(1)</a>", ""), re.I), out
    [link] = [e for e in elements(out) if e.tag == "a"]
    assert link.get("href") is None
    assert link.get("rel") == "noopener noreferrer"


@pytest.mark.parametrize("source", [s for s in DANGEROUS_LINKS if "data:image" not in s])
def test_each_engine_alone_refuses_dangerous_addresses(source: str) -> None:
    """Defence in depth: the engines' own output, before nh3 cleans it, has no such address.
    (Both let data:image/... through, as CommonMark implementations do; nh3 removes it.)"""
    for raw in (text._cmark_engine().html(source), text._markdown_it().render(source)):
        hrefs = re.findall(r'href="([^"]*)"', raw)
        assert hrefs == [""], raw


@pytest.mark.parametrize("engine", ENGINES.values(), ids=ENGINES)
def test_both_engines_treat_dangerous_links_alike(engine: Callable[[str], str]) -> None:
    for source in DANGEROUS_LINKS:
        assert normalized(engine(source)) == normalized(cmark_only(source)), source


@pytest.mark.parametrize("engine", ENGINES.values(), ids=ENGINES)
def test_links_open_safely(engine: Callable[[str], str]) -> None:
    out = engine("[shop](https://shop.example/) <https://a.example/> [mail](mailto:a@b.example) [faq](../faq/)")
    links = [e for e in elements(out) if e.tag == "a"]
    assert [e.get("href") for e in links] == [
        "https://shop.example/",
        "https://a.example/",
        "mailto:a@b.example",
        "../faq/",
    ]
    assert {e.get("rel") for e in links} == {"noopener noreferrer"}


@pytest.mark.parametrize("engine", ENGINES.values(), ids=ENGINES)
def test_pictures_in_text_are_dropped(engine: Callable[[str], str]) -> None:
    """model.py reports a picture in a description as an error; should one get through, the
    sanitizer drops it rather than showing an image from anywhere."""
    out = engine("Before ![photo](x.jpg) after ![remote](https://img.example/a.png)")
    assert "img" not in tags(out)
    assert normalized(out) == "<p>Before after</p>"


@pytest.mark.parametrize("engine", ENGINES.values(), ids=ENGINES)
def test_only_the_allowed_tags_and_attributes_come_out(engine: Callable[[str], str]) -> None:
    everything = "\n\n".join(DOCUMENTS.values())
    out = engine(everything)
    assert tags(out) <= text._ALLOWED_TAGS
    for element in elements(out):
        assert set(element.attrib) <= text._ALLOWED_ATTRS.get(element.tag, set()) | {"rel"}, element.tag
        if "style" in element.attrib:
            assert re.fullmatch(r"text-align:(left|center|right)", element.get("style") or "")


# -- cache ------------------------------------------------------------------------------------------


def test_the_cache_key_depends_on_the_text_and_the_renderer() -> None:
    assert text.markdown_key("a") == text.markdown_key("a")
    assert text.markdown_key("a") != text.markdown_key("b")
    # Keyed on this renderer, not on the text alone: HTML cached by another renderer (such as the
    # Python-Markdown one before it) is never reused.
    import hashlib

    assert text.markdown_key("a") != hashlib.blake2b(b"a", digest_size=16).digest()


def test_a_description_is_put_on_the_text_shelf_once_and_found_there_after(tmp_path: Path) -> None:
    from generator.model import StoredHTML, description_html

    store = buildcache.open_text_store(tmp_path)
    first = description_html("**hi** <b>", store)
    key = text.markdown_key("**hi** <b>")
    assert isinstance(first, StoredHTML) and set(store.index) == {key}
    again = description_html("**hi** <b>", store)  # found, not rendered again
    assert again == first == StoredHTML("", 0, 0, key)
    assert set(store.index) == {key} and len(list(tmp_path.glob("text-*.html"))) == 1
    assert str(again) == "<p><strong>hi</strong> &lt;b&gt;</p>\n"
    other = description_html("*other*", store)
    assert isinstance(other, StoredHTML) and str(other) == "<p><em>other</em></p>\n"
    assert description_html("*x*", None) == Markup("<p><em>x</em></p>\n")  # no shelf: in memory


# -- the cmark binding ------------------------------------------------------------------------------


def test_the_fallback_binding_renders_the_same() -> None:
    """cmarkgfm's own wrapper (used where the library's symbols cannot be opened) and ours agree."""
    ours, fallback = text._Cmark(), text._LeakyCmark()
    for source in [*DOCUMENTS.values(), *SHOP.values(), *(s for s, _ in RAW_HTML.values())]:
        assert ours.html(source) == fallback.html(source)


def _heap_in_use() -> int | None:
    """Bytes malloc has handed out and not got back (glibc), or None elsewhere."""
    import ctypes

    class MallInfo2(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd",
                                                        "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]  # fmt: skip

    try:
        mallinfo2 = ctypes.CDLL(None).mallinfo2
    except (OSError, AttributeError):
        return None
    mallinfo2.restype = MallInfo2
    info = mallinfo2()
    return int(info.uordblks + info.hblkhd)


@pytest.mark.parametrize("binding", [text._Cmark, text._LeakyCmark], ids=["ours", "cmarkgfm's"])
def test_rendering_frees_what_cmark_allocates(binding: Callable[[], text._Cmark | text._LeakyCmark]) -> None:
    """cmarkgfm's wrapper keeps ~17 KB per ~1,500-character description (170 MB over a 10,000-
    listing build); ours keeps nothing. The second case shows the measurement can see a leak."""
    if _heap_in_use() is None:
        pytest.skip("needs glibc's mallinfo2")
    engine = binding()
    source = "\n\n".join(DOCUMENTS.values())
    engine.html(source)
    before = _heap_in_use()
    for _ in range(500):
        engine.html(source)
    grown = (_heap_in_use() or 0) - (before or 0)
    if binding is text._Cmark:
        assert grown < 200_000
    else:
        assert grown > 500 * 5_000
