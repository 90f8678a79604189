"""The leak guard: a built site must never reveal a private listing outside its own folder.

plan.py keeps private listings out of every public list, so templates cannot loop over them. This
module checks the result instead of trusting that: after rendering, before anything is written,
it reads every output (its path and, for text files, its content) and fails the build if one
outside ``p/<token>/`` contains that listing's

- token (anywhere, text or binary, in any letter case, and in file and folder names),
- title or buyer, whoever put them there: a theme, or the maker's own text on a page, in another
  listing, maker.yaml or site.yaml. Only a listing marked ``public_mentions: allowed`` may be
  named in public (its token still may not),
- photo file names (unless a public file has the same name),

or if any output contains the site secret itself. A theme that copies data from one page to the
next, reads content files on its own, or a maker who pastes a private link or a buyer's name into
a public page is stopped here, with the files named, and the last good output/ stays as it was.

Text is compared normalised, on both sides (``normalise``): HTML entities decoded, compatibility
forms folded (NFKC: fullwidth letters, ligatures, non-breaking and ideographic spaces), letter
case folded, invisible characters removed (soft hyphens, zero-width spaces and joiners, every
format character), curly quotes and dashes made plain, and each run of whitespace made one space.
Each output is also searched with its tags removed and with JSON string escapes and URL
percent-encoding undone, so ``**Sam** Whitfield``, ``{{ title|upper }}`` or a mailto body does
not slip past. Titles and buyers are found as whole words: a buyer "Sam" is not in "Sample".
Normalising a file in full is the slow part, so it is done only for files whose quick form
(``_fold``) holds the value's rarest run of ASCII letters (``_key``) or an escape that makes
letters (``_hides_letters``); a tag inside that very word (``Whit<b>field</b>``) is not looked
through.
Binary files (photos, fonts) are searched for tokens and the secret only.

Photos are also read for what a camera or phone writes into them (``check_image_metadata``): a
published image with a GPS position or a camera's serial number (EXIF, or XMP) fails the build,
naming it. makerfront's own photos never carry any (images.py encodes them from bare pixels); the
check catches an image published as it is (content/static/, a theme's static files).

A title or buyer found is traced back to the public file and line that has it (a page, a public
listing, maker.yaml, site.yaml, a theme or static file), and the error names that line and the
private listing's own line, never the value, the token or the secret: build logs may be public.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, unquote_to_bytes

from .errors import BuildFailed, SiteError, display_path
from .load import YMap, load_yaml_file
from .plan import SitePlan
from .secret import listing_token
from .theme import Theme
from .write import Content, read_content

TEXT_SUFFIXES = frozenset(
    {".html", ".htm", ".xml", ".json", ".js", ".mjs", ".css", ".txt", ".svg", ".md", ".csv", ".webmanifest",
     ".map", ".rss", ".atom", ".xsl", ".ics", ".vcf", ".yaml", ".yml", ".toml"}
)  # fmt: skip
"""Outputs whose contents are searched for titles, buyers and file names; files without a suffix
(_headers, _redirects, CNAME) count as text too."""
MARKUP_SUFFIXES = frozenset({".html", ".htm", ".xml", ".svg", ".rss", ".atom", ".xsl", ".md"})
"""Text outputs that are also searched with their tags removed (``<b>Sam</b> Whitfield``)."""
MIN_TEXT_NEEDLE = 3
"""Titles or buyers shorter than this (normalised) are not searched for: one or two letters occur
by chance."""
TRACED_KINDS = ("title", "buyer")
"""What is traced back to the public file and line that has it, for the message."""

INVISIBLE: tuple[tuple[int, int], ...] = (
    (0x00AD, 0x00AD),  # soft hyphen
    (0x034F, 0x034F),  # combining grapheme joiner
    (0x0600, 0x0605), (0x061C, 0x061C), (0x06DD, 0x06DD), (0x070F, 0x070F), (0x0890, 0x0891), (0x08E2, 0x08E2),
    (0x115F, 0x1160), (0x3164, 0x3164), (0xFFA0, 0xFFA0),  # Hangul fillers
    (0x17B4, 0x17B5), (0x180B, 0x180F),  # Khmer vowels, Mongolian selectors
    (0x200B, 0x200F),  # zero-width space, non-joiner, joiner; direction marks
    (0x202A, 0x202E), (0x2060, 0x206F),  # direction controls; word joiner, invisible operators
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFF0, 0xFFFB),  # variation selectors; byte order mark
    (0x110BD, 0x110BD), (0x110CD, 0x110CD), (0x13430, 0x1343F), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),  # tags, variation selectors
)  # fmt: skip
"""Code points removed before comparing: every format character (Unicode category Cf) and every
other default-ignorable one. tests/test_guard.py checks this against the running Python's Unicode
database."""
_INVISIBLE = re.compile("[" + "".join(f"{chr(low)}-{chr(high)}" for low, high in INVISIBLE) + "]")
# The same characters in UTF-8, for a quick look before removing them: a regular expression of
# bytes scans several times faster than one of characters. U+E0000-U+E0FFF is all of F3 A0 ...
_INVISIBLE_UTF8 = re.compile(
    b"|".join(
        re.escape(code)
        for code in sorted(
            {
                chr(c).encode("utf-8")[: 2 if c >= 0xE0000 else 4]
                for low, high in INVISIBLE
                for c in range(low, high + 1)
            }
        )
    )
)
_PUNCTUATION = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u02bc": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"',
    "\u2010": "-", "\u2012": "-", "\u2212": "-", "\u2013": "--", "\u2014": "---", "\u2015": "---",
}  # fmt: skip
"""Smart punctuation (text.py) writes a typed ' as ’ and -- as –: both sides get the plain form."""
_TAG = re.compile(r"<[^<>]*>")
# Tags that do not end a word on screen: "<b>Sam</b> Whitfield", "Whit<wbr>field". Others (li, p,
# td, br...) count as a space once removed.
_INLINE = "a|abbr|b|bdi|bdo|cite|code|data|del|dfn|em|font|i|ins|kbd|mark|q|s|samp|small|span|strike|strong|sub|sup|time|tt|u|var|wbr"
_INLINE_TAG = rf"<(?:/?(?:{_INLINE})(?=[\s/>])[^<>]*|!--[^<>]*--)>"
_INLINE_TAGS = re.compile(_INLINE_TAG, re.IGNORECASE)
# On folded (lower-case) text: a percent-encoded ASCII letter or digit; the UTF-8 bytes of a
# percent-encoded non-ASCII character; a JSON \\u escape. (Three patterns that start with a
# fixed character are searched much faster than one with three branches.)
_PERCENT_LETTER = re.compile(r"%(?:3[0-9]|[46][1-9a-f]|[57][0-9a])")
_PERCENT_UTF8 = re.compile(r"%[89a-f][0-9a-f](?:%[89a-f][0-9a-f])*")
_JSON_U = re.compile(r"\\u(?:d[89ab][0-9a-f]{2}\\ud[c-f][0-9a-f]{2}|[0-9a-f]{4})")
_MARKDOWN_MARKS = re.compile(r"[*_`~]+")


@dataclass(slots=True)
class _Needle:
    kind: str
    """What it is, for the message: 'secret address (p/...)', 'title', 'buyer', 'photo file name'."""
    value: str
    """As searched for: tokens in lower case, text normalised (``normalise``)."""
    owners: set[str] = field(default_factory=set)
    """Folders ('p/<token>/') where it may appear."""
    sources: set[Path] = field(default_factory=set)
    """Listing files it comes from."""


def is_text_output(path: str) -> bool:
    suffix = PurePosixPath(path).suffix.lower()
    return suffix in TEXT_SUFFIXES or suffix == ""


# -- normalising -----------------------------------------------------------------------------------


def _fold(text: str, entities: bool = True) -> str:
    """The steps of ``normalise`` that can make or join letters and digits: entities decoded,
    invisible characters removed, compatibility forms and letter case folded. A run of ASCII
    letters and digits in the normalised text is in this one too (the quick check relies on it)."""
    if entities and "&" in text:
        text = html.unescape(text)
    if text.isascii():  # no invisible or compatibility characters, and casefold() is lower()
        return text.lower()
    if _INVISIBLE_UTF8.search(text.encode("utf-8", "surrogatepass")):
        text = _INVISIBLE.sub("", text)
    return unicodedata.normalize("NFKC", text).casefold()


def _finish(folded: str) -> str:
    """The rest of ``normalise``, for text that went through ``_fold``."""
    if not folded.isascii():
        # NFKC again: case folding can leave a letter and its accent apart.
        folded = unicodedata.normalize("NFKC", folded)
        for mark, plain in _PUNCTUATION.items():  # str.replace: a scan each, faster than one regex
            if mark in folded:
                folded = folded.replace(mark, plain)
    return " ".join(folded.split())


def normalise(text: str) -> str:
    """Text as the guard compares it: HTML entities decoded (``&nbsp;``, ``&shy;``, ``&#173;``),
    NFKC (fullwidth letters, ligatures, non-breaking and ideographic spaces), case folded,
    invisible characters removed (soft hyphens, zero-width spaces and joiners, every format
    character), curly quotes and dashes made plain (’ ', – --), each run of whitespace (line breaks
    too) one space."""
    return _finish(_fold(text))


_JSON_ESCAPE = re.compile(r"\\(u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|[\"\\/bfnrt])")
_JSON_SIMPLE = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def _json_char(code: str) -> str:
    """The character of a JSON escape without its backslash: 'u00e9', or a surrogate pair
    'ud835\\udc12' (a character beyond U+FFFF, such as a mathematical bold letter)."""
    if len(code) == 11:
        high, low = int(code[1:5], 16), int(code[7:], 16)
        return chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
    return chr(int(code[1:], 16))


def _json_unescape(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        code = m.group(1)
        return _json_char(code) if code[0] in "uU" else _JSON_SIMPLE[code]

    return _JSON_ESCAPE.sub(one, text)


def _without_tags(text: str) -> str:
    return _TAG.sub(" ", _INLINE_TAGS.sub("", text))


def _forms(folded: str, markup: bool) -> list[str]:
    """``readable_forms`` of a text already folded."""
    forms = [_finish(folded)]
    if markup and "<" in folded:
        # From the folded text: entities are decoded, so a tag written as text (&lt;b&gt;) goes
        # too; that only ever finds more.
        forms.append(_finish(_without_tags(folded)))
    decoded = _json_unescape(folded) if "\\" in folded else folded
    if "%" in decoded:  # as unquote(), which takes twice as long splitting the text into runs first
        decoded = unquote_to_bytes(decoded.encode("utf-8", "surrogatepass")).decode("utf-8", errors="replace")
    if decoded != folded:
        # Entities are not decoded again: an escaped '&' is the character itself.
        decoded = _fold(decoded, entities=False)
        forms.append(_finish(decoded))
    if "+" in decoded:
        forms.append(_finish(decoded.replace("+", " ")))  # form-style query strings
    return list(dict.fromkeys(forms))


def readable_forms(text: str, markup: bool = False) -> list[str]:
    """``text`` normalised as written (entities decoded); with its tags removed (``markup``); and
    with JSON escapes and percent-encoding undone too (one after the other, as a mailto link inside
    an HTML attribute needs), so an escaped or encoded value is found like a plain one."""
    return _forms(_fold(text), markup)


def _hides_letters(folded: str) -> bool:
    """Whether undoing a JSON escape or percent-encoding in ``folded`` could make a letter or digit,
    or an invisible character that joins two runs of them: only then can the decoded text hold a
    word the quick check did not see in ``folded``. (Encoders leave letters and digits as they
    are; the quotes, '<', '&', spaces and accented letters they escape cannot.)"""
    if "%" in folded:
        if _PERCENT_LETTER.search(folded):
            return True
        if any(_makes_letters(unquote(m.group())) for m in _PERCENT_UTF8.finditer(folded)):
            return True
    return "\\u" in folded and any(_makes_letters(_json_char(m.group()[1:])) for m in _JSON_U.finditer(folded))


def _makes_letters(decoded: str) -> bool:
    for ch in decoded:
        if ch.isascii():
            if ch.isalnum():
                return True
        elif _INVISIBLE.match(ch) or any(c.isascii() and c.isalnum() for c in _fold(ch)):
            return True
    return False


# -- whole words -----------------------------------------------------------------------------------


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _joins(ch: str) -> bool:
    """Whether ``ch``, next to a word of text, would make it part of a longer word: a letter,
    digit or '_' of a script that puts spaces between words. Chinese, Japanese and Korean (wide
    and half-width characters) and Thai, Lao, Myanmar and Khmer run words together or attach
    particles to them (私の赤い帽子です), so a title in them is found wherever it stands."""
    if ch.isascii():
        return ch.isalnum() or ch == "_"
    if not ch.isalnum():
        return False
    return not (
        unicodedata.east_asian_width(ch) in "WFH"
        or "\u0e00" <= ch <= "\u0eff"  # Thai, Lao
        or "\u1000" <= ch <= "\u109f"  # Myanmar
        or "\u1780" <= ch <= "\u17ff"  # Khmer
    )


def _bounded_at(haystack: str, needle: str, start: int, file_name: bool) -> bool:
    """The occurrence of ``needle`` at ``start`` is a whole word (or a whole file name)."""
    end = start + len(needle)
    before = haystack[start - 1] if start else " "
    after = haystack[end] if end < len(haystack) else " "
    if file_name:
        if _is_word(before) or before in "-." or _is_word(after) or after == "-":
            return False
        # 'duck.png.webp' is another file
        return not (after == "." and end + 1 < len(haystack) and _is_word(haystack[end + 1]))
    return not (_joins(before) and _joins(needle[0])) and not (_joins(after) and _joins(needle[-1]))


def _find_bounded(haystack: str, needle: str, file_name: bool) -> int:
    """Where ``needle`` first occurs in ``haystack`` as a whole word (or a whole file name), or -1."""
    start = haystack.find(needle)
    while start != -1:
        if _bounded_at(haystack, needle, start, file_name):
            return start
        start = haystack.find(needle, start + 1)
    return -1


# -- what is searched for --------------------------------------------------------------------------


def _in_private(output: str, plan: SitePlan) -> bool:
    return any(output.startswith(x.url) for x in plan.private_listings)


def _public_file_names(plan: SitePlan) -> set[str]:
    """Names of files the maker publishes on purpose, from the content itself (not from the plan's
    outputs, so a plan that wrongly publishes a private photo is still caught)."""
    site = plan.site
    names = {img.src.name for x in site.listings if not x.private for img in x.images}
    if site.maker.photo:
        names.add(site.maker.photo.src.name)
    if site.config.favicon:
        names.add(site.config.favicon.name)
    static = (site.content_root / "static").resolve()
    for asset in plan.assets:
        if asset.output.startswith("static/") or asset.source.resolve().is_relative_to(static):
            names.add(asset.source.name)  # theme files and the maker's content/static files
    return names


def _needles(plan: SitePlan, secret: str | None) -> tuple[list[_Needle], list[_Needle]]:
    """(token needles, text needles), each with the folders where it may appear."""
    tokens: list[_Needle] = []
    text: dict[tuple[str, str], _Needle] = {}
    public_names = {normalise(name) for name in _public_file_names(plan)}

    def add(kind: str, value: str | None, owner: str | None, source: Path) -> None:
        if value is None:
            return
        folded = normalise(value)
        if len(folded) < MIN_TEXT_NEEDLE:
            return
        if kind == "photo file name" and folded in public_names:
            return  # the same photo (or another file of that name) is public anyway
        needle = text.setdefault((kind, folded), _Needle(kind=kind, value=folded))
        if owner is not None:
            needle.owners.add(owner)
        needle.sources.add(source)

    def add_words(listing_title: str, buyer: str | None, mentions: bool, owner: str | None, source: Path) -> None:
        if not mentions:  # public_mentions: allowed
            add("title", listing_title, owner, source)
            add("buyer", buyer, owner, source)

    for x in plan.private_listings:
        src = x.listing.source.path
        tokens.append(_Needle(kind="secret address (p/...)", value=x.token, owners={x.url}, sources={src}))
        add_words(x.listing.title, x.listing.buyer, x.listing.public_mentions, x.url, src)
        for img in x.listing.images:
            add("photo file name", img.src.name, x.url, src)
        for url in x.image_urls.values():
            add("photo file name", PurePosixPath(url).name, x.url, src)
    # Private listings not built (expired) are still private: allowed nowhere.
    built = {x.listing.slug for x in plan.private_listings}
    for listing in plan.site.listings:
        if not listing.private or listing.slug in built:
            continue
        src = listing.source.path
        if secret:
            tokens.append(
                _Needle(kind="secret address (p/...)", value=listing_token(secret, listing.slug), sources={src})
            )
        add_words(listing.title, listing.buyer, listing.public_mentions, None, src)
        for img in listing.images:
            add("photo file name", img.src.name, None, src)
    return tokens, sorted(text.values(), key=lambda n: (n.kind, n.value))


_ASCII_RUN = re.compile(r"[a-z0-9]+")


def _key(value: str, file_name: bool, sample: list[str]) -> str | None:
    """A run of ASCII letters and digits from a normalised value, used to skip files quickly: a
    file whose ``_fold`` lacks it cannot contain the value in any form searched (whitespace and
    punctuation never join such runs), unless undoing an escape in it makes letters
    (``_hides_letters``) or a tag splits that very word. Of the value's runs, the one found in the
    fewest ``sample`` pages is taken (then the longest), so a common word such as 'person' or
    'mug' does not send every file to the slow check. For a file name the extension is left out
    ('.png' is everywhere). None when the value has no such run."""
    if file_name and "." in value:
        value = value.rsplit(".", 1)[0]
    runs = set(_ASCII_RUN.findall(value))
    return min(runs, key=lambda r: (sum(r in page for page in sample), -len(r), r), default=None)


def _sample(plan: SitePlan, outputs: Mapping[str, Content], per_kind: int = 2) -> list[str]:
    """A few rendered public pages of each kind, folded: which words are everywhere."""
    pages: list[str] = []
    taken: dict[str, int] = {}
    for page in plan.pages:
        if page.private is None and taken.get(page.kind, 0) < per_kind:
            data = outputs.get(page.output)
            if data is not None:  # bytes, or the file of a spooled page
                taken[page.kind] = taken.get(page.kind, 0) + 1
                pages.append(_fold(read_content(data).decode("utf-8", errors="replace")))
    return pages


def _alternation(values: Iterable[str]) -> re.Pattern[str] | None:
    """One regular expression for many literal strings: one pass over a file instead of one per
    value (several times faster than str.find in a loop on large shops)."""
    ordered = sorted(set(values), key=lambda v: (-len(v), v))
    return re.compile("|".join(re.escape(v) for v in ordered)) if ordered else None


def _keys_in(keys: set[str]) -> Callable[[str], set[str]]:
    """A function giving the ``keys`` a text contains: str.find for each of a few (it scans several
    times faster than a regular expression), one regular expression for many, tried at every
    position so that keys that overlap are all found."""
    if len(keys) <= 16:
        ordered = sorted(keys)
        return lambda text: {k for k in ordered if k in text}
    ordered = sorted(keys, key=lambda k: (-len(k), k))
    pattern = re.compile("(?=(" + "|".join(re.escape(k) for k in ordered) + "))")
    inside = {k: {j for j in keys if j in k} for k in keys}  # found where a longer key starts
    return lambda text: {j for m in pattern.finditer(text) for j in inside[m.group(1)]}


def _found(
    form: str, values: list[str], pattern: re.Pattern[str], by_value: Mapping[str, list[_Needle]]
) -> Iterator[_Needle]:
    """Needles of ``values`` that occur in ``form`` as whole words (file names: as whole names):
    str.find for each of a few, else one pass of ``pattern`` (all values)."""
    if len(values) > 32:
        yield from _matches(form, pattern, by_value)
        return
    for value in values:
        needles = by_value[value]
        if _find_bounded(form, value, needles[0].kind == "photo file name") != -1:
            yield from needles


def _matches(form: str, pattern: re.Pattern[str], by_value: Mapping[str, list[_Needle]]) -> Iterator[_Needle]:
    """Needles that occur in ``form`` as whole words (file names: as whole names)."""
    seen: set[int] = set()
    match = pattern.search(form)
    while match is not None:
        start = match.start()
        # Several values may start here (overlapping or nested); check each, not only the longest.
        for value, needles in by_value.items():
            if form.startswith(value, start) and _bounded_at(form, value, start, needles[0].kind == "photo file name"):
                for needle in needles:
                    if id(needle) not in seen:
                        seen.add(id(needle))
                        yield needle
        match = pattern.search(form, start + 1)


# A token is lower-case base32, which no escaping changes: its characters are marked in one
# C-speed pass (bytes.translate) and only runs long enough to hold a token are looked at. That
# is many times faster than a regular expression of every token on a large shop, and such runs
# are rare in text and in binary files alike.
_BASE32 = bytes(ord("a") if chr(b).lower() in "abcdefghijklmnopqrstuvwxyz234567" else ord(" ") for b in range(256))


def _tokens_in(blob: bytes, by_token: Mapping[bytes, _Needle], length: int) -> Iterator[_Needle]:
    """Needles of ``by_token`` (all ``length`` characters long) found in ``blob``, in any letter case."""
    marked = blob.translate(_BASE32)
    run = b"a" * length
    start = marked.find(run)
    while start != -1:
        end = marked.find(b" ", start)
        end = len(marked) if end == -1 else end
        chars = blob[start:end].lower()
        if len(chars) - length > 4 * len(by_token):  # a long run: search it for each token
            yield from (needle for token, needle in by_token.items() if token in chars)
        else:
            for i in range(len(chars) - length + 1):
                if (found := by_token.get(chars[i : i + length])) is not None:
                    yield found
        start = marked.find(run, end)


def find_leaks(
    plan: SitePlan,
    outputs: Mapping[str, Content],
    secret: str | None,
    theme: Theme | None = None,
) -> Iterator[tuple[str, _Needle]]:
    """Yield (output path, needle) for every private value found outside its own folder.
    (``theme`` is not needed to find them; check_outputs reads it to trace them.)"""
    if not secret and not any(x.private for x in plan.site.listings):
        return
    tokens, text = _needles(plan, secret)
    secret_needle = _Needle(kind="site secret", value=secret or "")  # no owners: allowed nowhere
    secret_bytes = secret.encode("utf-8") if secret else None
    by_length: dict[int, dict[bytes, _Needle]] = {}
    for n in tokens:
        by_length.setdefault(len(n.value), {})[n.value.lower().encode("ascii")] = n
    by_value: dict[str, list[_Needle]] = {}
    for needle in text:
        by_value.setdefault(needle.value, []).append(needle)
    text_pattern = _alternation(by_value)
    sample = _sample(plan, outputs)
    values = list(by_value)
    keys = [_key(v, by_value[v][0].kind == "photo file name", sample) for v in values]
    values_by_key: dict[str, list[str]] = {}
    for value, key in zip(values, keys, strict=True):
        values_by_key.setdefault(key or "", []).append(value)
    keys_in = None if None in keys else _keys_in(set(values_by_key))
    folders = [x.url for x in plan.private_listings]
    for out in sorted(outputs):
        allowed = {f for f in folders if out.startswith(f)}
        content = outputs[out]
        data = read_content(content)
        found: dict[int, _Needle] = {}
        if secret_bytes is not None and (secret_bytes in data or secret_bytes in out.encode("utf-8")):
            found[id(secret_needle)] = secret_needle
        for blob in (out.encode("utf-8"), data):
            for length, by_token in by_length.items():
                for needle in _tokens_in(blob, by_token, length):
                    if not needle.owners & allowed:
                        found[id(needle)] = needle
        if text_pattern is not None:
            hits = [n for form in readable_forms(out) for n in _matches(form, text_pattern, by_value)]
            if isinstance(content, bytes) or is_text_output(out):
                body = data.decode("utf-8", errors="replace")
                folded = _fold(body)
                # Normalising in full and undoing escapes is the slow part: only for files that
                # may hold a value, and only for the values that they may hold (see _key).
                if keys_in is None or _hides_letters(folded):
                    maybe = values
                else:
                    maybe = [v for key in sorted(keys_in(folded)) for v in values_by_key[key]]
                if maybe:
                    markup = PurePosixPath(out).suffix.lower() in MARKUP_SUFFIXES
                    for form in _forms(folded, markup):
                        hits += _found(form, maybe, text_pattern, by_value)
            for needle in hits:
                if not needle.owners & allowed:
                    found[id(needle)] = needle
        for needle in found.values():
            yield out, needle


# -- tracing a title or buyer to the line that has it ----------------------------------------------


def _public_sources(plan: SitePlan, theme: Theme | None) -> list[Path]:
    """Text files whose words may reach public pages: site.yaml, maker.yaml, pages, public
    listings, static files, and the theme's templates and files. Private listings' own files are not
    among them."""
    site = plan.site
    files = [site.config.source.path, site.maker.source.path]
    files += [p.source.path for p in site.pages]
    files += [x.source.path for x in site.listings if not x.private]
    files += [a.source for a in plan.assets if not _in_private(a.output, plan)]
    if theme is not None:
        for folder in theme.chain:
            files += sorted(p for p in folder.rglob("*") if p.is_file())
    private = {x.source.path for x in site.listings if x.private}
    return [p for p in dict.fromkeys(files) if p not in private and is_text_output(p.name)]


_SOURCE_VIEWS: tuple[Callable[[str], str], ...] = (
    lambda text: text,
    _without_tags,  # <b>Sam</b> Whitfield
    lambda text: _MARKDOWN_MARKS.sub("", text),  # **Sam** Whitfield
)


def _tracer(sources: Mapping[Path, str]) -> Callable[[str], list[tuple[Path, int]]]:
    """A function giving, for a normalised title or buyer, each file of ``sources`` (path: text)
    that has it and the 1-based line where it starts there, compared as outputs are (it may run
    over a line break). Each file is normalised once, however many values are looked for."""
    normalised: dict[tuple[Path, int], str] = {}

    def trace(value: str) -> list[tuple[Path, int]]:
        places = []
        for path, text in sources.items():
            for i, view in enumerate(_SOURCE_VIEWS):
                if (path, i) not in normalised:
                    normalised[path, i] = normalise(view(text))
                if _find_bounded(normalised[path, i], value, False) != -1:
                    places.append((path, _start_line(text.splitlines(keepends=True), view, value)))
                    break
        return places

    return trace


def _start_line(lines: list[str], view: Callable[[str], str], value: str) -> int:
    def within(first: int, end: int) -> bool:
        return _find_bounded(normalise(view("".join(lines[first:end]))), value, False) != -1

    low, high = 1, len(lines)  # the first line by which it has ended
    while low < high:
        mid = (low + high) // 2
        low, high = (low, mid) if within(0, mid) else (mid + 1, high)
    end = low
    low, high = 0, end - 1  # the last line it can start on
    while low < high:
        mid = (low + high + 1) // 2
        low, high = (mid, high) if within(mid, end) else (low, mid - 1)
    return low + 1


def _field_line(listing: Path, key: str) -> int:
    """Line of ``key:`` in a listing file (0 when it cannot be read again)."""
    try:
        data = load_yaml_file(listing).data
    except SiteError:
        return 0
    mark = data.key_marks.get(key) if isinstance(data, YMap) else None
    return mark.line if mark is not None else 0


def _at(path: Path, line: int) -> str:
    return display_path(path) + (f":{line}" if line else "")


# -- the errors ------------------------------------------------------------------------------------


def _redact(out: str, plan: SitePlan) -> str:
    """An output path fit for a build log (CI logs may be public): a private folder is shown as
    p/<slug of its listing>/, never with its token."""
    for x in plan.private_listings:
        if out.startswith(x.url):
            return f"p/<{x.listing.slug}>/" + out[len(x.url) :]
    return out


def _describe(out: str, plan: SitePlan) -> str:
    for page in plan.pages:
        if page.output == out:
            return f"the page {_redact(out, plan)} (template {page.template})"
    return f"the file {_redact(out, plan)}"


def _where(outs: list[str], plan: SitePlan) -> str:
    where = _describe(outs[0], plan)
    if len(outs) > 1:
        shown = ", ".join(_redact(o, plan) for o in outs[1:6]) + (", ..." if len(outs) > 6 else "")
        where += f" and {len(outs) - 1} more file{'s' if len(outs) > 2 else ''} ({shown})"
    return where


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


_ORDER = ["secret address (p/...)", "title", "buyer", "photo file name"]


def check_outputs(
    plan: SitePlan, outputs: Mapping[str, Content], secret: str | None, theme: Theme | None = None
) -> None:
    """Raise BuildFailed naming the output files that reveal a private listing. A title or buyer
    traced to a public file gets one error at each line that has it, naming the private listing's
    line too; anything else one error per listing, naming the listing's file, what was found and
    where. Never the value itself, the token or the secret."""
    findings: dict[int, tuple[_Needle, set[str]]] = {}
    for out, needle in find_leaks(plan, outputs, secret, theme):
        findings.setdefault(id(needle), (needle, set()))[1].add(out)
    if not findings:
        return
    sources: dict[Path, str] = {}
    for path in _public_sources(plan, theme):
        try:
            sources[path] = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
    trace = _tracer(sources)
    field_lines: dict[tuple[Path, str], int] = {}
    traced: dict[tuple[Path, int], list[tuple[_Needle, set[str]]]] = {}
    kinds: dict[Path | None, set[str]] = {}
    files: dict[Path | None, set[str]] = {}
    for needle, found_in in findings.values():
        places: list[tuple[Path, int]] = []
        if needle.kind in TRACED_KINDS:
            places = trace(needle.value)
        for place in places:
            traced.setdefault(place, []).append((needle, found_in))
        if places:
            continue
        owners: list[Path | None] = [*sorted(needle.sources)] or [None]
        for owner in owners:
            kinds.setdefault(owner, set()).add(needle.kind)
            files.setdefault(owner, set()).update(found_in)
    errors: list[SiteError] = []
    for (path, line), found in sorted(traced.items()):
        by_kind: dict[str, list[str]] = {}
        outs: set[str] = set()
        for needle, needle_outs in sorted(found, key=lambda f: _ORDER.index(f[0].kind)):
            for listing in sorted(needle.sources):
                key = (listing, needle.kind)
                if key not in field_lines:
                    field_lines[key] = _field_line(listing, needle.kind)
                by_kind.setdefault(needle.kind, []).append(_at(listing, field_lines[key]))
            outs |= needle_outs
        what = _and([f"{kind} ({_and(at)})" for kind, at in by_kind.items()])
        listings = sorted({display_path(p) for needle, _ in found for p in needle.sources})
        one = sum(len(at) for at in by_kind.values()) == 1
        errors.append(
            SiteError(
                f"private listing leak: this line has the {what} of "
                f"{'a private listing' if len(listings) == 1 else 'private listings'}, so "
                f"{_where(sorted(outs), plan)} would show {'it' if one else 'them'}; "
                "a private listing may appear only on its own page",
                path=path,
                line=line,
                hint="nothing was written. Reword this line; or, if naming that listing in public is on purpose, "
                f"add 'public_mentions: allowed' to {_and(listings)} (its address stays secret)",
            )
        )
    for source in sorted(kinds, key=lambda p: p.as_posix() if p else ""):
        where = _where(sorted(files[source]), plan)
        if source is None:
            errors.append(
                SiteError(
                    f"{where} would contain the site secret; it must never be published",
                    hint="remove it from the content or theme that puts it there, then change the secret "
                    "(every private address changes)",
                )
            )
            continue
        found_kinds = sorted(kinds[source], key=lambda k: _ORDER.index(k) if k in _ORDER else len(_ORDER))
        errors.append(
            SiteError(
                f"private listing leak: {where} would contain this private listing's {_and(found_kinds)}; "
                "it may appear only on its own page",
                path=source,
                hint="nothing was written. Remove it from the page, content or theme template that puts it there "
                "(a theme must not carry data from one page to another, or read content files itself)",
            )
        )
    raise BuildFailed(errors)


# -- what photos carry -----------------------------------------------------------------------------

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".avif", ".gif", ".tif", ".tiff", ".heic", ".heif")

_GPS_IFD = 0x8825
_SERIALS = {
    0xA431: "the camera's serial number",
    0xC62F: "the camera's serial number",
    0xA435: "the lens's serial number",
}
_XMP_GPS = re.compile(rb"GPS(Latitude|Longitude)|(Body|Lens|Camera)?SerialNumber", re.IGNORECASE)


def image_metadata_problem(data: bytes) -> str | None:
    """What private data an image file carries ('the GPS position where it was taken'), or None."""
    import io
    import warnings

    from PIL import Image as PILImage

    from .images import register_formats

    found: list[str] = []
    if data[4:8] == b"ftyp":  # HEIC (or AVIF, which Pillow reads itself)
        register_formats()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with PILImage.open(io.BytesIO(data)) as im:
                exif = im.getexif()
                if exif.get_ifd(_GPS_IFD) or _GPS_IFD in exif:
                    found.append("the GPS position where it was taken")
                ifd = {**exif, **exif.get_ifd(0x8769)}
                for tag, what in _SERIALS.items():
                    if ifd.get(tag) and what not in found:
                        found.append(what)
    except Exception:  # not an image Pillow reads: only the XMP text below can tell
        pass
    xmp = _XMP_GPS.search(data)
    if xmp is not None:
        what = "the GPS position where it was taken" if b"gps" in xmp[0].lower() else "the camera's serial number"
        if what not in found:
            found.append(what)
    return _and(found) if found else None


def check_image_metadata(plan: SitePlan, outputs: Mapping[str, Content], made: Iterable[str] = ()) -> None:
    """Raise BuildFailed naming every image about to be published that carries a GPS position or
    a camera serial number. ``made``: outputs the image step took from the build cache, files it
    encoded from bare pixels and checked when it made them (reading them all again would cost
    more than the rest of a rebuild)."""
    errors: list[SiteError] = []
    skip = set(made)
    for out in sorted(outputs):
        if not out.lower().endswith(IMAGE_SUFFIXES) or out in skip:
            continue
        content = outputs[out]
        try:
            data = content.read_bytes() if isinstance(content, Path) else content
        except OSError:
            continue  # the writer reports a file it cannot read
        problem = image_metadata_problem(data)
        if problem is None:
            continue
        errors.append(
            SiteError(
                f"{_describe(out, plan)} would publish {problem}",
                path=content if isinstance(content, Path) and not _in_private(out, plan) else None,
                hint="nothing was written. List the photo under a listing's images: (makerfront publishes a "
                "copy without any metadata), or remove the location and camera data in your photo app",
            )
        )
    if errors:
        raise BuildFailed(errors)
