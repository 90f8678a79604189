"""The words a buyer reads, in the shop's language: gettext catalogs managed with Babel.

Every string the theme and makerfront show a buyer (buttons, headings, page titles, the order
and custom-order mails, the page scripts' messages) is an English message id in a gettext
catalog. `generator/locale/makerfront.pot` lists them all (made by `pybabel extract`, see
babel.cfg and docs/translating.md); `generator/locale/<code>/LC_MESSAGES/makerfront.po` holds
each shipped translation. The .po files are the only copy kept: they are compiled when a build
first needs one (`_read_catalog`, remembered per file version), never committed as .mo files.

Where a translation comes from, first found first:

1. site.yaml `strings:` (the maker's own wording of one message);
2. the catalogs of the theme chain (`themes/<name>/locale/<code>/LC_MESSAGES/makerfront.po`),
   the maker's theme before the themes it extends;
3. makerfront's own catalog for the language;
4. the English message itself.

The shop's `language:` picks the catalog: `de-AT` uses `de_AT` when there is one, else `de`;
Chinese goes by script (`zh-CN`, `zh-SG`, `zh-Hans` use zh_CN; `zh-TW`, `zh-HK`, `zh-Hant` use
zh_TW). Translations are plain text: templates escape them like any other value, so no catalog
can put markup into a page.
"""

from __future__ import annotations

import difflib
import gettext as _gettext
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.lists import format_list
from babel.messages.catalog import Catalog
from babel.messages.plurals import get_plural
from babel.messages.pofile import PoFileError, read_po
from babel.numbers import format_decimal

from .errors import ErrorList, SiteError, SourceRef

LOCALE_DIR = Path(str(files("generator") / "locale"))
"""makerfront's own catalogs (package data)."""
DOMAIN = "makerfront"
"""The gettext domain: the file name of every catalog (makerfront.po, makerfront.pot)."""
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"
"""Every message id, in English (made by `pybabel extract`)."""

_ENGLISH_PLURAL = "(n != 1)"
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%%")


@dataclass(frozen=True, slots=True, kw_only=True)
class StringOverride:
    """One message worded by the maker in site.yaml `strings:`."""

    msgid: str
    """The English message, as the catalog has it."""
    text: tuple[str, ...]
    """The maker's wording: one text, or one per plural form (singular first)."""
    source: SourceRef
    """Where the wording is (its value in site.yaml)."""
    key: SourceRef
    """Where the English text is (the key)."""


@dataclass(frozen=True, slots=True)
class _Catalog:
    """A compiled catalog: message id -> translation (a tuple of forms for plural messages)."""

    table: Mapping[str, str | tuple[str, ...]]
    plural: str
    """The catalog's plural expression (C syntax, as in Plural-Forms)."""
    plurals: int
    ids: frozenset[str]
    """Every message id the catalog lists, translated or not."""


def catalog_files(folder: Path, code: str) -> Path:
    return folder / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def catalog_codes(language: str) -> tuple[str, ...]:
    """The catalog folders to look in for a BCP 47 language tag, best first ('de-AT' ->
    ('de_AT', 'de'); 'zh-HK' -> ('zh_TW',); 'en' -> ('en',))."""
    tag = language.replace("-", "_")
    try:
        loc = Locale.parse(tag)
    except (UnknownLocaleError, ValueError):
        first = tag.split("_")[0].lower()
        return (first,)
    if loc.language == "zh":
        script = loc.script or ("Hant" if loc.territory in ("TW", "HK", "MO") else "Hans")
        return ("zh_TW",) if script == "Hant" else ("zh_CN",)
    codes = [f"{loc.language}_{loc.territory}"] if loc.territory else []
    return (*codes, loc.language)


@lru_cache(maxsize=32)
def babel_locale(language: str) -> Locale:
    """The Babel locale for dates and numbers (English when Babel does not know the tag);
    remembered, as every page formats numbers."""
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


@lru_cache(maxsize=64)
def _read_catalog(path: Path, mtime_ns: int, size: int) -> _Catalog:
    """``path`` compiled (remembered per version of the file: its mtime and size)."""
    del mtime_ns, size  # the cache key only
    try:
        with path.open("rb") as f:
            catalog: Catalog = read_po(f, abort_invalid=True)
    except PoFileError as exc:
        line = getattr(exc, "lineno", -1) + 1
        raise SiteError(f"this translation catalog cannot be read: {exc}", path=path, line=max(line, 0)) from exc
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise SiteError(f"this translation catalog cannot be read: {exc}", path=path) from exc
    table: dict[str, str | tuple[str, ...]] = {}
    ids: set[str] = set()
    errors = ErrorList()
    for message in catalog:
        if not message.id:
            continue  # the header
        ids_: tuple[str, ...] = tuple(message.id) if isinstance(message.id, tuple | list) else (str(message.id),)
        plural = len(ids_) > 1
        key = ids_[0]
        ids.add(key)
        if message.fuzzy:
            continue  # a guess pybabel made: not a translation yet
        raw = message.string
        forms: tuple[str, ...] = (
            tuple(str(x or "") for x in raw) if isinstance(raw, tuple | list) else (str(raw or ""),)
        )
        if not all(forms):
            continue
        allowed: frozenset[str] = frozenset().union(*(placeholders(i) for i in ids_))
        if plural:
            allowed |= {"num"}
        for text in forms:
            problem = translation_problem(text, allowed)
            if problem is not None:
                errors.add(SiteError(f'"{key}": {problem}', path=path, line=message.lineno or 0))
        table[key] = forms if plural else forms[0]
    errors.raise_if_any()
    return _Catalog(table=table, plural=catalog.plural_expr, plurals=catalog.num_plurals, ids=frozenset(ids))


def read_catalog(path: Path) -> _Catalog:
    stat = path.stat()
    return _read_catalog(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=1)
def _template_ids(path: Path, mtime_ns: int) -> tuple[tuple[str, str | None], ...]:
    del mtime_ns
    with path.open("rb") as f:
        catalog = read_po(f)
    out: list[tuple[str, str | None]] = []
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple | list):
            out.append((message.id[0], message.id[1]))
        else:
            out.append((message.id, None))
    return tuple(out)


def template_messages() -> tuple[tuple[str, str | None], ...]:
    """Every message of makerfront's catalog template: (id, plural id or None), in its order."""
    return _template_ids(TEMPLATE, TEMPLATE.stat().st_mtime_ns)


def placeholders(text: str) -> frozenset[str]:
    """The %(name)s placeholders of a message."""
    return frozenset(m[1] for m in _PLACEHOLDER.finditer(text) if m[1])


def translation_problem(text: str, allowed: frozenset[str]) -> str | None:
    """Why ``text`` cannot stand for a message whose values are ``allowed``, or None: a
    placeholder the message has no value for, or a '%' that is not part of one (the page would
    fail as it is made)."""
    extra = placeholders(text) - allowed
    if extra:
        names = ", ".join(f"%({n})s" for n in sorted(extra))
        return f"{names} is not one of the values this text can show"
    if "%" in _PLACEHOLDER.sub("", text):
        return "a lone % must be written %%"
    return None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Messages:
    """The shop's messages in its language: what templates get as `_()`/`ngettext()` and what
    makerfront's own code uses for page titles, mails and structured data."""

    language: str
    """The site's language tag, as written in site.yaml."""
    catalog: str | None
    """The shipped catalog in use ('de', 'zh_CN'), None for English or a language with none."""
    table: Mapping[str, str | tuple[str, ...]] = field(repr=False)
    plural_expr: str = field(default=_ENGLISH_PLURAL, repr=False)
    plural: Callable[[int], int] = field(repr=False, compare=False, hash=False, default=lambda n: int(n != 1))
    fingerprint: str = ""
    """A hash of every translation in use: part of each page's inputs (depends.py), so editing a
    catalog or `strings:` renders the pages again."""
    missing: tuple[str, ...] = field(default=(), repr=False)
    """Message ids of makerfront's catalog with no translation in this language (English is shown)."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Messages) and (self.language, self.fingerprint) == (other.language, other.fingerprint)

    def __hash__(self) -> int:
        return hash((self.language, self.fingerprint))

    def gettext(self, message: str) -> str:
        found = self.table.get(message)
        if found is None:
            return message
        return found if isinstance(found, str) else found[0]

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        found = self.table.get(singular)
        if isinstance(found, tuple):
            index = self.plural(n)
            return found[index] if 0 <= index < len(found) else found[-1]
        if isinstance(found, str):  # the maker gave one wording for every number
            return found
        return singular if n == 1 else plural

    # tr and ntr are the names pybabel extracts from makerfront's own code (babel.cfg): a
    # message is written where it is used, `t.tr("About %(name)s", name=maker)`.
    def tr(self, message: str, **values: object) -> str:
        """gettext(message) with its %(name)s placeholders filled ('%%' is a '%')."""
        return self.gettext(message) % values

    def ntr(self, singular: str, plural: str, n: int, **values: object) -> str:
        """ngettext with %(num)s (and any other placeholder) filled."""
        values.setdefault("num", self.number(n))
        return self.ngettext(singular, plural, n) % values

    def plural_forms(self, singular: str, plural: str) -> dict[str, str]:
        """ngettext's text for each CLDR plural category of the language ('one', 'few', 'many',
        'other'...), for a script that picks one with Intl.PluralRules."""
        return {category: self.ngettext(singular, plural, n) for category, n in _plural_samples(self.language)}

    def join(self, items: Sequence[str], kind: str = "and") -> str:
        """A list as the language writes it: 'Red, Blue and Green' ('and'), '16 oz or 20 oz' ('or')."""
        if len(items) <= 1:
            return "".join(items)
        return str(
            format_list(list(items), style="standard" if kind == "and" else "or", locale=babel_locale(self.language))
        )

    def number(self, n: int | float) -> str:
        """A number as the language writes it (1,000 / 1.000 / 1 000)."""
        return _number(n, self.language)

    def date(self, day: date, form: str = "long") -> str:
        """A date as the language writes it: 'March 1, 2027', '1. März 2027', '2027年3月1日'."""
        return str(format_date(day, format=form, locale=babel_locale(self.language)))


@lru_cache(maxsize=4096)
def _number(n: int | float, language: str) -> str:
    # Remembered: pages show the same few numbers (page counts, quantities) over and over.
    return str(format_decimal(n, locale=babel_locale(language)))


@lru_cache(maxsize=32)
def _plural_samples(language: str) -> tuple[tuple[str, int], ...]:
    """One number of each CLDR plural category of the language, by category: the numbers a
    script's Intl.PluralRules sorts the same way."""
    rule = babel_locale(language).plural_form
    found: dict[str, int] = {}
    for n in (*range(201), 1000, 10**6):
        found.setdefault(str(rule(n)), n)
    return tuple(sorted(found.items()))


def language_name(language: str) -> str:
    """The language's English name ('German', 'Chinese (Simplified)'), for messages to the maker."""
    try:
        loc = Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return language
    return str(loc.get_display_name("en") or language)


ENGLISH = Messages(language="en", catalog=None, table={}, fingerprint="en")
"""Messages without any catalog: the English message ids."""


def load_messages(
    language: str,
    theme_locale_dirs: Sequence[Path] = (),
    strings: Iterable[StringOverride] = (),
    locale_dir: Path = LOCALE_DIR,
) -> Messages:
    """The messages for ``language``: site.yaml ``strings`` over the theme catalogs (most
    specific theme first) over makerfront's own catalog over English. Raises BuildFailed with
    each `strings:` entry that names no message or changes its placeholders, at its line."""
    codes = catalog_codes(language)
    layers: list[_Catalog] = []
    chosen: str | None = None
    for folder in theme_locale_dirs:
        for code in codes:
            path = catalog_files(folder, code)
            if path.is_file():
                layers.append(read_catalog(path))
                break
    own: _Catalog | None = None
    for code in codes:
        path = catalog_files(locale_dir, code)
        if path.is_file():
            own = read_catalog(path)
            chosen = code
            break
    if own is not None:
        layers.append(own)
    table: dict[str, str | tuple[str, ...]] = {}
    for layer in reversed(layers):  # the most specific last, so it wins
        table.update(layer.table)
    # The plural rule of the catalog in use; for a language makerfront has no catalog of, the
    # language's own rule (CLDR, through Babel), so `strings:` can give each of its forms.
    plural_expr = own.plural if own is not None else (layers[0].plural if layers else _language_plural(language))
    known = _known_messages(locale_dir, theme_locale_dirs)
    forms = own.plurals if own is not None else (layers[0].plurals if layers else _language_forms(language))
    _apply_overrides(table, strings, known, forms, language)
    missing = (
        tuple(msgid for msgid, _plural in _template_or_empty(locale_dir) if msgid not in table)
        if codes[-1] != "en"
        else ()
    )
    digest = hashlib.blake2b(digest_size=16)
    digest.update(repr((language, plural_expr, sorted(table.items()))).encode())
    return Messages(
        language=language,
        catalog=chosen,
        table=table,
        plural_expr=plural_expr,
        plural=_plural_function(plural_expr),
        fingerprint=digest.hexdigest(),
        missing=missing,
    )


def _template_or_empty(locale_dir: Path) -> tuple[tuple[str, str | None], ...]:
    template = locale_dir / f"{DOMAIN}.pot"
    if not template.is_file():
        return ()
    return _template_ids(template, template.stat().st_mtime_ns)


def _known_messages(locale_dir: Path, theme_locale_dirs: Sequence[Path]) -> dict[str, str | None]:
    """Every message id a `strings:` entry may name: makerfront's and the themes' own (any
    catalog or template of the theme's)."""
    known: dict[str, str | None] = dict(_template_or_empty(locale_dir))
    for folder in theme_locale_dirs:
        for po in sorted(folder.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
            for msgid in read_catalog(po).ids:
                known.setdefault(msgid, None)
        pot = folder / f"{DOMAIN}.pot"
        if pot.is_file():
            for msgid, plural in _template_ids(pot, pot.stat().st_mtime_ns):
                known.setdefault(msgid, plural)
    return known


def _apply_overrides(
    table: dict[str, str | tuple[str, ...]],
    strings: Iterable[StringOverride],
    known: Mapping[str, str | None],
    forms: int = 2,
    language: str = "en",
) -> None:
    errors = ErrorList()
    for s in strings:
        where = {"path": s.source.path, "line": s.source.line, "column": s.source.column}
        if s.msgid not in known:
            close = difflib.get_close_matches(s.msgid, list(known), n=1, cutoff=0.6)
            errors.add(
                SiteError(
                    f'strings: no text of the shop reads "{s.msgid}"',
                    hint=f'did you mean "{close[0]}"?'
                    if close
                    else "copy the English text exactly as the "
                    "shop shows it; `makerfront check` lists the texts that have no translation",
                    path=s.key.path,
                    line=s.key.line,
                    column=s.key.column,
                )
            )
            continue
        plural = known[s.msgid]
        allowed = placeholders(s.msgid) | (placeholders(plural) if plural else frozenset()) | {"num"}
        for text in s.text:
            problem = translation_problem(text, allowed if plural else allowed - {"num"})
            if problem is not None:
                shown = sorted(allowed if plural else allowed - {"num"})
                hint = "it can show " + (", ".join(f"%({n})s" for n in shown) or "no values; leave the %(...)s out")
                errors.add(
                    SiteError(
                        f'strings: "{s.msgid}": {problem}',
                        hint=hint if "values" in problem else None,
                        **where,  # type: ignore[arg-type]
                    )
                )
        if plural is not None and len(s.text) not in (1, forms):
            errors.add(
                SiteError(
                    f'strings: "{s.msgid}": {language_name(language)} has {forms} plural forms; '
                    f"expected {forms} wordings (or one for every number), got {len(s.text)}",
                    **where,  # type: ignore[arg-type]
                )
            )
            continue
        if plural is None and len(s.text) > 1:
            errors.add(SiteError(f'strings: "{s.msgid}" has one form; expected one text, got a list', **where))  # type: ignore[arg-type]
            continue
        table[s.msgid] = s.text[0] if plural is None or len(s.text) == 1 else s.text
    errors.raise_if_any()


def _language_plural(language: str) -> str:
    try:
        return str(get_plural(babel_locale(language)).plural_expr)
    except (UnknownLocaleError, ValueError):
        return _ENGLISH_PLURAL


def _language_forms(language: str) -> int:
    try:
        return int(get_plural(babel_locale(language)).num_plurals)
    except (UnknownLocaleError, ValueError):
        return 2


def _plural_function(expr: str) -> Callable[[int], int]:
    return _plural_cached(expr)


@lru_cache(maxsize=16)
def _plural_cached(expr: str) -> Callable[[int], int]:
    # gettext.c2py checks the expression's tokens (only n, numbers and C operators) before it
    # makes a function of it: a catalog cannot run code.
    return _gettext.c2py(expr)
