"""Read content files into plain data that remembers where every key and value stood.

YAML is parsed with the C loader when PyYAML has it (several times faster); line numbers come
from the composed nodes either way, so they are exact. Only ``true``/``false`` are booleans: a maker
who writes ``- No`` as a colour option means the word, not YAML 1.1's ``False``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Container
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


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)

# The composer asks the resolver for the tag of every node. PyYAML's general resolver also
# supports path-based resolvers (none are registered here) and rebuilds its candidate list on
# every call; this one is the same lookup with the lists made once.
assert not _Loader.yaml_path_resolvers
_WILDCARD = tuple(_Loader.yaml_implicit_resolvers.get(None, []))  # type: ignore[call-overload]
_IMPLICIT = {
    first: tuple(resolvers) + _WILDCARD
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
    if first is not None
}


def _resolve(self: Any, kind: type[Node], value: Any, implicit: tuple[bool, bool]) -> str:
    if kind is ScalarNode:
        if implicit[0]:
            for tag, regexp in _IMPLICIT.get(value[:1], _WILDCARD):
                if regexp.match(value):
                    return tag  # type: ignore[no-any-return]
        return _Loader.DEFAULT_SCALAR_TAG  # type: ignore[no-any-return]
    if kind is SequenceNode:
        return _Loader.DEFAULT_SEQUENCE_TAG  # type: ignore[no-any-return]
    return _Loader.DEFAULT_MAPPING_TAG  # type: ignore[no-any-return]


def _no_path_resolvers(self: Any, *args: Any) -> None:
    return None


_Loader.resolve = _resolve
_Loader.descend_resolver = _no_path_resolvers
_Loader.ascend_resolver = _no_path_resolvers


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


def _mark(node: Node, line_offset: int) -> Mark:
    start = node.start_mark
    return Mark(start.line + 1 + line_offset, start.column + 1)


_STR_TAG = "tag:yaml.org,2002:str"


def _scalar(loader: Any, node: ScalarNode) -> Any:
    # Text (most values) is the node's value as it stands (SafeConstructor.construct_yaml_str);
    # numbers, booleans, dates and nulls go through the constructor.
    if node.tag == _STR_TAG:
        return node.value
    return loader.construct_object(node, deep=True)


# Every listing file is a few dozen nodes, and a large shop has tens of thousands of files: the
# walk below avoids a call per node where it can (scalars are handled inline).
def _convert(loader: Any, node: Node, path: Path, line_offset: int) -> Any:
    kind = type(node)
    if kind is ScalarNode:
        return node.value if node.tag == _STR_TAG else loader.construct_object(node, deep=True)
    line = 1 + line_offset
    start = node.start_mark
    if kind is SequenceNode:
        out = YList()
        out.mark = Mark(start.line + line, start.column + 1)
        marks: list[Mark] = []
        raw: list[str | None] = []
        out.marks, out.raw = marks, raw
        for item in node.value:
            where = item.start_mark
            marks.append(Mark(where.line + line, where.column + 1))
            if type(item) is ScalarNode:
                out.append(item.value if item.tag == _STR_TAG else loader.construct_object(item, deep=True))
                raw.append(item.value)
            else:
                out.append(_convert(loader, item, path, line_offset))
                raw.append(None)
        return out
    if kind is MappingNode:
        m = YMap()
        m.mark = Mark(start.line + line, start.column + 1)
        key_marks: dict[str, Mark] = {}
        value_marks: dict[str, Mark] = {}
        raws: dict[str, str] = {}
        m.key_marks, m.value_marks, m.raw = key_marks, value_marks, raws
        for key_node, value_node in node.value:
            key = _scalar(loader, key_node) if type(key_node) is ScalarNode else loader.construct_object(key_node)
            kmark = key_node.start_mark
            where = Mark(kmark.line + line, kmark.column + 1)
            if not isinstance(key, str):
                # Keys like `12:` or `true:` are almost always a typo; fields are words.
                key = str(key_node.value) if isinstance(key_node, ScalarNode) else str(key)
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
                m[key] = value if value_node.tag == _STR_TAG else loader.construct_object(value_node, deep=True)
                raws[key] = value
            else:
                m[key] = _convert(loader, value_node, path, line_offset)
            key_marks[key] = where
            value_marks[key] = Mark(vmark.line + line, vmark.column + 1)
        return m
    raise SiteError(f"unsupported YAML node {node!r}", path=path)  # pragma: no cover


def parse_yaml(text: str, path: Path, line_offset: int = 0) -> Any:
    """Parse one YAML document; syntax errors become SiteErrors with the maker's line."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        return _convert(loader, node, path, line_offset)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        line = mark.line + 1 + line_offset if mark else 0
        col = mark.column + 1 if mark else 0
        raise SiteError(
            f"YAML syntax error: {problem}",
            path=path,
            line=line,
            column=col,
            hint=_yaml_hint(problem),
        ) from exc
    except yaml.YAMLError as exc:
        raise SiteError(f"YAML syntax error: {exc}", path=path) from exc
    finally:
        loader.dispose()


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
    return RawDoc(path=path, data=parse_yaml(read_text(path), path))


_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*\r?$\n?", re.S | re.M)


def load_markdown_file(path: Path) -> RawDoc:
    """A Markdown page with a YAML front-matter block between two '---' lines."""
    text = read_text(path)
    match = _FRONT.match(text)
    if not match:
        raise SiteError(
            "a page must start with a front-matter block between '---' lines",
            path=path,
            line=1,
            column=1,
            hint="put '---', then 'title: Your title', then '---' at the top of the file",
        )
    data = parse_yaml(match.group(1), path, line_offset=1)
    body = text[match.end() :]
    body_line = text[: match.end()].count("\n") + 1
    return RawDoc(path=path, data=data, body=body, body_line=body_line)


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
            return doc
        except SiteError as exc:
            errors.add(exc)
            return None

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
