"""Markdown to safe HTML, slugs and plain-text summaries."""

from __future__ import annotations

import functools
import hashlib
import html
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import cffi
import nh3
from cmarkgfm import _cmark
from cmarkgfm.cmark import Options, markdown_to_html_with_extensions
from markupsafe import Markup

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore

# -- Markdown ---------------------------------------------------------------------------------
#
# Makers write Markdown, not HTML: raw HTML is shown as typed text, never obeyed (docs/content.md).
# Two CommonMark implementations share the work:
#
# - cmark-gfm (the C reference implementation, from the cmarkgfm package) renders nearly every
#   document, ~35x faster than Python-Markdown did. In safe mode (no CMARK_OPT_UNSAFE) it blanks
#   dangerous URLs (javascript:, vbscript:, file:, data: other than images) and replaces raw HTML
#   with a "raw HTML omitted" comment; it cannot show that HTML as text.
# - So a document whose cmark output contains that comment is rendered again by markdown-it-py
#   (pure Python, ~12x slower) with html=False, which shows raw HTML as typed text. Both follow
#   the CommonMark spec, and markdown-it is configured below to match cmark's tables,
#   strikethrough, smart punctuation and dangerous-URL handling, so a document looks the same
#   whichever engine renders it (tests/test_markdown.py compares them).
#
# nh3 (a maintained HTML sanitizer) then cleans either output against an allow-list: defence in
# depth, since hand-written or misconfigured sanitizing is a classic source of XSS. It also adds
# rel="noopener noreferrer" to links and keeps only http, https and mailto URLs.

_ALLOWED_TAGS = {
    "p", "br", "hr", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
    "del", "sup", "sub", "abbr", "dl", "dt", "dd",
}  # fmt: skip
# Table column alignment (|:--|--:|) comes as style="text-align: ..." from both engines: the
# align attribute is obsolete HTML, and nh3 keeps no style property but text-align. A numbered
# list keeps the number it starts at ("3. Glaze" shows 3).
_ALLOWED_ATTRS = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "ol": {"start"},
    "th": {"style"},
    "td": {"style"},
}
_CLEANER = nh3.Cleaner(
    tags=_ALLOWED_TAGS,
    attributes=_ALLOWED_ATTRS,
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer",
    filter_style_properties={"text-align"},
)
"""Built once: nh3.clean() with these settings converts the Python sets on every call, which costs
more than the cleaning itself."""

_CMARK_OPTIONS = (
    Options.CMARK_OPT_SMART  # curly quotes, en/em dashes from -- and ---, ellipsis from ...
    | Options.CMARK_OPT_TABLE_PREFER_STYLE_ATTRIBUTES
    | Options.CMARK_OPT_STRIKETHROUGH_DOUBLE_TILDE  # ~~sold out~~; a lone ~ ("~20 cm") stays
)
_CMARK_EXTENSIONS = (b"table", b"strikethrough")
_RAW_HTML_OMITTED = "<!-- raw HTML omitted -->"
"""What cmark's safe mode writes for every inline or block of raw HTML. Text never produces it:
cmark writes a typed '<' as &lt;."""


class _Cmark:
    """cmark-gfm's parse and render calls, declared here rather than used through cmarkgfm's own
    wrappers: those never free the document tree nor the HTML string (about 17 KB per call, so
    170 MB over a 10,000-listing build). The library is the one cmarkgfm ships, opened a second
    time through cffi (a cmarkgfm dependency) with the two free functions declared. Where its
    symbols cannot be found that way (a Windows build may not export them), _LeakyCmark is used."""

    _DECLARATIONS = """
        typedef struct cmark_node cmark_node;
        typedef struct cmark_parser cmark_parser;
        typedef struct cmark_syntax_extension cmark_syntax_extension;
        typedef struct cmark_llist cmark_llist;
        typedef struct cmark_mem {
            void *(*calloc)(size_t, size_t);
            void *(*realloc)(void *, size_t);
            void (*free)(void *);
        } cmark_mem;
        void cmark_gfm_core_extensions_ensure_registered(void);
        cmark_syntax_extension *cmark_find_syntax_extension(const char *name);
        cmark_parser *cmark_parser_new(int options);
        int cmark_parser_attach_syntax_extension(cmark_parser *parser, cmark_syntax_extension *ext);
        void cmark_parser_feed(cmark_parser *parser, const char *buffer, size_t len);
        cmark_node *cmark_parser_finish(cmark_parser *parser);
        cmark_llist *cmark_parser_get_syntax_extensions(cmark_parser *parser);
        char *cmark_render_html(cmark_node *root, int options, cmark_llist *extensions);
        void cmark_node_free(cmark_node *node);
        void cmark_parser_free(cmark_parser *parser);
        cmark_mem *cmark_get_default_mem_allocator(void);
    """

    def __init__(self) -> None:
        self.ffi = cffi.FFI()
        self.ffi.cdef(self._DECLARATIONS)
        self.lib: Any = self.ffi.dlopen(_cmark.__file__)
        for name in re.findall(r"\b(cmark_\w+)\(", self._DECLARATIONS):
            getattr(self.lib, name)  # AttributeError now, not halfway through a build
        self.lib.cmark_gfm_core_extensions_ensure_registered()
        self.extensions = [self.lib.cmark_find_syntax_extension(name) for name in _CMARK_EXTENSIONS]
        if any(ext == self.ffi.NULL for ext in self.extensions):
            raise RuntimeError(f"cmark-gfm lacks one of the extensions {_CMARK_EXTENSIONS}")
        self.free = self.lib.cmark_get_default_mem_allocator().free

    def html(self, text: str) -> str:
        lib, ffi = self.lib, self.ffi
        data = text.encode("utf-8")
        parser = lib.cmark_parser_new(_CMARK_OPTIONS)
        if parser == ffi.NULL:
            raise MemoryError("cmark could not allocate a parser")
        root = ffi.NULL
        try:
            for ext in self.extensions:
                lib.cmark_parser_attach_syntax_extension(parser, ext)
            lib.cmark_parser_feed(parser, data, len(data))
            root = lib.cmark_parser_finish(parser)
            out = lib.cmark_render_html(root, _CMARK_OPTIONS, lib.cmark_parser_get_syntax_extensions(parser))
            try:
                return str(ffi.string(out).decode("utf-8"))
            finally:
                self.free(out)
        finally:
            if root != ffi.NULL:
                lib.cmark_node_free(root)
            lib.cmark_parser_free(parser)


class _LeakyCmark:
    """cmarkgfm's own wrapper: the same output, but leaks memory on every call (see _Cmark)."""

    def html(self, text: str) -> str:
        out: str = markdown_to_html_with_extensions(
            text, options=_CMARK_OPTIONS, extensions=[name.decode() for name in _CMARK_EXTENSIONS]
        )
        return out


@functools.cache
def _cmark_engine() -> _Cmark | _LeakyCmark:
    try:
        return _Cmark()
    except (OSError, AttributeError):  # pragma: no cover - platforms whose library hides them
        return _LeakyCmark()


_DASH_RUN = re.compile(r"-{2,}")


def _cmark_dashes(match: re.Match[str]) -> str:
    """A run of hyphens as cmark's smart punctuation writes it: em dashes where the count allows,
    en dashes for the rest (cmark inlines.c, handle_hyphen)."""
    n = len(match.group())
    if n % 3 == 0:
        em, en = n // 3, 0
    elif n % 2 == 0:
        em, en = 0, n // 2
    elif n % 3 == 2:
        em, en = (n - 2) // 3, 1
    else:
        em, en = (n - 4) // 3, 2
    return "\u2014" * em + "\u2013" * en


def _inline_tokens(state: StateCore) -> Iterator[tuple[Any, bool]]:
    """Every inline token of the document, with whether it lies inside an autolink (<https://...>),
    whose text the punctuation rules below must leave alone."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        in_autolink = False
        for token in block.children:
            if token.type in ("link_open", "link_close") and token.info == "auto":
                in_autolink = token.type == "link_open"
                continue
            yield token, in_autolink


def _cmark_punctuation(state: StateCore) -> None:
    """markdown-it's own 'replacements' rule differs from cmark's smart punctuation (it also turns
    (c) into ©, +- into ±, '..' into an ellipsis and leaves some dashes alone); this rule does
    what cmark does instead: hyphen runs and '...' in text, never in code or autolinks. It also
    writes strikethrough as <del>, as cmark does, where markdown-it writes <s>."""
    for token, in_autolink in _inline_tokens(state):
        if token.type == "text" and not in_autolink:
            token.content = _DASH_RUN.sub(_cmark_dashes, token.content).replace("...", "\u2026")
        elif token.type in ("s_open", "s_close"):
            token.tag = "del"


def _cmark_apostrophes(state: StateCore) -> None:
    """After markdown-it's smartquotes rule, a straight ' left in text is one it could not pair;
    cmark writes every such quote as an apostrophe (’tis, rock ’n’ roll), so this does too.
    Escaped quotes (\\') are separate tokens until text_join runs, and stay straight in both."""
    for token, in_autolink in _inline_tokens(state):
        if token.type == "text" and not in_autolink and "'" in token.content:
            token.content = token.content.replace("'", "\u2019")


@functools.cache
def _markdown_it() -> MarkdownIt:
    # Imported here: it is needed only for the few documents that contain HTML, and importing it
    # costs ~35 ms of every build's start-up.
    from markdown_it import MarkdownIt
    from markdown_it.common.normalize_url import validateLink

    class CmarkLikeMarkdownIt(MarkdownIt):
        """A dangerous URL (javascript:, vbscript:, file:, non-image data:) becomes a link with an
        empty address, as cmark writes it, instead of markdown-it's literal [text](url)."""

        def normalizeLink(self, url: str) -> str:
            href = super().normalizeLink(url)
            return href if validateLink(href) else ""

        def validateLink(self, url: str) -> bool:
            return True  # normalizeLink above already blanked what markdown-it would refuse

    md = CmarkLikeMarkdownIt("commonmark", {"html": False, "typographer": True})
    md.enable(["table", "strikethrough", "replacements", "smartquotes"])
    md.core.ruler.at("replacements", _cmark_punctuation)
    md.core.ruler.after("smartquotes", "cmark_apostrophes", _cmark_apostrophes)
    return md


def _finish(raw: str) -> str:
    # Headings in a description sit under the page's own h1; shift h1 to h2 for a sound outline.
    if "<h1>" in raw:
        raw = raw.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    # Both engines write a blanked dangerous URL as href=""; like any other refused URL it goes,
    # leaving the link text. (Text cannot contain '<a href=""': both engines write '<' as &lt;.)
    raw = raw.replace('<a href=""', "<a")
    return str(_CLEANER.clean(raw))


def cmark_html(text: str) -> str | None:
    """Safe HTML rendered by cmark-gfm, or None if the text holds raw HTML (see markdown_html)."""
    raw = _cmark_engine().html(text)
    if _RAW_HTML_OMITTED in raw:
        return None
    return _finish(raw)


def markdown_it_html(text: str) -> str:
    """Safe HTML rendered by markdown-it-py, raw HTML shown as typed text."""
    return _finish(_markdown_it().render(text))


@functools.cache
def _key_seed() -> hashlib.blake2b:
    """Hash state the keys start from: the engines' versions and this module's source, so that
    upgrading a library or changing an option here never reuses HTML rendered the old way."""
    try:
        from importlib.metadata import version

        versions = [f"{name} {version(name)}" for name in ("cmarkgfm", "markdown-it-py", "nh3")]
    except Exception:  # pragma: no cover - not installed as distributions
        versions = []
    seed = hashlib.blake2b(digest_size=16)
    seed.update("; ".join(versions).encode("utf-8"))
    try:
        seed.update(Path(__file__).read_bytes())
    except OSError:  # pragma: no cover - installed without its source
        pass
    return seed


def markdown_key(text: str) -> bytes:
    key = _key_seed().copy()
    key.update(text.encode("utf-8"))
    return key.digest()


def render_markdown(text: str) -> Markup:
    """Safe HTML for a maker's Markdown."""
    return Markup(markdown_html(text))


def markdown_html(text: str) -> str:
    """Safe HTML for a maker's Markdown (the work behind render_markdown, without the cache)."""
    out = cmark_html(text)
    return markdown_it_html(text) if out is None else out


# Block-level tags separate words; inline ones (<strong>, <a>) must not add a space before '.'.
_BLOCK_TAG = re.compile(r"</?(?:p|br|hr|li|ul|ol|dl|dt|dd|h[1-6]|pre|blockquote|table|thead|tbody|tr|th|td)\b[^>]*>")
_ANY_TAG = re.compile(r"<[^>]+>")


@functools.lru_cache(maxsize=64)
def plain_text(fragment: str) -> str:
    """Visible text of an HTML fragment, whitespace folded (for meta descriptions, mail bodies).
    Remembered for the last few fragments: a listing page asks for its description's text more
    than once (meta description, JSON-LD)."""
    no_tags = _ANY_TAG.sub("", _BLOCK_TAG.sub(" ", fragment))
    # str.split() splits at the same (Unicode) whitespace as the regex \s+, twice as fast.
    return " ".join(html.unescape(no_tags).split())


def percent_encode(text: str, safe: str = "") -> str:
    """Every UTF-8 byte of ``text`` as %XX except letters, digits, _.-~ and ``safe``
    (urllib.parse.quote, for mailto: parts and query values)."""
    return quote(text, safe)


def summarize(text: str, limit: int = 160) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",.;:-")
    return cut + "…"


# -- slugs ------------------------------------------------------------------------------------
#
# A slug is the part of an address made from a tag or a file name: tags/<slug>/, listings/<slug>/,
# <slug>/. Letters of every script are kept (tags/帽子/, tags/кружки/), not transliterated:
# transliterating Chinese or Japanese needs dictionaries and guesses (a kanji has several
# readings), buyers read their own script in the address bar (browsers show a percent-encoded
# UTF-8 path decoded), and static hosts serve UTF-8 paths. The folder on disk is the UTF-8 name;
# links write it percent-encoded (plan.href), so sitemap.xml and feed.xml hold ASCII URIs.
#
# Accented Latin letters still lose their accents, as they always have (café -> cafe): an address
# a shop has published must not change.

_ASCII_SLUG_GAP = re.compile(r"[^a-z0-9]+")
_FINAL_SIGMA = re.compile(r"(?<=[^\W\d_])σ(?![^\W\d_])")


def _ascii_slug(text: str) -> str:
    return _ASCII_SLUG_GAP.sub("-", text.lower()).strip("-")


def slugify(text: str) -> str:
    """The slug of a tag or a file name: letters, digits and combining marks, in lower case, with
    each run of anything else (spaces, punctuation, symbols) made one hyphen.

    'Blue Mugs!' -> 'blue-mugs', 'Crème brûlée' -> 'creme-brulee', '帽子' -> '帽子',
    'Кружки' -> 'кружки', 'マグ' -> 'マグ', 'Κούπες' -> 'κούπες', 'Straße' -> 'strasse'.

    When every letter and digit of the text is an ASCII one, perhaps with accents, the slug is
    exactly what makerfront has always made (NFKD, accents and other non-ASCII characters
    dropped). Otherwise the text is NFKC-normalised and case-folded, so 'ｍｕｇ' (full width) is
    'mug' and 'STRASSE' is 'strasse' like 'Straße'; a Latin letter that is an ASCII one with
    accents still loses them ('Café 帽子' -> 'cafe-帽子'), and a Greek sigma ending a word is
    written ς. An empty result means the text has no letter or digit."""
    if text.isascii():
        return _ascii_slug(text)
    return _unicode_slug(text)


@functools.lru_cache(maxsize=4096)
def _unicode_slug(text: str) -> str:
    # Remembered: a shop's listings share a few tags, each slugified once per listing.
    decomposed = unicodedata.normalize("NFKD", text)
    if all(ch.isascii() or unicodedata.category(ch)[0] not in "LN" for ch in decomposed):
        return _ascii_slug(decomposed.encode("ascii", "ignore").decode())
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    out: list[str] = []
    kept = False  # whether the last character was kept as written (a mark may follow it)
    gap = False
    for ch in folded:
        kind = unicodedata.category(ch)[0]
        if kind in "LN":
            base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
            if gap and out:
                out.append("-")
            gap = False
            kept = not base.isascii()
            out.append(ch if kept else base)
        elif kind == "M" and not gap and out:
            if kept:
                out.append(ch)
        else:
            gap = True
    return _FINAL_SIGMA.sub("ς", unicodedata.normalize("NFC", "".join(out)))


def same_tag(a: str, b: str) -> bool:
    """Whether two tags are one tag written in different letter case ('Mugs', 'mugs'): the same
    text once Unicode-normalised (NFC) and case-folded. 'Mugs!' and 'mugs?', or full-width 'ｍｕｇ'
    and 'mug', share a slug but are different tags."""
    return a == b or unicodedata.normalize("NFC", a).casefold() == unicodedata.normalize("NFC", b).casefold()
