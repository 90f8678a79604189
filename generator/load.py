"""Read content files into plain data that remembers where every key and value stood.

YAML is parsed with the C loader when PyYAML has it (several times faster); line numbers come
from the composed nodes either way, so they are exact. Only ``true``/``false`` are booleans: a maker
who writes ``- No`` as a colour option means the word, not YAML 1.1's ``False``.
"""

from __future__ import annotations

import calendar
import os
import re
from collections.abc import Container, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import ErrorList, SiteError

try:
    _BaseLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _BaseLoader = yaml.SafeLoader


class _Loader(_BaseLoader):  # type: ignore[valid-type,misc]
    """SafeLoader whose booleans are only true/false (YAML 1.2), never yes/no/on/off."""

    tags_possible = True
    """Whether the text has a '!', with which every explicit tag starts."""


# YAML 1.1's `<<` (merge), `=` (value) and the `!`/`&`/`*` "yaml" resolvers name types that only
# matter with anchors and tags, which content files do not use (see _refuse_anchors, _value):
# those words are text.
_DROPPED_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("bool", "merge", "value", "yaml")}
_Loader.yaml_implicit_resolvers = {
    first: kept
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
    if (kept := [(tag, rx) for tag, rx in resolvers if tag not in _DROPPED_TAGS])
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


class Mark(NamedTuple):
    """1-based line and column of a value in its file. (A named tuple: a listing file has dozens
    of them, and a tuple is made several times faster than a frozen dataclass.)"""

    line: int
    column: int


class YMap(dict[str, Any]):
    """A YAML mapping that remembers where each key and value stood, and each scalar's raw text."""

    mark: Mark
    key_marks: dict[str, Mark]
    value_marks: dict[str, Mark]
    raw: dict[str, str]


class YList(list[Any]):
    """A YAML sequence that remembers where each item stood."""

    mark: Mark
    marks: list[Mark]
    raw: list[str | None]


@dataclass(frozen=True, slots=True)
class RawDoc:
    """One content file, parsed but not yet validated."""

    path: Path
    """The file on disk."""
    data: Any
    """Parsed YAML (YMap/YList/scalars), or None for an empty document."""
    body: str = ""
    """Markdown body after the front matter (pages only)."""
    body_line: int = 1
    """Line of the file where ``body`` starts."""
    warnings: tuple[SiteError, ...] = ()
    """Likely mistakes that do not stop the build, such as a ``#`` that cut a title short."""


def _mark(node: Node, line_offset: int) -> Mark:
    start = node.start_mark
    return Mark(start.line + 1 + line_offset, start.column + 1)


_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_PLAIN = (True, False)

MAX_NUMBER_LENGTH = 100
"""Characters in a number (Python reads no integer of more than 4,300 digits at all)."""


class _Refused(Exception):
    """A value that is valid YAML but that content files do not take (a tag, an impossible date);
    parse_yaml turns it into a SiteError naming the field."""

    def __init__(self, node: Node, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.node, self.message, self.hint = node, message, hint


def _tag_name(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag


def _tag_refused(node: Node) -> _Refused:
    shown = _short(_tag_name(str(node.tag)))
    return _Refused(
        node,
        f"{shown} is a YAML tag: makerfront files do not use tags",
        f"remove {shown} and write the value itself: text, a number, true or false, or a date "
        '(put text that starts with "!" in quotes)',
    )


def _value(loader: Any, node: Any) -> Any:
    """A number, boolean, date or null: what YAML reads a plain scalar as, and only that. Any other
    tag was written explicitly (`!!binary`, `!!int abc`, `!!python/...`): a maker never writes one,
    and each would hand the fields a type they never expect. (`!!str` gives text, and `!!int 12`
    is 12 either way, so neither can be told from what YAML reads without it.)"""
    tag = node.tag
    if loader.tags_possible and (node.style or loader.resolve(ScalarNode, node.value, _PLAIN) != tag):
        raise _tag_refused(node)
    text = node.value
    if (tag == _INT_TAG or tag == _FLOAT_TAG) and len(text) > MAX_NUMBER_LENGTH:
        raise _Refused(
            node,
            f"this number is too long ({len(text):,} characters)",
            f"makerfront reads numbers of up to {MAX_NUMBER_LENGTH} characters; if it is text, put it in quotes",
        )
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, OverflowError) as exc:  # only dates can be out of range (see _not_a_date)
        if tag != _TIMESTAMP_TAG:
            raise  # pragma: no cover - every int and float of MAX_NUMBER_LENGTH characters is read
        raise _Refused(node, _not_a_date(text), "write a date that exists, as YYYY-MM-DD") from exc


_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def _not_a_date(text: str) -> str:
    """Why ``text``, which looks like a date (or a date and time), is none, in plain words."""
    what = "date" if len(text) <= 10 else "date and time"
    found = yaml.constructor.SafeConstructor.timestamp_regexp.match(text)
    if found is None:  # pragma: no cover - the resolver's pattern is stricter
        return f"{text} is not a real {what}"
    parts = {k: int(v) for k, v in found.groupdict().items() if v and v.isdigit()}
    year, month, day = parts["year"], parts["month"], parts["day"]
    if year == 0:
        why = "there is no year 0"
    elif not 1 <= month <= 12:
        why = f"there is no month {month} (months go from 01 to 12)"
    elif day == 0:
        why = "there is no day 0"
    elif day > (days := calendar.monthrange(year, month)[1]):
        why = f"{_MONTHS[month - 1]} has {days} days in {year}"
    elif parts.get("hour", 0) > 23:
        why = "hours go from 00 to 23"
    elif parts.get("minute", 0) > 59:
        why = "minutes go from 00 to 59"
    elif parts.get("second", 0) > 59:
        why = "seconds go from 00 to 59"
    else:
        why = "a time zone is at most 23 hours from UTC"
    return f"{text} is not a real {what}: {why}"


# Every listing file is a few dozen nodes, and a large shop has tens of thousands of files: the
# walk below avoids a call per node where it can (text, the most common value, is handled inline).
def _convert(loader: Any, node: Node, path: Path, line_offset: int) -> Any:
    kind = type(node)
    if kind is ScalarNode:
        return node.value if node.tag == _STR_TAG else _value(loader, node)
    line = 1 + line_offset
    start = node.start_mark
    if kind is SequenceNode:
        if node.tag != _SEQ_TAG:
            raise _tag_refused(node)
        out = YList()
        out.mark = Mark(start.line + line, start.column + 1)
        marks: list[Mark] = []
        raw: list[str | None] = []
        out.marks, out.raw = marks, raw
        for item in node.value:
            where = item.start_mark
            marks.append(Mark(where.line + line, where.column + 1))
            if type(item) is ScalarNode:
                out.append(item.value if item.tag == _STR_TAG else _value(loader, item))
                raw.append(item.value)
            else:
                out.append(_convert(loader, item, path, line_offset))
                raw.append(None)
        return out
    if kind is MappingNode:
        if node.tag != _MAP_TAG:
            raise _tag_refused(node)
        m = YMap()
        m.mark = Mark(start.line + line, start.column + 1)
        key_marks: dict[str, Mark] = {}
        value_marks: dict[str, Mark] = {}
        raws: dict[str, str] = {}
        m.key_marks, m.value_marks, m.raw = key_marks, value_marks, raws
        for key_node, value_node in node.value:
            if type(key_node) is not ScalarNode:
                raise _Refused(
                    key_node,
                    "a key must be a word, not a list or a block",
                    "write 'name: value' lines; a '?' at the start of a line, or a key in [...] or {...}, "
                    "makes the key a list or a block",
                )
            # Keys are field names, so the words as typed: `12:` and `true:` are keys "12" and "true"
            # (unknown fields, reported as such), not a number and a boolean.
            key = key_node.value
            if (
                loader.tags_possible
                and key_node.tag != _STR_TAG
                and (key_node.style or loader.resolve(ScalarNode, key, _PLAIN) != key_node.tag)
            ):
                raise _tag_refused(key_node)
            kmark = key_node.start_mark
            where = Mark(kmark.line + line, kmark.column + 1)
            if key in m:
                raise SiteError(
                    f"the key '{key}' appears twice in the same block",
                    path=path,
                    line=where.line,
                    column=where.column,
                    hint="delete one of them; only one value can be kept",
                )
            vmark = value_node.start_mark
            if type(value_node) is ScalarNode:
                value = value_node.value
                m[key] = value if value_node.tag == _STR_TAG else _value(loader, value_node)
                raws[key] = value
            else:
                m[key] = _convert(loader, value_node, path, line_offset)
            key_marks[key] = where
            value_marks[key] = Mark(vmark.line + line, vmark.column + 1)
        return m
    raise SiteError(f"unsupported YAML node {node!r}", path=path)  # pragma: no cover


def parse_yaml(text: str, path: Path, line_offset: int = 0, warnings: list[SiteError] | None = None) -> Any:
    """Parse one YAML document; syntax errors become SiteErrors with the maker's line.

    Likely mistakes that are still valid YAML (see _check_text) are added to ``warnings``, or
    raised when they would lose a list item."""
    loader = _Loader(text)
    loader.tags_possible = "!" in text  # every explicit tag starts with one (see _value)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        # Each test is tried on the whole text first, and by its cheapest part first (in, isascii).
        if _maybe_anchor(text):
            _refuse_anchors(text, path, line_offset)
        if ("\\" in text and _MAYBE_BAD_ESCAPE.search(text)) or (not text.isascii() and _RAW_NONCHARACTER.search(text)):
            _refuse_characters(node, text, path, line_offset)
        data = _convert(loader, node, path, line_offset)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, text, path, line_offset) from exc
    except yaml.reader.ReaderError as exc:
        raise _character_error(exc, text, path, line_offset) from exc
    except yaml.YAMLError as exc:
        raise SiteError(f"YAML syntax error: {exc}", path=path) from exc
    except _Refused as exc:
        field = _field_of(node, exc.node)
        start = exc.node.start_mark
        raise SiteError(
            f"{field}: {exc.message}" if field else exc.message,
            path=path,
            line=start.line + 1 + line_offset,
            column=start.column + 1,
            hint=exc.hint,
        ) from exc
    finally:
        loader.dispose()
    _check_text(node, text, path, line_offset, warnings)
    return data


def _character_error(exc: yaml.reader.ReaderError, text: str, path: Path, line_offset: int) -> SiteError:
    """A character YAML refuses to read, typed as it is (a NUL byte, an escape character): its
    position is given in bytes, so it is found by its value."""
    char = chr(exc.character) if isinstance(exc.character, int) else str(exc.character)
    index = text.find(char)
    before = text[: max(index, 0)]
    lines = _lines(before)
    return SiteError(
        f"this file contains {character_problem(char)}, which no web page or feed can show",
        path=path,
        line=len(lines) + line_offset,
        column=len(lines[-1]) + 1 - (1 if len(lines) == 1 and before.startswith("\ufeff") else 0),
        hint="delete it and type the text around it again: it may have come with text copied from elsewhere",
    )


def _field_of(root: Node, node: Node) -> str:
    """The field path of ``node`` under ``root`` (title, images[0].alt), or "" (the document
    itself, or a key)."""
    return next((field for field, _, value in _walk(root, "") if value is node), "")


# -- anchors and aliases ---------------------------------------------------------------------
#
# An alias (*a) repeats the value an anchor (&a) names. Nine nested aliases in a 449-byte file
# make a list of 6 GB once converted; and a maker never means one: '&Co' or '*Sale*' at the
# start of a value is text to them. So content files have neither, which also leaves every
# value in exactly one place, at its own line.


def _maybe_anchor(text: str) -> bool:
    """Whether an anchor or alias may start in ``text``: a '&' or '*' followed by a name, at the
    start of a line or after ':', '-', '?', ',', '[' or '{'. Cheap on the whole text (Markdown's
    **bold** is not one); only a file where one may start (a Markdown line '*sale*') is scanned.
    (A regular expression for the whole test is several times slower.)"""
    for sign in "&*":
        at = text.find(sign)
        while at != -1:
            if text[at + 1 : at + 2] not in ("", " ", "\t", "\r", "\n", ",", "[", "]", "{", "}"):
                before = text[text.rfind("\n", 0, at) + 1 : at].rstrip(" \t")
                if not before or before[-1] in ":-?,[{":
                    return True
            at = text.find(sign, at + 1)
    return False


def _refuse_anchors(text: str, path: Path, line_offset: int) -> None:
    tokens = _tokens(text)
    anchors = {t.value: t for t in tokens if isinstance(t, yaml.AnchorToken)}
    alias = next((t for t in tokens if isinstance(t, yaml.AliasToken)), None)
    lines = _lines(text)
    if alias is not None:
        where = alias.start_mark
        named = anchors.get(alias.value)
        line = f" on line {named.start_mark.line + 1 + line_offset}" if named is not None else ""
        raise SiteError(
            f'"*{alias.value}" repeats the value named "&{alias.value}"{line} (a YAML alias): '
            "makerfront files do not use aliases",
            path=path,
            line=where.line + 1 + line_offset,
            column=where.column + 1,
            hint=f'write the value out in full instead of "*{alias.value}"',
        )
    for anchor in anchors.values():
        where = anchor.start_mark
        typed = re.split(r"[ \t]+#", lines[where.line][where.column :], maxsplit=1)[0].strip()
        rest = typed[len(anchor.value) + 1 :].strip()
        if rest[:1] in ("", "[", "{", "|", ">", "#", '"', "'"):
            hint = f'remove "&{anchor.value}"'
        else:
            hint = f'put the text in quotes if the "&" is part of it: {_quoted_line(lines[where.line][: where.column], typed)}'
        raise SiteError(
            f'"&{anchor.value}" was read as a YAML anchor (a name for repeating the value), not as text: '
            "makerfront files do not use anchors",
            path=path,
            line=where.line + 1 + line_offset,
            column=where.column + 1,
            hint=hint,
        )


# -- characters no page can show ---------------------------------------------------------------
#
# Control characters (but tab and line break), noncharacters and lone surrogates: a title with
# one makes feed.xml not well-formed and is an HTML parse error, and a maker never means one. YAML
# refuses them typed as they are, except noncharacters; a "..." text can have any of them as an
# escape such as \x0c or \uFFFE.

_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(17))
_BAD_CHARACTER = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff{_NONCHARACTERS}]")
_RAW_NONCHARACTER = re.compile(f"[{_NONCHARACTERS}]")
"""The only such characters YAML reads as they are typed."""
_MAYBE_BAD_ESCAPE = re.compile(r"\\(?:[0abefvrN]|x[01789]|u(?:00[01789]|[dD][89a-fA-F]|[fF][dDfF])|U)")
"""Escapes that may write one (\\t, \\n, \\\\ and \\" do not)."""
_MARKDOWN_BAD_CHARACTER = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff{_NONCHARACTERS}]")
"""In a page's Markdown, a carriage return is part of a Windows line break."""

_CONTROL_NAMES = {
    0x00: "NUL", 0x07: "bell", 0x08: "backspace", 0x0B: "vertical tab", 0x0C: "form feed",
    0x0D: "carriage return", 0x1B: "escape", 0x7F: "delete", 0x85: "next line",
}  # fmt: skip
_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r",
    "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0", "L": "\u2028",
    "P": "\u2029",
}  # fmt: skip
_ESCAPE_LENGTH = {"x": 4, "u": 6, "U": 10}


def character_problem(char: str) -> str:
    """What ``char`` (matched by _BAD_CHARACTER) is, for a message."""
    code = ord(char)
    if code < 0x20 or 0x7F <= code <= 0x9F:
        name = _CONTROL_NAMES.get(code)
        return f"the control character U+{code:04X}" + (f" ({name})" if name else "")
    if 0xD800 <= code <= 0xDFFF:
        return f"the lone surrogate U+{code:04X} (half of a character pair)"
    return f"the noncharacter U+{code:04X}"


def _refuse_characters(root: Node, text: str, path: Path, line_offset: int) -> None:
    for field, key, node in _scalars(root):
        if (found := _BAD_CHARACTER.search(node.value)) is None:
            continue
        line, column, escape = _source_of(node, found.start(), text)
        what = character_problem(found.group())
        place = "key" if key else "text"
        hint = (
            f'remove "{escape}": inside "..." it stands for this character'
            if escape
            else "delete it and type the text around it again: it may have come with text copied from elsewhere"
        )
        raise SiteError(
            f"{field + ': ' if field else ''}this {place} contains {what}, which no web page or feed can show",
            path=path,
            line=line + 1 + line_offset,
            column=column + 1,
            hint=hint,
        )


def _scalars(root: Node) -> Iterator[tuple[str, bool, ScalarNode]]:
    """(field path, whether it is a key, node) of every text scalar under ``root``."""
    if isinstance(root, ScalarNode):
        yield "", False, root
    for field, _, node in _walk(root, ""):
        if isinstance(node, MappingNode):
            for key, _value_node in node.value:
                if isinstance(key, ScalarNode):
                    yield field, True, key
        elif isinstance(node, ScalarNode) and node.tag == _STR_TAG:
            yield field, False, node
    if isinstance(root, MappingNode):
        for key, _value_node in root.value:
            if isinstance(key, ScalarNode):
                yield "", True, key


def _source_of(node: ScalarNode, index: int, text: str) -> tuple[int, int, str]:
    """0-based (line, column) in ``text`` of character ``index`` of the scalar's value, and the
    escape that wrote it ("" if typed as it is). Found in the source (only for an error), where
    an escape such as \x0c stands for one character; where it cannot be found, the scalar's start."""
    start, end = node.start_mark, node.end_mark
    starts = [0] + [m.end() for m in _BREAKS.finditer(text)]
    bom = 1 if text.startswith("\ufeff") else 0

    def at(line: int, column: int) -> int:
        return starts[line] + column + (bom if line == 0 else 0)

    def back(offset: int) -> tuple[int, int]:
        line = next(n for n in range(len(starts) - 1, -1, -1) if starts[n] <= offset)
        return line, offset - starts[line] - (bom if line == 0 else 0)

    first, stop = at(start.line, start.column), at(end.line, end.column)
    wanted = node.value[index]
    if node.style != '"':
        offset = text.find(wanted, first, stop)
        return (*back(offset), "") if offset != -1 else (start.line, start.column, "")
    i = text.find('"', first, stop) + 1
    while 0 < i < stop:
        length = 1
        if text[i] == "\\" and i + 1 < stop:
            kind = text[i + 1]
            length = _ESCAPE_LENGTH.get(kind, 2)
            code = text[i + 2 : i + length]
            char = chr(int(code, 16)) if kind in _ESCAPE_LENGTH and _is_hex(code) else _ESCAPES.get(kind, "")
        else:
            char = text[i]
        if char == wanted:
            return (*back(i), text[i : i + length] if length > 1 else "")
        i += length
    return start.line, start.column, ""  # pragma: no cover - the character is in the source


def _is_hex(code: str) -> bool:
    return bool(code) and all(c in "0123456789abcdefABCDEF" for c in code)


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, path: Path, line_offset: int) -> SiteError:
    # Only a page's front matter starts after line 1 of its file; it ends at its closing '---'.
    explained = _explain(exc, text, "the closing ---" if line_offset else "the end of the file")
    if explained is not None:
        (line, column), message, hint = explained
        return SiteError(message, path=path, line=line + 1 + line_offset, column=column + 1, hint=hint)
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or exc.context or "invalid YAML"
    return SiteError(
        f"YAML syntax error: {problem}",
        path=path,
        line=mark.line + 1 + line_offset if mark else 0,
        column=mark.column + 1 if mark else 0,
        hint=_yaml_hint(problem),
    )


def _yaml_hint(problem: str) -> str | None:
    if "mapping values are not allowed" in problem:
        return (
            "text containing ': ' must be in quotes, e.g. title: \"Mug: large\"; "
            "otherwise check the indentation of this line and the one above"
        )
    if "found character '\\t'" in problem or "tab" in problem:
        return "indent with spaces, not tabs"
    if "could not find expected ':'" in problem:
        return "each line of a block needs 'key: value'; check the line above too"
    if "invalid Unicode character escape code" in problem:
        return (
            "a \\u escape from \\uD800 to \\uDFFF is half of a character pair, and YAML reads no halves: "
            "type the character itself"
        )
    if "that cannot start any token" in problem:
        return "put the text in quotes: YAML does not let a plain text start with this character"
    if "unknown escape character" in problem:
        return 'inside "..." a \\ starts a special character: write \\\\ for one \\, or put the text in \' quotes'
    if "expected key" in problem or "expected '-'" in problem or "expected <block end>" in problem:
        return "check the indentation of this line and the one above: YAML needs the lines of a block lined up"
    return None


# -- YAML mistakes explained -----------------------------------------------------------------
#
# PyYAML names the grammar rule that failed ("did not find expected key"), often at the place
# where it gave up rather than where the maker went wrong. The functions below look at the
# tokens scanned before the error (yaml.scan) and at the lines themselves to name the real
# mistake: the quote that was never closed, the line indented differently from its neighbours.
# They run only when a file has an error, so they need not be fast.

_Pos = tuple[int, int]
"""0-based (line, column), as PyYAML's marks count."""
_Explained = tuple[_Pos, str, str | None]
"""Where the mistake is, the message, the hint."""

_BREAKS = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")


def _lines(text: str) -> list[str]:
    """The lines of ``text`` as YAML counts them (a mark's line indexes this list)."""
    return _BREAKS.split(text)


def _pos(mark: Any) -> _Pos:
    return (mark.line, mark.column)


def _tokens(text: str) -> list[yaml.Token]:
    """Every token before the first scanner error. The parse error being explained was already
    caught; a scanner error here is that one, or one after it, and says nothing new."""
    found: list[yaml.Token] = []
    try:
        for token in yaml.scan(text, Loader=_BaseLoader):
            found.append(token)
    except yaml.YAMLError:
        pass
    return found


def _explain(exc: yaml.MarkedYAMLError, text: str, end: str) -> _Explained | None:
    """What went wrong, in the maker's words; None when the mistake is not one of those known
    here (the caller then gives PyYAML's own message). ``end`` names where ``text`` ends."""
    problem, context = exc.problem or "", exc.context or ""
    lines = _lines(text)
    if context in ("while scanning an alias", "while scanning an anchor") or problem == "found undefined alias":
        mark = exc.context_mark if context else exc.problem_mark
        if mark is not None and mark.line < len(lines):
            return _alias_as_text(_pos(mark), lines)
    if "quoted scalar" in context and "escape" not in problem and exc.context_mark is not None:
        return _unclosed_quote(_pos(exc.context_mark), problem, exc.problem_mark, lines, end)
    if "while parsing a flow" in context and exc.context_mark is not None:
        cut = _flow_cut_by_comment(_pos(exc.context_mark), lines)
        if cut is not None:
            return cut
    mark = exc.problem_mark
    if mark is None or mark.line >= len(lines):
        return None
    where = _pos(mark)
    tokens = _tokens(text)
    if "mapping values are not allowed" in problem:
        # A line indented further than it should be continues the text above, until its ':'.
        last = next((t for t in reversed(tokens) if isinstance(t, yaml.ScalarToken)), None)
        if last is not None and not last.style and last.start_mark.line < mark.line and _pos(last.end_mark) == where:
            return _misindented(tokens, lines, mark.line, continued=True)
        return None
    if "expected" in problem:
        early = _quote_ends_early(tokens, lines, where)
        if early is not None:
            return early
    block = ("expected key", "expected '-'", "expected <block end>")
    if any(b in problem for b in block) and not lines[mark.line][: mark.column].strip():
        # The parser stopped at the start of a line: one indented unlike any block above it.
        return _misindented(tokens, lines, mark.line, continued=False)
    return None


def _alias_as_text(where: _Pos, lines: list[str]) -> _Explained:
    """A value that starts with '*' (Markdown emphasis, '*Sale*') or '&' is read as a YAML
    alias or anchor."""
    line, column = where
    typed = re.split(r"[ \t]+#", lines[line][column:], maxsplit=1)[0].strip()
    before = lines[line][:column]
    if before.count("[") + before.count("{") > before.count("]") + before.count("}"):
        typed = re.split(r"[,\]}]", typed, maxsplit=1)[0].strip()  # an item of [...] or {...}
    what = "alias" if typed.startswith("*") else "anchor"
    return (
        where,
        f'a value that starts with "{typed[:1]}" is read as a YAML {what}, which makerfront files do not use',
        f"put the text in quotes: {_quoted_line(before, typed)}",
    )


def _quoted_line(before: str, typed: str) -> str:
    """``typed`` in double quotes, after its key or '-' (``before``, the line up to it) if any."""
    quoted = '"' + typed.replace("\\", "\\\\").replace('"', '\\"') + '"'
    lead = before.strip()
    return f"{lead} {quoted}" if re.fullmatch(r"[^\s\[{,]+:|-", lead) else quoted


def _unclosed_quote(opened: _Pos, problem: str, mark: Any, lines: list[str], end: str) -> _Explained:
    line, column = opened
    quote = lines[line][column : column + 1] or '"'
    if "end of stream" in problem or mark is None:
        until = end
    else:  # a '---' line stopped it
        until = f"line {mark.line + 1}"
    return (
        opened,
        f"this quote is never closed: the text from here to {until} was read as one value",
        f"end the text with a matching {quote} on the same line",
    )


def _quote_ends_early(tokens: list[yaml.Token], lines: list[str], where: _Pos) -> _Explained | None:
    """The parser stopped just after a quoted text on the same line: either that text's quote
    was closed on a later line (the text swallowed the lines in between), or a quote inside it
    (an apostrophe) closed it early."""
    scalars = [t for t in tokens if isinstance(t, yaml.ScalarToken) and _pos(t.end_mark) <= where]
    if not scalars or scalars[-1].style not in ("'", '"'):
        return None
    text = scalars[-1]
    start, end = _pos(text.start_mark), _pos(text.end_mark)
    if end[0] != where[0] or lines[where[0]][end[1] : where[1]].strip():
        return None
    quote = str(text.style)
    if start[0] < end[0]:
        return (
            start,
            f"this quote is not closed on its line: the text from here to the {quote} on line {end[0] + 1} "
            "was read as one value",
            f"end the text with a matching {quote} on the same line",
        )
    typed = lines[start[0]][start[1] :].rstrip()
    last = typed.rfind(quote)
    if last > end[1] - start[1]:  # the quote that ends the text as meant (not a '}' after it)
        typed = typed[: last + 1]
    inner = typed[1:-1] if len(typed) > 1 and typed.endswith(quote) else typed[1:]
    if quote == "'":
        doubled = "'" + inner.replace("'", "''") + "'"
        other = '"' + inner.replace("\\", "\\\\") + '"' if '"' not in inner else None
        kept = f"write each ' inside the text twice: {doubled}"
    else:
        doubled = '"' + inner.replace("\\", "\\\\").replace('"', '\\"') + '"'
        other = "'" + inner + "'" if "'" not in inner else None
        kept = f'write \\" for each " inside the text: {doubled}'
    return (  # end[1], 0-based, is after the closing quote: its 1-based column
        start,
        f"this quoted text ends early: the {quote} in column {end[1]} closes it, "
        f"and YAML does not expect more text after it on the line",
        f"put the text in the other quotes: {other} (or {kept})" if other else kept,
    )


def _flow_cut_by_comment(opened: _Pos, lines: list[str]) -> _Explained | None:
    """A '#' after a space inside {...} or [...] starts a comment, which hides the rest of the
    line and so the closing bracket: {label: Gold #2, price: 4}."""
    line, column = opened
    text = lines[line]
    comment = re.search(r"[ \t]#", text[column:])
    if comment is None or re.search("[\"']", text[column : column + comment.start()]):
        return None
    at = column + comment.start() + 1
    start = max(text.rfind(c, column, at) for c in ":,{[") + 1
    stop = min([i for i in (text.find(c, at) for c in ",}]") if i != -1] or [len(text)])
    value = text[start:stop].strip()
    start += len(text[start:stop]) - len(text[start:stop].lstrip())
    key = re.search(r"([^\s{,\[]+)[ \t]*:[ \t]*$", text[column + 1 : start])
    quoted = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    bracket = text[column]
    closer = "}" if bracket == "{" else "]"
    if closer in text[at:]:
        lost = f"and with it the {closer} that closes the {bracket} in column {column + 1}"
    else:
        lost = f"so the {bracket} in column {column + 1} is never closed"
    return (
        (line, start),
        f'the text after "#" was read as a comment, {lost}',
        f"write {key[1]}: {quoted} to keep it all" if key else f"write {quoted} (in quotes) to keep it all",
    )


class _Start(NamedTuple):
    """Where a key or a list item's '-' starts: what a line's indentation is lined up with."""

    line: int
    column: int
    label: str
    dash: bool


def _block_starts(tokens: list[yaml.Token], before: int) -> list[_Start]:
    """The keys and '-' of block collections on lines before ``before``, in file order (keys
    inside {...} and [...] are not lined up with anything)."""
    starts: list[_Start] = []
    flow = 0
    after_key = False
    for token in tokens:
        if token.start_mark.line >= before:
            break
        if isinstance(token, (yaml.FlowMappingStartToken, yaml.FlowSequenceStartToken)):
            flow += 1
        elif isinstance(token, (yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)):
            flow = max(0, flow - 1)
        elif flow == 0 and isinstance(token, yaml.BlockEntryToken):
            starts.append(_Start(token.start_mark.line, token.start_mark.column, "-", True))
        elif flow == 0 and after_key and isinstance(token, yaml.ScalarToken):
            starts.append(_Start(token.start_mark.line, token.start_mark.column, _short(token.value), False))
        after_key = flow == 0 and isinstance(token, yaml.KeyToken)
    return starts


def _short(label: str) -> str:
    return label if len(label) <= 40 else label[:37] + "..."


def _open_blocks(starts: list[_Start]) -> list[_Start]:
    """Of ``starts``, those whose block is still open at the line after the last one: each
    starts further left than every later one (the nearest line when two start alike)."""
    open_: list[_Start] = []
    leftmost = None
    for start in reversed(starts):
        if leftmost is None or start.column < leftmost:
            open_.append(start)
            leftmost = start.column
    return open_


def _spaces(n: int) -> str:
    return f"{n} space{'s' if n != 1 else ''}"


def _text_block_above(tokens: list[yaml.Token], lines: list[str], line: int) -> tuple[int, int] | None:
    """(first line, indentation) of the text written after | or > that ends just above ``line``."""
    scalars = [t for t in tokens if isinstance(t, yaml.ScalarToken) and t.start_mark.line < line]
    if not scalars or scalars[-1].style not in ("|", ">"):
        return None
    start = scalars[-1].start_mark.line + 1
    for n in range(start, line):
        if lines[n].strip():
            return n, len(lines[n]) - len(lines[n].lstrip(" "))
    return None


def _misindented(tokens: list[yaml.Token], lines: list[str], line: int, continued: bool) -> _Explained | None:
    """The line ``line`` starts at a column none of the blocks open above it starts at: name the
    nearest, as the key or '-' it should be lined up with. ``continued``: YAML read the line as
    more of the text above (so it is indented further than that text's key)."""
    text = lines[line]
    column = len(text) - len(text.lstrip(" "))
    rest = text[column:]
    dash = rest == "-" or rest.startswith("- ")
    if not continued and not dash and not re.search(r":(?:[ \t]|$)", rest):
        block = _text_block_above(tokens, lines, line)
        if block is not None and column < block[1]:
            first, indent = block
            return (
                (line, column),
                "this line is indented differently from the lines above it: it starts "
                f"{_spaces(indent - column)} further left than the first line of the text (line {first + 1}), "
                "so YAML took the text to end on the line above",
                f"YAML needs every line of a text written after | or > indented at least as far as its first "
                f"line: start this line with {_spaces(indent)}",
            )
    open_ = _open_blocks(_block_starts(tokens, line))
    alike = [s for s in open_ if s.dash == dash] or open_
    if not alike or any(s.column == column for s in alike):
        return None
    alike.sort(key=lambda s: (abs(s.column - column), -s.line))
    near = alike[0]
    what = 'its "-"' if dash else f'"{_short(rest.split(":")[0].strip())}"'
    there = 'the "-"' if near.dash else f'"{near.label}"'
    others = [s for s in alike[1:] if abs(s.column - column) == abs(near.column - column)]
    if others:
        far = others[0]
        where = f"between {there} on line {near.line + 1} and " + (
            f'the "-" on line {far.line + 1}' if far.dash else f'"{far.label}" on line {far.line + 1}'
        )
        message = f"this line is indented differently from the lines above it: {what} starts {where}"
        hint_target = "the one it belongs with"
    else:
        side = "right" if column > near.column else "left"
        message = (
            f"this line is indented differently from the lines above it: {what} starts "
            f"{_spaces(abs(column - near.column))} further {side} than {there} on line {near.line + 1}"
        )
        hint_target = f'the "-" on line {near.line + 1}' if near.dash else f'"{near.label}"'
    if dash:
        hint = f'YAML needs the items of a list lined up with spaces: put this "-" exactly below {hint_target}'
    else:
        hint = f"YAML needs the lines of a block lined up with spaces: start {what} exactly below {hint_target}"
    if continued and column - near.column > 1:
        hint += "; if this line is part of the text above, put all of that text in quotes"
    return (line, column), message, hint


# -- valid YAML that probably is not what the maker meant --------------------------------------

_TEXT_KEYS = {
    "title": "title",
    "name": "name",
    "label": "label",
    "alt": "alt text",
    "buyer": "buyer",
    "accepts": "text",
    "location": "location",
    "intro": "intro",
    "instructions": "text",
}
"""Keys whose value is a few words of text, where a '#' is part of what the maker wrote (Mug #2),
not the start of a comment, and what a warning calls that text. (A comment after other values
can be meant: price: 28  # was 32.)"""

# Cheap tests on the whole text (a few microseconds at most, against some 200 for parsing a
# listing), so that the nodes are walked only for files that may need it.
_TEXT_KEY = re.compile(r"(?:^|[\s{,])(?:" + "|".join(_TEXT_KEYS) + r")[ \t]*:[ \t]", re.M)
_MAYBE_MERGED_ITEM = re.compile(r"\n( *)- [^\n]*\n\1 +-[ \r\n]")


def _maybe_comment_after_text(text: str) -> bool:
    """Whether a comment follows a text key on its line (a regular expression for the whole
    test is ten times slower)."""
    at = text.find("#")
    while at != -1:
        if text[at - 1 : at] in (" ", "\t") and _TEXT_KEY.search(text, text.rfind("\n", 0, at) + 1, at):
            return True
        at = text.find("#", at + 1)
    return False


def _check_text(node: Node, text: str, path: Path, line_offset: int, warnings: list[SiteError] | None) -> None:
    """Warn about a '#' that cut a text value short; refuse a list item that, indented further
    than the one above, was read as more of that item's text."""
    comments = warnings is not None and _maybe_comment_after_text(text)
    merged = _MAYBE_MERGED_ITEM.search(text) is not None
    if not (comments or merged):
        return
    lines = _lines(text)
    for field, parent, value in _walk(node, ""):
        if not isinstance(value, ScalarNode) or value.style:
            continue
        if comments and warnings is not None and isinstance(parent, str) and parent in _TEXT_KEYS:
            warning = _comment_warning(field, parent, value, lines)
            if warning is not None:
                (line, column), message, hint = warning
                warnings.append(
                    SiteError(message, path=path, line=line + 1 + line_offset, column=column + 1, hint=hint)
                )
        if merged and parent is None and value.end_mark.line > value.start_mark.line:
            error = _merged_item(value, lines)
            if error is not None:
                (line, column), message, hint = error
                raise SiteError(message, path=path, line=line + 1 + line_offset, column=column + 1, hint=hint)


def _walk(node: Node, field: str) -> Iterator[tuple[str, str | None, Node]]:
    """(field path, its key or None for a list item, node) of every value under ``node``."""
    if isinstance(node, MappingNode):
        for key, value in node.value:
            name = str(key.value) if isinstance(key, ScalarNode) else "?"
            path = f"{field}.{name}" if field else name
            yield path, name, value
            yield from _walk(value, path)
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            path = f"{field}[{i}]"
            yield path, None, item
            yield from _walk(item, path)


def _comment_warning(field: str, key: str, value: ScalarNode, lines: list[str]) -> _Explained | None:
    end = value.end_mark
    if not re.match(r"[ \t]+#", lines[end.line][end.column :]):
        return None
    start = value.start_mark
    comment = lines[end.line][end.column :].strip()
    typed = f"{value.value} {comment}".strip()
    if '"' in typed and "'" not in typed:
        quoted = f"'{typed}'"
    else:
        quoted = '"' + typed.replace("\\", "\\\\").replace('"', '\\"') + '"'
    now = f'is "{value.value}"' if value.value else "is empty"
    return (
        (start.line, start.column),
        f'{field}: the text after "#" was read as a comment, so the {_TEXT_KEYS[key]} {now}',
        f"write {key}: {quoted} to keep it all",
    )


def _merged_item(value: ScalarNode, lines: list[str]) -> _Explained | None:
    start = value.start_mark
    before = lines[start.line][: start.column].rstrip()
    if not before.endswith("-"):
        return None
    dash = len(before) - 1
    for n in range(start.line + 1, value.end_mark.line + 1):
        text = lines[n]
        column = len(text) - len(text.lstrip(" "))
        rest = text[column:]
        if rest == "-" or rest.startswith("- "):
            return (
                (n, column),
                f'this line is indented differently from the lines above it: its "-" starts '
                f'{_spaces(column - dash)} further right than the "-" on line {start.line + 1}, '
                f'so this item was read as more of the one above: "{_short(value.value)}"',
                f'YAML needs the items of a list lined up with spaces: put this "-" exactly below '
                f'the "-" on line {start.line + 1}',
            )
    return None


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SiteError(
            "the file is not UTF-8 text",
            path=path,
            hint="save it as UTF-8 in your editor",
        ) from exc
    except OSError as exc:
        raise SiteError(f"cannot read the file: {exc.strerror}", path=path) from exc


def load_yaml_file(path: Path) -> RawDoc:
    warnings: list[SiteError] = []
    data = parse_yaml(read_text(path), path, warnings=warnings)
    return RawDoc(path=path, data=data, warnings=tuple(warnings))


_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*\r?$\n?", re.S | re.M)


def load_markdown_file(path: Path) -> RawDoc:
    """A Markdown page with a YAML front-matter block between two '---' lines."""
    # A byte order mark (which some Windows editors write) is not part of the text, as in listings.
    text = read_text(path).removeprefix("\ufeff")
    match = _FRONT.match(text)
    if not match:
        raise SiteError(
            "a page must start with a front-matter block between '---' lines",
            path=path,
            line=1,
            column=1,
            hint="put '---', then 'title: Your title', then '---' at the top of the file",
        )
    warnings: list[SiteError] = []
    data = parse_yaml(match.group(1), path, line_offset=1, warnings=warnings)
    body = text[match.end() :]
    body_line = text[: match.end()].count("\n") + 1
    if (found := _MARKDOWN_BAD_CHARACTER.search(body)) is not None:
        before = body[: found.start()]
        raise SiteError(
            f"this page contains {character_problem(found.group())}, which no web page or feed can show",
            path=path,
            line=body_line + before.count("\n"),
            column=found.start() - before.rfind("\n"),
            hint="delete it and type the text around it again: it may have come with text copied from elsewhere",
        )
    return RawDoc(path=path, data=data, body=body, body_line=body_line, warnings=tuple(warnings))


@dataclass(frozen=True, slots=True)
class ContentFiles:
    """Every content file, parsed; what could not be parsed is in ``errors``."""

    root: Path
    site: RawDoc | None
    maker: RawDoc | None
    listings: tuple[RawDoc, ...]
    pages: tuple[RawDoc, ...]


def _is_editor_junk(name: str) -> bool:
    return name.startswith((".", "#", "~")) or name.endswith(("~", ".swp", ".swx", ".tmp"))


def outside_error(path: Path, root: Path) -> SiteError | None:
    """An error when ``path`` (through symlinks) lies outside ``root``: content never reads
    files from elsewhere on the machine."""
    if path.resolve().is_relative_to(root.resolve()):
        return None
    return SiteError(
        "this file links to a place outside the content folder",
        path=path,
        hint="copy the file into the content folder instead of linking to it",
    )


def _list_files(root: Path, folder: Path, suffix: str, errors: ErrorList, wrong: tuple[str, ...]) -> list[Path]:
    if not folder.is_dir():
        if folder.exists():
            errors.add(
                SiteError(
                    f"this is a file, but it must be the folder of your {folder.name}",
                    path=folder,
                    hint=f"rename or move the file, and put your {folder.name} ({suffix} files) in a folder "
                    f"named {folder.name}",
                )
            )
        return []
    found = []
    # A plain file in a folder that lies inside the content folder lies inside it too: only links
    # need resolving (resolving 10,000 listing files costs seconds).
    folder_inside = folder.resolve().is_relative_to(root.resolve())
    with os.scandir(folder) as scan:
        entries = sorted(scan, key=lambda e: e.name)
    for item in entries:
        entry = folder / item.name
        if _is_editor_junk(item.name) or not item.is_file():
            continue
        if (not folder_inside or item.is_symlink()) and (escape := outside_error(entry, root)) is not None:
            errors.add(escape)
            continue
        if entry.suffix == suffix:
            found.append(entry)
        elif entry.suffix.lower() in wrong:
            errors.add(
                SiteError(
                    f"this file is ignored: its name must end in '{suffix}'",
                    path=entry,
                    hint=f"rename it to {entry.stem}{suffix}",
                )
            )
    return found


def load_content(root: Path, errors: ErrorList, skip_listings: Container[Path] = ()) -> ContentFiles:
    """Parse every content file under ``root``, collecting (not raising) per-file errors.

    Listing files in ``skip_listings`` are not read: worker processes already turned them into
    listings (see parallel.py)."""

    def guarded(loader: Any, path: Path) -> RawDoc | None:
        try:
            doc: RawDoc = loader(path)
        except SiteError as exc:
            errors.add(exc)
            return None
        errors.warnings.extend(doc.warnings)
        return doc

    def required(name: str) -> RawDoc | None:
        path = root / name
        if not path.is_file():
            errors.add(SiteError(f"missing file: {name} is required", path=path))
            return None
        if (escape := outside_error(path, root)) is not None:
            errors.add(escape)
            return None
        return guarded(load_yaml_file, path)

    if not root.is_dir():
        raise SiteError("the content folder does not exist", path=root)
    site = required("site.yaml")
    maker = required("maker.yaml")
    listing_files = _list_files(root, root / "listings", ".yaml", errors, (".yml", ".json", ".txt"))
    page_files = _list_files(root, root / "pages", ".md", errors, (".markdown", ".txt", ".html"))
    listings = [d for p in listing_files if p not in skip_listings and (d := guarded(load_yaml_file, p)) is not None]
    pages = [d for p in page_files if (d := guarded(load_markdown_file, p)) is not None]
    return ContentFiles(root=root, site=site, maker=maker, listings=tuple(listings), pages=tuple(pages))
