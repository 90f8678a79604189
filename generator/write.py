"""The only module that writes the built site to disk.

Everything is rendered and checked in memory first; only a complete, error-free build reaches
this module. It then brings the output folder in line with it: each changed file is written to a
temporary file and moved into place with os.replace (readers never see half a file), unchanged
files are not touched, and files the build no longer produces are removed.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import SiteError

MARKER = ".makerfront-output"
"""Marks a folder as makerfront's, so the stale-file sweep never empties someone else's folder."""

Content = bytes | Path
"""Rendered bytes, or a source file to copy."""


@dataclass(frozen=True, slots=True)
class WriteStats:
    written: int
    unchanged: int
    removed: int


def add_output(outputs: dict[str, Content], origins: dict[str, str], path: str, content: Content, origin: str) -> None:
    """Register one output file; two sources for one path is an error naming both."""
    check_output_path(path)
    if path in origins:
        raise SiteError(
            f"two things would be written to {path}: {origins[path]} and {origin}",
            hint="rename one of them",
        )
    # A file and a folder of the same name cannot both exist ('faq' from static/ and 'faq/index.html'
    # from pages/faq.md). Folders are remembered with a trailing '/'.
    folders = [parent.as_posix() for parent in PurePosixPath(path).parents[:-1]]
    clashes = [(f, origins[f]) for f in folders if f in origins]
    if path + "/" in origins:
        clashes.append((path, origins[path + "/"]))
    if clashes:
        name, other = clashes[0]
        raise SiteError(f"{name} would be both a file and a folder: {other} and {origin}", hint="rename one of them")
    outputs[path] = content
    origins[path] = origin
    for folder in folders:
        origins.setdefault(folder + "/", origin)


def check_output_path(path: str) -> None:
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts or "\\" in path:
        raise SiteError(f"refusing to write outside the output folder: {path!r}")


def _read(content: Content) -> bytes:
    return content.read_bytes() if isinstance(content, Path) else content


def _atomic_write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; web servers must be able to read the file
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def prepare_output_dir(out: Path) -> None:
    """Refuse to sync into a non-empty folder that makerfront did not create."""
    if out.exists() and not out.is_dir():
        raise SiteError("the output path exists and is not a folder", path=out)
    if out.is_dir() and not (out / MARKER).exists() and any(out.iterdir()):
        raise SiteError(
            "refusing to build into this folder: it has files makerfront did not make",
            path=out,
            hint="choose an empty or new folder with --output (every file not part of the site would be deleted)",
        )
    out.mkdir(parents=True, exist_ok=True)
    marker = out / MARKER
    if not marker.exists():  # a rebuild with nothing new must not touch a single file
        marker.touch()


def write_site(outputs: Mapping[str, Content], out: Path) -> WriteStats:
    stats, _ = sync_site(outputs, out, {})
    return stats


Manifest = dict[str, tuple[int, int, bytes]]
"""Output path -> (size, mtime_ns, hash) of the file as this module last wrote or checked it."""


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def sync_site(outputs: Mapping[str, Content], out: Path, previous: Manifest) -> tuple[WriteStats, Manifest]:
    """write_site, helped by the manifest of the previous sync: a file whose size and mtime are
    as recorded is compared by hash, without reading it back. Returns the new manifest."""
    prepare_output_dir(out)
    written = unchanged = 0
    manifest: Manifest = {}
    cleared: set[str] = set()
    for rel in sorted(outputs):
        check_output_path(rel)
        target = out / rel
        content = outputs[rel]
        data = _read(content)
        digest = _digest(data)
        known = previous.get(rel)
        _clear_way(out, rel, cleared)
        if target.is_symlink():
            target.unlink()  # replace a link with a real file; never write through it
        try:
            st: os.stat_result | None = os.lstat(target)
        except OSError:
            st = None
        if st is not None and known is not None and (st.st_size, st.st_mtime_ns) == known[:2] and known[2] == digest:
            unchanged += 1
            manifest[rel] = known
            continue
        if target.is_dir():
            _remove_tree(target)
            st = None
        if st is not None and st.st_size == len(data) and target.read_bytes() == data:
            unchanged += 1
        else:
            _atomic_write(target, data)
            written += 1
            st = os.stat(target)
        manifest[rel] = (st.st_size, st.st_mtime_ns, digest)
    removed = _remove_stale(out, set(outputs))
    return WriteStats(written=written, unchanged=unchanged, removed=removed), manifest


def _clear_way(out: Path, rel: str, cleared: set[str]) -> None:
    """Make every parent folder of ``rel`` a real folder inside ``out``: a file left where a folder
    must now be is removed, and a symlink is removed rather than written through (it could lead
    anywhere on the machine). ``cleared``: folders already checked in this sync."""
    for parent in reversed(PurePosixPath(rel).parents[:-1]):
        name = parent.as_posix()
        if name in cleared:
            continue
        cleared.add(name)
        path = out / parent
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            path.unlink()


def _remove_tree(folder: Path) -> None:
    for path in sorted(folder.rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() and not path.is_symlink() else path.unlink()
    folder.rmdir()


def _remove_stale(out: Path, keep: Iterable[str]) -> int:
    keep_set = set(keep) | {MARKER}
    removed = 0
    for dirpath, dirnames, filenames in os.walk(out, topdown=False):
        base = Path(dirpath)
        for name in filenames:
            rel = (base / name).relative_to(out).as_posix()
            if rel not in keep_set:
                (base / name).unlink()
                removed += 1
        for name in dirnames:
            sub = base / name
            if sub.is_symlink():
                sub.unlink()
            elif not any(sub.iterdir()):
                sub.rmdir()
    return removed
