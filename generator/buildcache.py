"""The persistent build cache in `.makerfront-cache/` next to the output folder.

It holds what lets the next build skip work, and nothing a build needs to be correct: deleting
the folder only makes the next build slower. Three things are kept:

- rendered Markdown, by a hash of the source text (the slowest step of a clean build);
- the output manifest: size, modification time and hash of every file last written, so the
  writer can tell an unchanged file without reading it back;
- the input fingerprint: size and modification time of every content, theme and generator file,
  plus the options, so `build.py` can tell "nothing changed" before it even imports the pipeline.

Every file is keyed by the generator version and the Markdown/Python versions, so an upgrade starts
afresh. This module imports only the standard library: the no-change check must be fast.
"""

from __future__ import annotations

import functools
import marshal
import os
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from . import __version__

CACHE_DIR = ".makerfront-cache"
"""Folder name, created next to the output folder (add it to .gitignore)."""

GENERATOR_DIR = Path(__file__).resolve().parent

RACY_SECONDS = 2.0
"""Files modified this close to the moment the fingerprint is taken may be modified again within
the same timestamp tick without their size changing; such a fingerprint is never trusted alone."""

Fingerprint = dict[str, tuple[int, int]]
"""Path -> (size, mtime_ns)."""

OutputEntry = tuple[int, int, bytes]
"""Size, mtime_ns and hash of a file written into the output folder."""


def cache_dir_for(output: Path) -> Path:
    """`<parent of output>/.makerfront-cache/<output folder name>/`."""
    out = output.resolve()
    return out.parent / CACHE_DIR / out.name


OUTPUT_LIBRARIES = ("cmarkgfm", "markdown-it-py", "nh3", "jinja2", "markupsafe", "babel")
"""Libraries whose version can change what a page looks like (Markdown, sanitizing, templates,
price formats): a cache made with other versions is not reused."""


@functools.lru_cache(maxsize=1)
def _version_key() -> str:
    import importlib.metadata as md

    versions = []
    for name in OUTPUT_LIBRARIES:
        try:
            versions.append(f"{name} {md.version(name)}")
        except md.PackageNotFoundError:  # pragma: no cover - not installed as a distribution
            versions.append(f"{name} ?")
    return f"makerfront {__version__}; {'; '.join(versions)}; {sys.version}"


def _environment_key() -> str:
    """Cheaper stand-in for _version_key for the no-change check: installing or upgrading a
    package (Markdown, Jinja...) changes the modification time of its site-packages folder."""
    parts = [f"makerfront {__version__}", sys.version]
    for entry in sys.path:
        if not entry.endswith(("site-packages", "dist-packages")):
            continue
        try:
            parts.append(f"{entry}:{os.stat(entry or '.').st_mtime_ns}")
        except OSError:
            continue
    return ";".join(parts)


def _digest(text: str) -> bytes:
    import hashlib

    return hashlib.blake2b(text.encode("utf-8", "surrogateescape"), digest_size=16).digest()


def _read(path: Path) -> object:
    try:
        with path.open("rb") as fh:
            return marshal.load(fh)
    except (OSError, EOFError, ValueError, TypeError):
        return None


def _write(path: Path, value: Any) -> None:
    """Atomically replace a cache file (a crash leaves the old one or none, never half)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as fh:
            marshal.dump(value, fh)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)


# -- Markdown -------------------------------------------------------------------------------------


class MarkdownCache(dict[bytes, str]):
    """Rendered Markdown by text hash; remembers which entries this build used so the saved file
    does not grow forever with descriptions the maker has since rewritten."""

    def __init__(self, entries: Mapping[bytes, str]) -> None:
        super().__init__(entries)
        self.used: set[bytes] = set()
        self.new: set[bytes] = set()
        """Keys added since the cache was loaded (a worker process sends these back)."""
        self.added = 0

    def merge(self, new: Mapping[bytes, str], used: set[bytes]) -> None:
        """Take in what a worker process rendered and used."""
        for key, html in new.items():
            if key not in self:
                self[key] = html
        self.used |= used

    def get(self, key: bytes, default: str | None = None) -> str | None:  # type: ignore[override]
        self.used.add(key)
        return super().get(key, default)

    def __setitem__(self, key: bytes, value: str) -> None:
        self.used.add(key)
        self.new.add(key)
        self.added += 1
        super().__setitem__(key, value)


def load_markdown(folder: Path) -> MarkdownCache:
    data = _read(folder / "markdown.bin")
    if isinstance(data, dict) and data.get("version") == _version_key() and isinstance(data.get("entries"), dict):
        return MarkdownCache(data["entries"])
    return MarkdownCache({})


def save_markdown(folder: Path, cache: MarkdownCache) -> None:
    if not cache.added and len(cache.used) == len(cache):
        return
    # str(): an entry may be the listing's own Markup (a str subclass, which marshal refuses).
    entries = {k: v if type(v) is str else str(v) for k, v in cache.items() if k in cache.used}
    _write(folder / "markdown.bin", {"version": _version_key(), "entries": entries})


# -- output manifest ------------------------------------------------------------------------------


def load_outputs(folder: Path) -> dict[str, OutputEntry]:
    data = _read(folder / "outputs.bin")
    if isinstance(data, dict) and data.get("version") == _version_key() and isinstance(data.get("files"), dict):
        files: dict[str, OutputEntry] = data["files"]
        return files
    return {}


def save_outputs(folder: Path, files: Mapping[str, OutputEntry]) -> None:
    _write(folder / "outputs.bin", {"version": _version_key(), "files": dict(files)})


# -- page dependencies ----------------------------------------------------------------------------

PageEntry = tuple[bytes, tuple[str, ...], tuple[str, ...], bytes]
"""Key of the page's inputs (depends.PageKeys), the `site` parts and the templates it used, and
the hash of the HTML they produced (a previous output is reused only if it is that HTML)."""


def load_pages(folder: Path) -> dict[str, PageEntry]:
    data = _read(folder / "pages.bin")
    if isinstance(data, dict) and data.get("version") == _version_key() and isinstance(data.get("pages"), dict):
        pages: dict[str, PageEntry] = data["pages"]
        return pages
    return {}


def save_pages(folder: Path, pages: Mapping[str, PageEntry]) -> None:
    _write(folder / "pages.bin", {"version": _version_key(), "pages": dict(pages)})


# -- input fingerprint ----------------------------------------------------------------------------


def fingerprint(roots: Iterable[Path]) -> Fingerprint:
    """Size and mtime of every file under each root (hidden files included: a theme's or the
    content's, all can matter). Unreadable or missing roots count as empty."""
    found: Fingerprint = {}

    def walk(folder: str) -> None:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            return
        for entry in entries:
            if entry.name == CACHE_DIR or entry.name == "__pycache__":
                continue
            try:
                if entry.is_dir():
                    walk(entry.path)
                else:
                    st = entry.stat()
                    found[entry.path] = (st.st_size, st.st_mtime_ns)
            except OSError:
                continue

    for root in roots:
        walk(str(root.resolve()))
    return found


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildKey:
    """Everything besides the files that decides what a build produces."""

    content: Path
    themes: Path
    base_url: str | None
    today: date
    """Private listings expire by date: another day may build other pages."""
    secret: str = ""
    """secret.secret_fingerprint of the site secret (never the secret): a rotated secret moves
    every private address."""

    def text(self) -> str:
        return "|".join(
            (
                _environment_key(),
                str(self.content.resolve()),
                str(self.themes.resolve()),
                self.base_url or "",
                self.today.isoformat(),
                self.secret,
            )
        )

    def roots(self) -> list[Path]:
        # The built-in themes folder (theme.BUILTIN_THEMES, not imported: it pulls in YAML).
        return [self.content, self.themes, GENERATOR_DIR.parent / "themes", GENERATOR_DIR]


@dataclass(slots=True)
class Summary:
    """What the last successful build reported, repeated when nothing changed."""

    pages: int = 0
    files: int = 0
    notes: list[str] = field(default_factory=list)


def _fingerprint_digest(inputs: Fingerprint) -> bytes:
    return _digest("\n".join(f"{path}\0{size}\0{mtime}" for path, (size, mtime) in sorted(inputs.items())))


def _outputs_digest(stats: Iterable[tuple[str, int, int]]) -> bytes:
    return _digest("\n".join(f"{rel}\0{size}\0{mtime}" for rel, size, mtime in stats))


@dataclass(frozen=True, slots=True)
class InputsSeen:
    """What record_inputs needs of a Fingerprint: kept during a build instead of the fingerprint
    itself (a path and two numbers for every file of a large shop)."""

    digest: bytes
    newest: int
    """Newest mtime_ns of all the files."""


def inputs_seen(inputs: Fingerprint) -> InputsSeen:
    return InputsSeen(_fingerprint_digest(inputs), max((mtime for _, mtime in inputs.values()), default=0))


def record_inputs(
    folder: Path,
    key: BuildKey,
    inputs: Fingerprint | InputsSeen,
    taken_at: float,
    summary: Summary,
    outputs: Mapping[str, OutputEntry],
) -> None:
    """Save the fingerprint taken just before a successful build started, and the state of the
    output folder it left (``outputs``: the write manifest)."""
    seen = inputs if isinstance(inputs, InputsSeen) else inputs_seen(inputs)
    racy = seen.newest >= (taken_at - RACY_SECONDS) * 1e9
    paths = sorted(outputs)
    _write(
        folder / "inputs.bin",
        {
            "key": key.text(),
            "inputs": seen.digest,
            "racy": racy,
            "summary": (summary.pages, summary.files, list(summary.notes)),
            "outputs": "\n".join(paths),
            "outputs_digest": _outputs_digest((rel, outputs[rel][0], outputs[rel][1]) for rel in paths),
        },
    )


def forget_inputs(folder: Path) -> None:
    """Called before the output folder is touched: until the build records a new fingerprint,
    the next one must not trust the old."""
    (folder / "inputs.bin").unlink(missing_ok=True)


def unchanged_since_last_build(key: BuildKey, output: Path) -> Summary | None:
    """The last build's summary if no input changed and the output folder is as it left it;
    None means "build" (so any doubt means None)."""
    folder = cache_dir_for(output)
    data = _read(folder / "inputs.bin")
    if not isinstance(data, dict) or data.get("key") != key.text() or data.get("racy") is not False:
        return None
    if _fingerprint_digest(fingerprint(key.roots())) != data.get("inputs"):
        return None
    listed = data.get("outputs")
    if not isinstance(listed, str) or not _outputs_intact(output, listed.split("\n"), data.get("outputs_digest")):
        return None
    pages, files, notes = data["summary"]
    return Summary(pages=pages, files=files, notes=list(notes))


def _outputs_intact(output: Path, paths: list[str], expected: object) -> bool:
    if not paths or not (output / ".makerfront-output").exists():
        return False
    base = str(output)
    stats: list[tuple[str, int, int]] = []
    for rel in paths:
        try:
            st = os.stat(f"{base}/{rel}")
        except OSError:
            return False
        stats.append((rel, st.st_size, st.st_mtime_ns))
    return _outputs_digest(stats) == expected


def now() -> float:
    return time.time()
