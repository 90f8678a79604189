"""Field-by-field validation of parsed YAML, with messages a maker can act on.

A ``Reader`` wraps one YAML mapping. Each accessor checks one field, records an error (file, line,
column, field path, expected, found) instead of raising, and returns a usable default so the rest
of the file is still checked: one run reports every mistake.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Hashable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from babel.numbers import get_currency_precision, list_currencies

from .errors import ErrorList, SiteError
from .load import Mark, YList, YMap
from .schema import MAX_PRICE, Field

# Which kinds of field (schema.Field.kind) each accessor of Reader reads.
_ACCESSOR_KINDS: dict[str, tuple[str, ...]] = {
    "text": ("text", "markdown", "language", "url", "email", "currency", "path"),
    "boolean": ("boolean",),
    "integer": ("integer",),
    "money": ("money",),
    "currency": ("currency",),
    "url": ("url",),
    "email": ("email",),
    "day": ("date",),
    "path": ("path",),
    "mapping": ("block", "links", "strings"),
    "sequence": ("list",),
    "raw": ("any", "markdown", "conditions", "allowed"),
}

_CURRENCIES = frozenset(list_currencies())
_MISSING = object()
MISSING = _MISSING
"""What Reader.raw_value returns for a field left out (or written with no value)."""


def describe(value: Any) -> str:
    """A found value as a maker would recognise it."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        # Control and invisible characters shown as escapes (\x00, \u200b), never printed raw.
        shown = "".join(c if c.isprintable() or c == " " else c.encode("unicode_escape").decode() for c in value)
        return '"' + (shown if len(shown) <= 60 else shown[:57] + "...") + '"'
    if isinstance(value, YMap):
        return "a block of fields"
    if isinstance(value, YList):
        return "a list"
    return str(value)


def currency_digits(code: str) -> int:
    return int(get_currency_precision(code))


def is_currency(code: str) -> bool:
    return code in _CURRENCIES


class Reader:
    """Validates the fields of one YAML mapping, reporting into a shared ErrorList."""

    def __init__(
        self,
        data: YMap,
        path: Path,
        errors: ErrorList,
        prefix: str = "",
        content_root: Path | None = None,
        spec: Mapping[str, Field] | None = None,
        checks: FileChecks | None = None,
    ) -> None:
        self.data = data
        self.spec = spec
        """The fields this mapping may have (schema.py); None: any (a `links:` block)."""
        self.path = path
        self.errors = errors
        self.prefix = prefix
        self.content_root = content_root
        self.checks = checks
        """The build's record of the files already checked (None: check each time)."""
        self.seen: set[str] = set()
        self.ok = True

    # -- reporting -------------------------------------------------------------------------

    def field(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def mark_of(self, key: str | None, value: bool = True) -> Mark:
        if key is not None:
            marks = self.data.value_marks if value else self.data.key_marks
            if key in marks:
                return marks[key]
        return self.data.mark

    def error(self, key: str | None, message: str, hint: str | None = None, at_key: bool = False) -> None:
        mark = self.mark_of(key, value=not at_key)
        self.errors.add(SiteError(message, path=self.path, line=mark.line, column=mark.column, hint=hint))
        self.ok = False

    def error_at(self, mark: Mark, message: str, hint: str | None = None) -> None:
        self.errors.add(SiteError(message, path=self.path, line=mark.line, column=mark.column, hint=hint))
        self.ok = False

    def wrong(self, key: str, expected: str, found: Any, hint: str | None = None) -> None:
        self.error(key, f"{self.field(key)}: expected {expected}, got {self.as_typed(key, found)}", hint)

    def as_typed(self, key: str, found: Any) -> str:
        """``found`` (what YAML read for ``key``) shown as the maker typed it: YAML 1.1 reads
        `1:30` as 90 and `0x1F` as 31, which the maker never wrote."""
        raw = self.data.raw.get(key)
        if (
            raw is not None
            and isinstance(found, (int, float, date))
            and not isinstance(found, bool)
            and raw != str(found)
        ):
            return describe(raw)
        return describe(found)

    # -- presence ----------------------------------------------------------------------------

    def declared(self, key: str, accessor: str, required: bool = False) -> bool:
        """Whether ``key`` is required, by its definition in schema.py. Reading a field that is
        not defined there, or reading it as another kind, is a mistake in makerfront itself."""
        if self.spec is None:
            return required
        f = self.spec.get(key)
        if f is None or f.kind not in _ACCESSOR_KINDS[accessor] or (required and not f.required):
            raise AssertionError(f"{self.field(key)} is read as {accessor} but schema.py defines it as {f}")
        return f.required

    def raw_value(self, key: str, required: bool) -> Any:
        self.seen.add(key)
        if key not in self.data or self.data[key] is None:
            if required:
                where = "this block" if self.prefix else "the file"
                self.error(
                    None if key not in self.data else key,
                    f"{self.field(key)}: this field is required but missing from {where}",
                    hint=f"add a line '{key}: ...'",
                )
            return _MISSING
        return self.data[key]

    def has(self, key: str) -> bool:
        return self.data.get(key) is not None

    def done(self, allowed: Iterable[str] | None = None) -> None:
        """Report keys nobody asked for, or (with a spec) that it does not define: typos must
        never vanish silently."""
        if allowed is None and self.spec is not None:
            allowed = self.spec
        known = sorted(self.seen if allowed is None else set(allowed) | self.seen)
        for key in self.data:
            if key in known:
                continue
            close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else "known fields: " + ", ".join(known)
            self.error(key, f"{self.field(key)}: unknown field '{key}'", hint=hint, at_key=True)

    # -- scalar kinds --------------------------------------------------------------------------

    def text(self, key: str, *, required: bool = False, default: str | None = None) -> str | None:
        required = self.declared(key, "text", required)
        value = self.raw_value(key, required)
        if value is _MISSING:
            return default
        if isinstance(value, bool) or isinstance(value, (YMap, YList)):
            self.wrong(key, "text", value, hint="put the text in quotes")
            return default
        if isinstance(value, (int, float, date)):
            # `title: 1984` or `size: 12.50` is text to the maker; keep exactly what they typed.
            return self.data.raw.get(key, str(value))
        text = str(value).strip()
        if required and not text:
            self.error(key, f"{self.field(key)}: must not be empty")
            return default
        return text

    def req_text(self, key: str) -> str:
        return self.text(key, required=True) or ""

    def boolean(self, key: str, *, default: bool, required: bool = False) -> bool:
        required = self.declared(key, "boolean", required)
        value = self.raw_value(key, required)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            self.wrong(key, "true or false", value)
            return default
        return value

    def integer(
        self,
        key: str,
        *,
        default: int | None = None,
        minimum: int | None = None,
        required: bool = False,
    ) -> int | None:
        required = self.declared(key, "integer", required)
        value = self.raw_value(key, required)
        if value is _MISSING:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.wrong(key, "a whole number", value)
            return default
        if minimum is not None and value < minimum:
            self.error(key, f"{self.field(key)}: must be at least {minimum} (got {value})")
            return default
        return value

    def money(self, key: str, currency: str, *, required: bool = False, positive: bool = False) -> int | None:
        """A price in the currency's minor units (cents), exactly as typed (no float rounding)."""
        required = self.declared(key, "money", required)
        value = self.raw_value(key, required)
        if value is _MISSING:
            return None
        raw = self.data.raw.get(key) if isinstance(value, (int, float, str)) else None
        if isinstance(value, bool) or raw is None:
            self.wrong(key, "a price such as 12 or 12.50", value)
            return None
        if "," in raw:
            # "12,50" means 12.50 to many makers and 1250 to others: never guess with money.
            cents = re.fullmatch(r"\s*(\d+),(\d\d?)\s*", raw)  # 12,50 or 12,5: only a decimal comma
            example = f"{cents[1]}.{cents[2]}" if cents else "12.50; and no comma between thousands: 1200"
            self.wrong(key, "a price such as 12 or 12.50", value, hint=f"use a dot before the cents: {example}")
            return None
        # Digits (YAML lets _ group them) and a decimal point only: no exponent (1e400), no "inf", no "nan".
        if not re.fullmatch(r"-?\d[\d_]*(\.\d+)?", raw.strip()):  # 1_000 is YAML for 1000
            hint = "write only the number, without a currency sign" if re.search(r"[$€£¥]", raw) else None
            self.wrong(key, "a price such as 12 or 12.50", value, hint=hint)
            return None
        amount = Decimal(raw.strip())
        if amount >= MAX_PRICE:
            self.error(key, f"{self.field(key)}: must be less than {MAX_PRICE:,} (got {describe(raw)})")
            return None
        if amount < 0 or (positive and amount == 0):
            need = "greater than 0" if positive else "0 or more"
            self.error(key, f"{self.field(key)}: must be {need} (got {raw})")
            return None
        digits = currency_digits(currency) if is_currency(currency) else 2
        minor = amount.scaleb(digits)
        if minor != minor.to_integral_value():
            allowed = "no decimals" if digits == 0 else f"at most {digits} decimals"
            self.error(key, f"{self.field(key)}: {currency} prices have {allowed} (got {raw})")
            return None
        return int(minor)

    def currency(self, key: str, default: str) -> str:
        self.declared(key, "currency")
        value = self.text(key)
        if value is None:
            return default
        code = value.upper()
        if not is_currency(code):
            close = difflib.get_close_matches(code, sorted(_CURRENCIES), n=1)
            hint = f"did you mean '{close[0]}'?" if close else "use a three-letter ISO 4217 code"
            self.error(
                key,
                f"{self.field(key)}: unknown currency code {describe(value)}",
                hint=hint + " (e.g. USD, EUR, GBP, JPY)",
            )
            return default
        return code

    def url(self, key: str, *, required: bool = False, schemes: tuple[str, ...] = ("http", "https")) -> str | None:
        required = self.declared(key, "url", required)
        value = self.text(key, required=required)
        if value is None:
            return None
        try:
            parts = urlsplit(value)
        except ValueError:  # e.g. https://[::1/ (an unclosed IPv6 address)
            parts = urlsplit("")
        if parts.scheme.lower() not in schemes or not parts.netloc or any(c.isspace() for c in value):
            self.error(
                key,
                f"{self.field(key)}: expected a full web address starting with https://, got {describe(value)}",
            )
            return None
        return value

    def email(self, key: str, *, required: bool = False) -> str | None:
        required = self.declared(key, "email", required)
        value = self.text(key, required=required)
        if value is None:
            return None
        if not re.fullmatch(r"[^@\s<>\"',;?&]+@[^@\s<>\"',;?&]+\.[^@\s<>\"',;?&]+", value):
            self.error(key, f"{self.field(key)}: expected an email address, got {describe(value)}")
            return None
        return value

    def day(self, key: str) -> date | None:
        value = self.raw_value(key, self.declared(key, "day"))
        if value is _MISSING:
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            # Quoted ("2027-03-01"): text to YAML, a date to the maker and to editors' schemas.
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.wrong(key, "a date written as YYYY-MM-DD", value)
        return None

    def content_path(
        self, key: str, value: Any = _MISSING, mark: Mark | None = None, field: str | None = None
    ) -> Path | None:
        """A file under content/, given relative to content/; nothing may point outside it."""
        if value is _MISSING:
            self.declared(key, "path")
            value = self.text(key)
        name = field or self.field(key)
        where = mark or self.mark_of(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.error_at(where, f"{name}: expected a file path such as images/mug.jpg, got {describe(value)}")
            return None
        return check_content_path(value, self.content_root, name, self, where)

    # -- structure -------------------------------------------------------------------------------

    def mapping(self, key: str, *, required: bool = False) -> Reader | None:
        required = self.declared(key, "mapping", required)
        value = self.raw_value(key, required)
        if value is _MISSING:
            return None
        if not isinstance(value, YMap):
            self.wrong(key, "a block of 'name: value' lines", value)
            return None
        spec = self.spec[key].fields or None if self.spec is not None else None
        return Reader(value, self.path, self.errors, f"{self.field(key)}.", self.content_root, spec, self.checks)

    def sequence(self, key: str, *, required: bool = False) -> YList | None:
        required = self.declared(key, "sequence", required)
        value = self.raw_value(key, required)
        if value is _MISSING:
            return None
        if not isinstance(value, YList):
            self.wrong(key, "a list (lines starting with '- ')", value)
            return None
        return value

    def child(self, key: str, index: int, value: YMap, spec: Mapping[str, Field] | None = None) -> Reader:
        """A Reader for item ``index`` of the list ``key``: with the fields of ``spec``, else of
        the list's items as schema.py defines them."""
        if spec is None and self.spec is not None and (items := self.spec[key].items) is not None:
            spec = items.fields or None
        return Reader(
            value, self.path, self.errors, f"{self.field(key)}[{index}].", self.content_root, spec, self.checks
        )


def check_content_path(value: str, root: Path | None, field: str, reader: Reader, mark: Mark) -> Path | None:
    text = value.strip().replace("\\", "/")
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        reader.error_at(
            mark,
            f"{field}: a file name cannot contain control characters such as a tab or a NUL byte (got {describe(value)})",
            hint="write the path as it appears in your files, e.g. images/mug.jpg",
        )
        return None
    if text.startswith("/") or re.match(r"^[A-Za-z]:", text) or "://" in text:
        reader.error_at(
            mark,
            f"{field}: must be a path inside the content folder, like images/mug.jpg (got {describe(value)})",
        )
        return None
    rel = Path(text)
    if ".." in rel.parts:
        reader.error_at(
            mark,
            f"{field}: '..' is not allowed; files must be inside the content folder (got {describe(value)})",
        )
        return None
    if root is None:
        return rel
    problem = checked(reader.checks, ("content file", text, root), lambda: _content_file_problem(root, rel))
    if problem is not None:
        message, hint = problem
        reader.error_at(mark, f"{field}: {message}", hint=hint)
        return None
    return rel


def _content_file_problem(root: Path, rel: Path) -> tuple[str, str | None] | None:
    """Why ``rel`` is not a file inside the content folder ``root`` (message, hint), or None."""
    try:
        resolved = (root / rel).resolve(strict=True)
    except (OSError, RuntimeError):
        return (
            f"file not found: {(root.name + '/' + rel.as_posix())}",
            "check the spelling and that the file is in the content folder",
        )
    if not resolved.is_relative_to(root.resolve()):
        return "the file links to a place outside the content folder", None
    if not resolved.is_file():
        return f"{rel.as_posix()} is a folder, not a file", None
    return None


T = TypeVar("T")


class FileChecks:
    """What one build found out about the files its content names, each looked at once: files do
    not change while a build reads its content (the next build looks again). Ten thousand
    listings showing the same few photos then check each photo once. Forked worker processes
    inherit it as it stands and fill their own copies."""

    def __init__(self) -> None:
        self._found: dict[Hashable, Any] = {}

    def once(self, key: Hashable, compute: Callable[[], T]) -> T:
        """compute(), made the first time ``key`` is asked for."""
        if key not in self._found:
            self._found[key] = compute()
        return self._found[key]  # type: ignore[no-any-return]


def checked(checks: FileChecks | None, key: Hashable, compute: Callable[[], T]) -> T:
    """compute(), made once per build when the build shares its ``checks`` (else each time)."""
    return compute() if checks is None else checks.once(key, compute)
