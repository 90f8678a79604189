"""Markdown to safe HTML, slugs and plain-text summaries."""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections.abc import MutableMapping

import markdown
import nh3
from markupsafe import Markup

# Makers write Markdown, not HTML: raw HTML is shown as text (escaped), and nh3 (a maintained
# HTML sanitizer) strips what Markdown itself can produce that is unsafe, such as
# [link](javascript:...). Hand-written sanitizers are a classic source of XSS.
_ALLOWED_TAGS = {
    "p", "br", "hr", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
    "del", "sup", "sub", "abbr", "dl", "dt", "dd",
}  # fmt: skip
_ALLOWED_ATTRS = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}


class _Converter:
    def __init__(self) -> None:
        self.md = markdown.Markdown(extensions=["sane_lists", "tables", "smarty"], output_format="html")
        self.md.preprocessors.deregister("html_block")
        self.md.inlinePatterns.deregister("html")

    def convert(self, text: str) -> str:
        self.md.reset()
        out: str = self.md.convert(text)
        return out


_converter: _Converter | None = None


_cache: MutableMapping[bytes, str] | None = None
"""Rendered descriptions by markdown_key(text), when a build cache is in use (see buildcache.py)."""


def use_markdown_cache(cache: MutableMapping[bytes, str] | None) -> None:
    """Let render_markdown reuse (and fill) ``cache``; None turns caching off."""
    global _cache
    _cache = cache


def current_markdown_cache() -> MutableMapping[bytes, str] | None:
    return _cache


def markdown_key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


def render_markdown(text: str) -> Markup:
    if _cache is not None:
        key = markdown_key(text)
        hit = _cache.get(key)
        if hit is None:
            hit = _cache[key] = markdown_html(text)
        return Markup(hit)
    return Markup(markdown_html(text))


def markdown_html(text: str) -> str:
    """Safe HTML for a maker's Markdown (the work behind render_markdown, without the cache)."""
    global _converter
    if _converter is None:
        _converter = _Converter()
    raw = _converter.convert(text)
    # Headings in a description sit under the page's own h1; shift h1 to h2 for a sound outline.
    raw = re.sub(r"<(/?)h1>", r"<\1h2>", raw)
    clean = nh3.clean(
        raw,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRS,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return str(clean)


def plain_text(fragment: str) -> str:
    """Visible text of an HTML fragment, whitespace folded (for meta descriptions, mail bodies)."""
    # Block-level tags separate words; inline ones (<strong>, <a>) must not add a space before '.'.
    spaced = re.sub(
        r"</?(?:p|br|hr|li|ul|ol|dl|dt|dd|h[1-6]|pre|blockquote|table|thead|tbody|tr|th|td)\b[^>]*>", " ", fragment
    )
    no_tags = re.sub(r"<[^>]+>", "", spaced)
    return re.sub(r"\s+", " ", html.unescape(no_tags)).strip()


def summarize(text: str, limit: int = 160) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",.;:-")
    return cut + "…"


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
