"""Any value in any field of any content file: the build succeeds, or fails with file:line messages.

For each kind of content file, the small valid shop of conftest.default_files() gets one field
(any field schema.py defines, nested ones too) replaced by a random YAML value of a random type:
text with any characters (as written in "..." quotes with escapes, or typed plain), huge numbers,
impossible dates, booleans, nulls, tags, anchors and aliases, lists and blocks of those. The
command line then builds it, in this process, and must either succeed (with a well-formed feed
and sitemap) or exit 1 with every error at a content file's line, no traceback, and no output.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml
from conftest import MAKER_YAML, MUG_YAML, SITE_YAML, default_files, write_files
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.cli import main
from generator.schema import CUSTOMIZATION, LISTING, MAKER, PAGE, SITE, Field

FieldPath = tuple[str | int, ...]

PAGE_FILE = "pages/faq.md"
STARTERS: dict[str, tuple[str, Any]] = {
    "site.yaml": ("site", yaml.safe_load(SITE_YAML)),
    "maker.yaml": ("maker", yaml.safe_load(MAKER_YAML)),
    "listings/blue-mug.yaml": ("listing", yaml.safe_load(MUG_YAML)),
    PAGE_FILE: ("page", {"title": "FAQ"}),
}
"""Each content file: its kind, and its valid starting data."""

CUSTOMIZATION_STARTERS: dict[str, dict[str, Any]] = {
    "choice": yaml.safe_load(MUG_YAML)["customizations"][0],
    "text": {"name": "Monogram", "type": "text"},
    "number": {"name": "Cups", "type": "number"},
    "checkbox": {"name": "Gift wrap", "type": "checkbox"},
}


def _paths(fields: Mapping[str, Field], prefix: FieldPath = ()) -> Iterator[FieldPath]:
    """Every field of ``fields``, and of the blocks and lists of blocks in them."""
    for name, f in fields.items():
        path = (*prefix, name)
        yield path
        if f.kind == "block":
            yield from _paths(f.fields, path)
        elif f.kind == "list" and f.items is not None:
            yield (*path, 0)
            if f.items.fields:
                yield from _paths(f.items.fields, (*path, 0))
        elif f.kind == "links":
            yield (*path, "Shop")


def _targets() -> list[tuple[str, str | None, FieldPath]]:
    """(file, customization type or None, field path) of every field of every content file."""
    out: list[tuple[str, str | None, FieldPath]] = []
    for file, (kind, _) in STARTERS.items():
        fields = {"site": SITE, "maker": MAKER, "listing": LISTING, "page": PAGE}[kind]
        out += [(file, None, path) for path in _paths(fields)]
    for kind, fields in CUSTOMIZATION.items():
        out += [("listings/blue-mug.yaml", kind, path) for path in _paths(fields, ("customizations", 0))]
    out.append(("listings/blue-mug.yaml", "choice", ("customizations", 0, "options", 1)))
    return out


TARGETS = _targets()


class Raw(str):
    """YAML source text of a value, written as it is."""


def _set(data: Any, path: FieldPath, value: Raw) -> None:
    """data[path] = value, making the blocks and lists on the way that the starter lacks."""
    for n, step in enumerate(path):
        if n == len(path) - 1:
            break
        empty: Any = [] if isinstance(path[n + 1], int) else {}
        if isinstance(data, list):
            assert isinstance(step, int)
            if len(data) <= step:
                data.append(empty)
            elif not isinstance(data[step], type(empty)):
                data[step] = empty
        elif not isinstance(data.get(step), type(empty)):
            data[step] = empty
        data = data[step]
    last = path[-1]
    if isinstance(data, list):
        assert isinstance(last, int)
        if len(data) <= last:
            data.append(value)
        else:
            data[last] = value
    else:
        data[last] = value


def _dump(data: Any, indent: int = 0) -> list[str]:
    """Block-style YAML (every line its own field, so that errors have lines to point at); texts
    as JSON strings, which YAML reads the same; Raw values as they are."""
    pad = " " * indent
    lines: list[str] = []
    items = data.items() if isinstance(data, dict) else ((None, v) for v in data)
    for key, value in items:
        lead = f"{pad}{key}:" if key is not None else f"{pad}-"
        if isinstance(value, Raw):
            lines.append(f"{lead} {value}")
        elif isinstance(value, (dict, list)) and value:
            if key is None and isinstance(value, dict):
                inner = _dump(value, indent + 2)
                lines.append(f"{pad}- {inner[0].lstrip()}")
                lines += inner[1:]
            else:
                lines.append(lead)
                lines += _dump(value, indent + 2)
        else:
            lines.append(f"{lead} {json.dumps(value, ensure_ascii=False)}")
    return lines


# -- random YAML values ---------------------------------------------------------------------------

ODD_PLAIN = st.text(st.sampled_from([*"aZ9 -_.,:;#&*!%@`|>'\"?[]{}~=+/\\é€😀", "\t"]), min_size=1, max_size=12).map(
    str.strip
)


def _double_quoted(text: str) -> str:
    return json.dumps(text)  # \uXXXX escapes: YAML's too (a lone surrogate is a YAML error)


def _date(y: int, m: int, d: int, time: tuple[int, int, int] | None) -> str:
    day = f"{y:04d}-{m:02d}-{d:02d}"
    return day if time is None else day + "T{:02d}:{:02d}:{:02d}".format(*time)


scalars = st.one_of(
    st.integers(min_value=-(10**120), max_value=10**120).map(str),
    st.integers(min_value=0, max_value=2000).map(str),
    st.floats().map(repr).map(lambda f: {"inf": ".inf", "-inf": "-.inf", "nan": ".nan"}.get(f, f)),
    st.sampled_from(["1e400", "-1e999999", "0x1F", "0o17", "1_000", "1:30", "12,50", "$12", ".5", "-0"]),
    st.builds(
        _date,
        st.integers(0, 9999),
        st.integers(0, 99),
        st.integers(0, 99),
        st.none() | st.tuples(st.integers(0, 99), st.integers(0, 99), st.integers(0, 99)),
    ),
    st.sampled_from(["true", "false", "yes", "No", "on", "null", "~", '""', "''"]),
    st.text(max_size=30).map(_double_quoted),
    st.text(st.characters(codec="utf-8"), max_size=30).map(lambda t: "'" + t.replace("'", "''") + "'"),
    ODD_PLAIN.filter(bool),
    st.integers(4000, 6000).map(lambda n: "9" * n),  # too long for Python to read as a number
    st.integers(10_000, 30_000).map(lambda n: "x" * n),
    st.sampled_from(['"\\x0c\\x0c"', '"\\e[31mred"', '"\\uFFFE"', '"a\\0b"', '"\\ud800"', "\ufdd0"]),
    st.sampled_from(
        [
            "!!binary aGVsbG8gd29ybGQ=",
            "!!int abc",
            "!!float abc",
            "!!timestamp not-a-date",
            "!!python/object/apply:os.system ['true']",
            "!!python/name:os.system",
            "!foo bar",
            "!!set {a, b}",
            "!!str 12",
            "!!int 12",
            "*alias",
            "&anchor x",
            "&a [x, x]",
            "? [a, b]",
        ]
    ),
)


def _flow_list(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"


def _flow_map(pairs: list[tuple[str, str]]) -> str:
    return "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"


KEYS = st.sampled_from(["title", "price", "src", "alt", "label", "name", "type", "x", "12", "true", "Shop"])
collections = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(_flow_list),
        st.lists(st.tuples(KEYS, inner), max_size=4, unique_by=lambda kv: kv[0]).map(_flow_map),
    ),
    max_leaves=8,
)
# Mostly single values: a list or block is refused by most fields before anything else is checked.
values = st.one_of(scalars, scalars, collections).map(Raw)


# -- the property -------------------------------------------------------------------------------

ERROR_LINE = re.compile(r"error: (\S*/)?content/[^:]+:\d+(:\d+)?: \S")
THEME_NOT_FOUND = re.compile(r"error: \S*/themes/[^/:]+: theme '[^']+' not found$")
"""The one error about a value that names no line: site.yaml's theme is a folder that does not
exist (the message names the folder to make)."""


def _shown(value: str) -> str:
    return repr(value) if len(value) < 200 else repr(value[:200]) + f"... ({len(value):,} characters)"


def _build(root: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(
            ["--content", str(root / "content"), "--themes", str(root / "themes"), "--output", str(root / "out")]
        )
    return code, out.getvalue(), err.getvalue()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(target=st.sampled_from(TARGETS), value=values)
def test_any_value_in_any_field_builds_or_fails_at_its_line(
    target: tuple[str, str | None, FieldPath], value: Raw
) -> None:
    file, customization, path = target
    kind, starter = STARTERS[file]
    data = json.loads(json.dumps(starter))
    if customization is not None:
        data["customizations"] = [json.loads(json.dumps(CUSTOMIZATION_STARTERS[customization]))]
    _set(data, path, value)
    text = "\n".join(_dump(data)) + "\n"
    files: dict[str, str | bytes | None] = dict(default_files())
    files[file] = f"---\n{text}---\nSome text.\n" if kind == "page" else text
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_files(root / "content", {k: v for k, v in files.items() if k != file})
        (root / "content" / file).parent.mkdir(parents=True, exist_ok=True)
        (root / "content" / file).write_text(files[file], encoding="utf-8")  # type: ignore[arg-type]
        try:
            code, _, err = _build(root)
        except Exception as exc:  # the property: nothing escapes
            raise AssertionError(f"{file} with {path} = {_shown(value)} raised {exc!r}") from exc
        assert "Traceback" not in err, err
        if code == 0:
            for name in ("feed.xml", "sitemap.xml"):
                ET.parse(root / "out" / name)  # well-formed
            return
        assert code == 1, (code, err)
        assert not (root / "out").exists(), f"{file} with {path} = {_shown(value)}: the output folder was written"
        lines = err.rstrip("\n").split("\n")
        assert lines[-1].startswith("Build failed with "), err
        for line in lines[:-1]:
            if line.startswith("  hint: ") or line.startswith("warning: "):
                continue
            assert ERROR_LINE.match(line) or THEME_NOT_FOUND.match(line), (
                f"{file} with {path} = {_shown(value)}: {_shown(line)}"
            )


def test_every_field_is_a_target() -> None:
    assert ("site.yaml", None, ("contact", "email")) in TARGETS
    assert ("listings/blue-mug.yaml", None, ("images", 0, "alt")) in TARGETS
    assert ("listings/blue-mug.yaml", "number", ("customizations", 0, "step")) in TARGETS
    assert ("maker.yaml", None, ("links", "Shop")) in TARGETS
    assert (PAGE_FILE, None, ("menu",)) in TARGETS
    assert len(TARGETS) > 60
