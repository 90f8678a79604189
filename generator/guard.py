"""The leak guard: a built site must never reveal a private listing outside its own folder.

plan.py keeps private listings out of every public list, so templates cannot loop over them. This
module checks the result instead of trusting that: after rendering, before anything is written,
it reads every output (its path and, for text files, its content) and fails the build if one
outside ``p/<token>/`` contains that listing's

- token (anywhere, text or binary, in any letter case, and in file and folder names),
- title or buyer (unless the same words are also public text: a public listing, the maker's
  profile, an extra page, the theme; then finding them proves nothing),
- photo file names (unless a public file has the same name),

or if any output contains the site secret itself. A theme that copies data from one page to the
next, reads content files on its own, or a maker who pastes a private link into a public page
is stopped here, with the output file named, and the last good output/ stays as it was.

Text is matched case-insensitively, as written and after undoing HTML entities, JSON string
escapes and URL percent-encoding, so ``{{ title|upper }}`` or a mailto body does not slip past.
Binary files (photos, fonts) are searched for tokens and the secret only.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from .errors import BuildFailed, SiteError
from .plan import SitePlan
from .secret import listing_token
from .text import plain_text
from .theme import Theme
from .write import Content, read_content

TEXT_SUFFIXES = frozenset(
    {".html", ".htm", ".xml", ".json", ".js", ".mjs", ".css", ".txt", ".svg", ".md", ".csv", ".webmanifest",
     ".map", ".rss", ".atom", ".xsl", ".ics", ".vcf", ".yaml", ".yml", ".toml"}
)  # fmt: skip
"""Outputs whose contents are searched for titles, buyers and file names; files without a suffix
(_headers, _redirects, CNAME) count as text too."""
MIN_TEXT_NEEDLE = 3
"""Titles or buyers shorter than this are not searched for: one or two letters occur by chance."""


@dataclass(slots=True)
class _Needle:
    kind: str
    """What it is, for the message: 'secret address (p/...)', 'title', 'buyer', 'photo file name'."""
    value: str
    """As searched for: tokens in lower case, text casefolded."""
    owners: set[str] = field(default_factory=set)
    """Folders ('p/<token>/') where it may appear."""
    sources: set[Path] = field(default_factory=set)
    """Listing files it comes from."""


def is_text_output(path: str) -> bool:
    suffix = PurePosixPath(path).suffix.lower()
    return suffix in TEXT_SUFFIXES or suffix == ""


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


def _find_bounded(haystack: str, needle: str, file_name: bool) -> bool:
    """``needle`` occurs in ``haystack`` as a whole word (or a whole file name)."""
    start = haystack.find(needle)
    while start != -1:
        if _bounded_at(haystack, needle, start, file_name):
            return True
        start = haystack.find(needle, start + 1)
    return False


_JSON_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|[\"\\/bfnrt])")
_JSON_SIMPLE = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def _json_unescape(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        code = m.group(1)
        return chr(int(code[1:], 16)) if code[0] == "u" else _JSON_SIMPLE[code]

    return _JSON_ESCAPE.sub(one, text)


def readable_forms(text: str) -> list[str]:
    """The text as written, and with HTML entities, JSON escapes and percent-encoding undone (one
    after the other, as a mailto link inside an HTML attribute needs), casefolded, so an escaped or
    encoded value is found like a plain one."""
    forms = [text]
    decoded = html.unescape(text) if "&" in text else text
    if "\\" in decoded:
        decoded = _json_unescape(decoded)
    if "%" in decoded:
        decoded = unquote(decoded)
    if decoded != text:
        forms.append(decoded)
    if "+" in decoded:
        forms.append(decoded.replace("+", " "))  # form-style query strings
    return [f.casefold() for f in forms]


def public_text(plan: SitePlan, theme: Theme | None) -> list[str]:
    """Everything the maker publishes on purpose: words found here prove nothing about a leak."""
    site = plan.site
    cfg = site.config
    maker = site.maker
    parts: list[str] = [cfg.title, cfg.description or "", cfg.contact.email, cfg.base_url]
    parts += [maker.name, maker.location or "", maker.intro or "", plain_text(maker.bio)]
    parts += [f"{link.name} {link.url}" for link in maker.links]
    co = maker.custom_orders
    parts += [co.accepts or "", co.production_time or "", co.response_time]
    for x in plan.public_listings:
        parts += [x.title, x.description_text, x.production_time or "", x.order_url or ""]
        parts += [t.name for t in x.tags] + [img.alt for img in x.images]
        for c in x.customizations:
            parts += [c.name, c.instructions or ""] + [o.label for o in c.options]
    for p in site.pages:
        parts += [p.title, plain_text(p.body)]
    files: list[Path] = [a.source for a in plan.assets if not _in_private(a.output, plan)]
    if theme is not None:
        for folder in theme.chain:
            files += sorted(p for p in folder.rglob("*") if p.is_file())
    for path in files:
        if is_text_output(path.name):
            try:
                parts.append(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError):
                continue
    return ["\n".join(parts).casefold()]


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


def _needles(plan: SitePlan, public: list[str], secret: str | None) -> tuple[list[_Needle], list[_Needle]]:
    """(token needles, text needles), each with the folders where it may appear."""
    tokens: list[_Needle] = []
    text: dict[tuple[str, str], _Needle] = {}
    public_names = {name.casefold() for name in _public_file_names(plan)}

    def add(kind: str, value: str | None, owner: str | None, source: Path) -> None:
        if value is None:
            return
        folded = value.strip().casefold()
        if len(folded) < MIN_TEXT_NEEDLE:
            return
        file_name = kind == "photo file name"
        if file_name and folded in public_names:
            return  # the same photo (or another file of that name) is public anyway
        if not file_name and any(_find_bounded(t, folded, False) for t in public):
            return
        needle = text.setdefault((kind, folded), _Needle(kind=kind, value=folded))
        if owner is not None:
            needle.owners.add(owner)
        needle.sources.add(source)

    for x in plan.private_listings:
        src = x.listing.source.path
        tokens.append(_Needle(kind="secret address (p/...)", value=x.token, owners={x.url}, sources={src}))
        add("title", x.listing.title, x.url, src)
        add("buyer", x.listing.buyer, x.url, src)
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
        add("title", listing.title, None, src)
        add("buyer", listing.buyer, None, src)
        for img in listing.images:
            add("photo file name", img.src.name, None, src)
    return tokens, sorted(text.values(), key=lambda n: (n.kind, n.value))


_ASCII_RUN = re.compile(r"[a-z0-9]+")


def _key(value: str, file_name: bool, sample: list[str]) -> str | None:
    """A run of ASCII letters and digits from a casefolded value, used to skip files quickly:
    HTML entities, JSON escapes and percent-encoding never change such a run, so a file without
    it cannot contain the value in any of those forms. Of the value's runs, the one found in the
    fewest ``sample`` pages is taken (then the longest), so a common word such as 'person' or
    'mug' does not send every file to the slow check. For a file name the extension is left out
    ('.png' is everywhere). None when the value has no such run."""
    if file_name and "." in value:
        value = value.rsplit(".", 1)[0]
    runs = set(_ASCII_RUN.findall(value))
    return min(runs, key=lambda r: (sum(r in page for page in sample), -len(r), r), default=None)


def _sample(plan: SitePlan, outputs: Mapping[str, Content], per_kind: int = 2) -> list[str]:
    """A few rendered public pages of each kind, casefolded: which words are everywhere."""
    pages: list[str] = []
    taken: dict[str, int] = {}
    for page in plan.pages:
        if page.private is None and taken.get(page.kind, 0) < per_kind:
            data = outputs.get(page.output)
            if data is not None:  # bytes, or the file of a spooled page
                taken[page.kind] = taken.get(page.kind, 0) + 1
                pages.append(read_content(data).decode("utf-8", errors="replace").casefold())
    return pages


def _alternation(values: Iterable[str]) -> re.Pattern[str] | None:
    """One regular expression for many literal strings: one pass over a file instead of one per
    value (several times faster than str.find in a loop on large shops)."""
    ordered = sorted(set(values), key=lambda v: (-len(v), v))
    return re.compile("|".join(re.escape(v) for v in ordered)) if ordered else None


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


def find_leaks(
    plan: SitePlan,
    outputs: Mapping[str, Content],
    secret: str | None,
    theme: Theme | None = None,
) -> Iterator[tuple[str, _Needle]]:
    """Yield (output path, needle) for every private value found outside its own folder."""
    if not secret and not any(x.private for x in plan.site.listings):
        return
    public = public_text(plan, theme)
    tokens, text = _needles(plan, public, secret)
    secret_needle = _Needle(kind="site secret", value=secret or "")  # no owners: allowed nowhere
    secret_bytes = secret.encode("utf-8") if secret else None
    # Tokens are lower-case letters and digits, which no escaping changes: one search of the
    # lower-cased bytes finds them as written, upper-cased, percent-encoded or inside binary files.
    raw = {n.value.lower().encode("ascii"): n for n in tokens}
    raw_pattern = re.compile(b"|".join(re.escape(v) for v in sorted(raw, key=lambda v: (-len(v), v)))) if raw else None
    by_value: dict[str, list[_Needle]] = {}
    for needle in text:
        by_value.setdefault(needle.value, []).append(needle)
    text_pattern = _alternation(by_value)
    sample = _sample(plan, outputs)
    keys = [_key(v, ns[0].kind == "photo file name", sample) for v, ns in by_value.items()]
    key_pattern = None if None in keys else _alternation(k for k in keys if k)
    folders = [x.url for x in plan.private_listings]
    for out in sorted(outputs):
        allowed = {f for f in folders if out.startswith(f)}
        content = outputs[out]
        data = read_content(content)
        found: dict[int, _Needle] = {}
        if secret_bytes is not None and (secret_bytes in data or secret_bytes in out.encode("utf-8")):
            found[id(secret_needle)] = secret_needle
        for blob in (out.encode("utf-8"), data):
            for m in raw_pattern.finditer(blob.lower()) if raw_pattern is not None else ():
                needle = raw[m.group()]
                if not needle.owners & allowed:
                    found[id(needle)] = needle
        if text_pattern is not None:
            forms = readable_forms(out)
            if isinstance(content, bytes) or is_text_output(out):
                body = data.decode("utf-8", errors="replace")
                # Undoing escapes is the slow part; do it only for files that contain a key.
                if key_pattern is None or key_pattern.search(body.casefold()) is not None:
                    forms += readable_forms(body)
            for form in forms:
                for needle in _matches(form, text_pattern, by_value):
                    if not needle.owners & allowed:
                        found[id(needle)] = needle
        for needle in found.values():
            yield out, needle


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


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def check_outputs(
    plan: SitePlan, outputs: Mapping[str, Content], secret: str | None, theme: Theme | None = None
) -> None:
    """Raise BuildFailed naming the output files that reveal a private listing: one error per
    listing, naming the listing's file, what was found and where; never the token or the secret."""
    kinds: dict[Path | None, set[str]] = {}
    files: dict[Path | None, list[str]] = {}
    for out, needle in find_leaks(plan, outputs, secret, theme):
        sources: set[Path | None] = set(needle.sources) or {None}
        for source in sources:
            kinds.setdefault(source, set()).add(needle.kind)
            if out not in files.setdefault(source, []):
                files[source].append(out)
    if not kinds:
        return
    errors: list[SiteError] = []
    for source in sorted(kinds, key=lambda p: p.as_posix() if p else ""):
        outs = files[source]
        where = _describe(outs[0], plan)
        if len(outs) > 1:
            shown = ", ".join(_redact(o, plan) for o in outs[1:6]) + (", ..." if len(outs) > 6 else "")
            where += f" and {len(outs) - 1} more file{'s' if len(outs) > 2 else ''} ({shown})"
        if source is None:
            errors.append(
                SiteError(
                    f"{where} would contain the site secret; it must never be published",
                    hint="remove it from the content or theme that puts it there, then change the secret "
                    "(every private address changes)",
                )
            )
            continue
        order = ["secret address (p/...)", "title", "buyer", "photo file name"]
        found = sorted(kinds[source], key=lambda k: order.index(k) if k in order else len(order))
        errors.append(
            SiteError(
                f"private listing leak: {where} would contain this private listing's {_and(found)}; "
                "it may appear only on its own page",
                path=source,
                hint="nothing was written. Remove it from the page, content or theme template that puts it there "
                "(a theme must not carry data from one page to another, or read content files itself)",
            )
        )
    raise BuildFailed(errors)
