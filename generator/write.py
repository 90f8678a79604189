"""The only module that writes the built site to disk.

Everything is rendered and checked first (in memory, or as files in a spool folder outside the
output); only a complete, error-free build reaches this module. It then brings the output folder in line with it: every changed file is first staged
as a temporary file in its target folder; only when all are staged are they moved into place with
os.replace (readers never see half a file, and an error while staging leaves the output exactly as
it was); unchanged files are not touched, and files the build no longer produces are removed last.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable, Mapping
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
    # from pages/faq.md). Folders are remembered with a trailing '/'. (Plain string operations: a
    # large shop has tens of thousands of outputs, and check_output_path has normalised the path.)
    if _is_plain(path):
        folders = [path[:i] for i in range(len(path) - 1, 0, -1) if path[i] == "/"]
    else:
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


_PLAIN = re.compile(r"(?!\.\.?(?:/|\Z))[^/\\]+(?:/(?!\.\.?(?:/|\Z))[^/\\]+)*\Z")


def _is_plain(path: str) -> bool:
    """'a/b.html': relative, no empty, '.' or '..' part, no backslash (what the plan produces)."""
    return _PLAIN.match(path) is not None


def check_output_path(path: str) -> None:
    if _is_plain(path):
        return
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts or "\\" in path:
        raise SiteError(f"refusing to write outside the output folder: {path!r}")


def read_content(content: Content) -> bytes:
    """The bytes of one output, rendered or copied."""
    return content.read_bytes() if isinstance(content, Path) else content


_BINARY = getattr(os, "O_BINARY", 0)  # Windows only


def write_file(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (created or truncated; its folder made if missing), readable by
    web servers (0644) whatever the umask: for files no reader sees before they are moved into
    place (the spool, see sync_site). Each page of a build has a folder of its own, so the folder
    is made first (on a clean build it never exists yet)."""
    folder = os.path.dirname(path)
    if folder:
        try:
            os.mkdir(folder)
        except FileExistsError:
            pass
        except FileNotFoundError:
            os.makedirs(folder, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _BINARY, 0o644)
    try:
        # Only an unusual umask (027, 077) needs a change of mode: it is a write to the disk's
        # journal, and a clean build of a large shop creates tens of thousands of files.
        if os.fstat(fd).st_mode & 0o777 != 0o644:
            os.fchmod(fd, 0o644)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _stage(folder: Path, data: bytes | Path) -> Path:
    """Write ``data`` to a new temporary file in ``folder`` (same disk as its target, so moving it
    into place is an atomic rename). A Path is a spooled page (see sync_site): it is moved there
    instead, or copied if it lies on another disk."""
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=folder)
    try:
        if isinstance(data, Path):
            os.close(fd)
            try:
                os.replace(data, tmp)
            except OSError as exc:
                if exc.errno != errno.EXDEV:
                    raise
                shutil.copyfile(data, tmp)
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; web servers must be able to read the file
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _staging_folder(out: Path, rel: str, created: list[Path]) -> Path:
    """The target's own folder, created if missing (recorded in ``created``); when something
    other than a folder is in the way (a file, a symlink), the deepest real folder above it:
    nothing in the output is removed until every file is staged."""
    folder = out
    for part in PurePosixPath(rel).parent.parts:
        path = folder / part
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            return folder
        if not path.exists():
            path.mkdir()
            created.append(path)
        folder = path
    return folder


def _is_empty(folder: Path) -> bool:
    with os.scandir(folder) as entries:
        return next(entries, None) is None


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


def content_digest(data: bytes) -> bytes:
    """Short content hash of an output, for the manifest and the page cache."""
    return hashlib.blake2b(data, digest_size=16).digest()


def sync_site(
    outputs: Mapping[str, Content],
    out: Path,
    previous: Manifest,
    digests: Mapping[str, bytes] | None = None,
    spool: Path | None = None,
) -> tuple[WriteStats, Manifest]:
    """write_site, helped by the manifest of the previous sync: a file whose size and mtime are
    as recorded is compared by hash, without reading it back. Returns the new manifest.

    ``digests``: content_digest of outputs the caller already knows (files are then read only if
    they must be compared or copied, one at a time, and a file whose bytes no longer have that
    digest is an error). ``spool``: a folder of files the build made for this sync alone; an
    output that is a file in it is moved into place instead of copied.

    In two phases, so an error while writing (disk full, no permission) cannot leave the output
    half old, half new: first every changed file is staged as a temporary file next to its target
    (on any error the temporary files are deleted and the output is as it was); then they are all
    moved into place, what they replace (or what is in their way) set aside and put back if a move
    fails (_Undo); only then are stale files removed."""
    # A new or empty output folder has nothing stale to sweep afterwards (a clean build of a large
    # shop would walk every file it just wrote).
    fresh = not out.is_dir() or _is_empty(out)
    if fresh and spool is not None:
        adopted = _adopt_spool(outputs, out, digests or {}, spool)
        if adopted is not None:
            return adopted
    prepare_output_dir(out)
    unchanged = 0
    manifest: Manifest = {}
    staged: list[tuple[str, Path, bytes]] = []
    created: list[Path] = []
    linked: dict[str, bool] = {}
    folders: dict[str, Path] = {}
    # A spooled page is complete already: when the spool can be renamed into the output (same
    # disk, found out by staging the first one), the others are moved into place with the staged
    # files, without a staged copy of their own (a clean build of a large shop would otherwise
    # rename every page twice).
    spool_in_place: bool | None = None
    try:
        for rel in sorted(outputs):
            check_output_path(rel)
            content = outputs[rel]
            digest = digests.get(rel) if digests is not None else None
            data: bytes | None = None
            if digest is None:
                data = read_content(content)
                digest = content_digest(data)

            def load(rel: str = rel, content: Content = content, digest: bytes = digest) -> bytes:
                found = read_content(content)
                if content_digest(found) != digest:
                    raise SiteError(f"{rel} changed while the site was being built", hint="build again")
                return found

            if _unchanged(out, rel, data if data is not None else load, digest, previous.get(rel), manifest, linked):
                unchanged += 1
                continue
            spooled = data is None and isinstance(content, Path) and spool is not None and _inside(content, spool)
            if spooled and spool_in_place:
                assert isinstance(content, Path)
                staged.append((rel, content, digest))
                continue
            source: bytes | Path = content if spooled else (data if data is not None else load())  # type: ignore[assignment]
            parent = rel.rpartition("/")[0]
            folder = folders.get(parent)
            if folder is None:
                folder = folders[parent] = _staging_folder(out, rel, created)
            staged.append((rel, _stage(folder, source), digest))
            if spooled and spool_in_place is None:
                assert isinstance(content, Path)
                spool_in_place = not content.exists()  # moved, not copied: same disk
    except BaseException:
        for _, tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        for folder in reversed(created):
            try:
                folder.rmdir()
            except OSError:
                pass
        raise
    cleared: set[str] = set()
    made: set[Path] = set()
    moved = 0
    undo = _Undo(out)
    try:
        for rel, tmp, digest in staged:
            target = out / rel
            _clear_way(out, rel, cleared, undo)
            if os.path.lexists(target):
                # The old file (or a link, or a folder, where this file goes) is set aside, never
                # written through, and put back if a later step fails.
                undo.set_aside(target)
            if target.parent not in made:
                undo.make_folders(target.parent)
                made.add(target.parent)
            os.replace(tmp, target)
            undo.placed(target)
            moved += 1
            st = os.stat(target)
            manifest[rel] = (st.st_size, st.st_mtime_ns, digest)
    except BaseException:
        for _, tmp, _ in staged[moved:]:
            tmp.unlink(missing_ok=True)
        undo.roll_back()
        for folder in reversed(created):  # made to stage files in (see above)
            try:
                folder.rmdir()
            except OSError:
                pass
        raise
    undo.discard()
    written = len(outputs) - unchanged
    removed = 0 if fresh else _remove_stale(out, set(outputs))
    return WriteStats(written=written, unchanged=unchanged, removed=removed), manifest


def _inside(path: Path, folder: Path) -> bool:
    return str(path).startswith(os.path.join(folder, ""))


def _adopt_spool(
    outputs: Mapping[str, Content], out: Path, digests: Mapping[str, bytes], spool: Path
) -> tuple[WriteStats, Manifest] | None:
    """A clean build: the spool (its pages already at their places in it) becomes the output
    folder. Every other output is written into the spool first, then the spool is renamed to
    ``out`` in one step: there is no output folder until it is complete. None (nothing in the
    output touched) when that cannot be done (``out`` is a link or a mount point, the spool on
    another disk): the caller then syncs file by file."""
    if os.path.islink(out) or (os.path.lexists(out) and not (out.is_dir() and _is_empty(out))):
        return None
    known: dict[str, bytes] = {}
    for rel in sorted(outputs):
        check_output_path(rel)
        content = outputs[rel]
        target = os.path.join(spool, rel)
        digest = digests.get(rel)
        if isinstance(content, Path) and digest is not None and str(content) == target:
            known[rel] = digest  # a page a worker wrote in place
            continue
        data = read_content(content)
        if digest is not None and content_digest(data) != digest:
            raise SiteError(f"{rel} changed while the site was being built", hint="build again")
        write_file(target, data)
        known[rel] = digest if digest is not None else content_digest(data)
    (spool / MARKER).touch()
    try:
        if os.path.lexists(out):
            os.rmdir(out)  # empty (checked above); a mount point refuses, and nothing has changed
        os.makedirs(out.parent, exist_ok=True)
        os.rename(spool, out)
    except OSError:
        if not os.path.lexists(out):
            try:
                os.mkdir(out)  # the empty folder that was there
            except OSError:
                pass
        return None
    manifest: Manifest = {}
    for rel, digest in known.items():
        st = os.stat(os.path.join(out, rel))
        manifest[rel] = (st.st_size, st.st_mtime_ns, digest)
    return WriteStats(written=len(outputs), unchanged=0, removed=0), manifest


def _unchanged(
    out: Path,
    rel: str,
    data: bytes | Callable[[], bytes],
    digest: bytes,
    known: tuple[int, int, bytes] | None,
    manifest: Manifest,
    linked: dict[str, bool],
) -> bool:
    """True (and ``manifest`` updated) when ``out/rel`` is a regular file holding ``data`` (or what
    it returns when called) and reached through real folders only (``linked`` remembers which
    folders are symlinks); a file with the size and mtime the last sync recorded is trusted by its
    recorded hash."""
    # Plain strings, not Paths: a large shop's output is tens of thousands of files.
    base = os.fspath(out)
    target = os.path.join(base, rel)
    try:
        st = os.lstat(target)
    except OSError:
        return False
    if not stat.S_ISREG(st.st_mode):
        return False
    name = rel.rpartition("/")[0]
    while name:  # 'a/b/c.html': 'a/b', then 'a'
        is_link = linked.get(name)
        if is_link is None:
            is_link = linked[name] = os.path.islink(os.path.join(base, name))
        if is_link:
            return False
        name = name.rpartition("/")[0]
    if known is not None and (st.st_size, st.st_mtime_ns) == known[:2]:
        if known[2] != digest:
            return False
        manifest[rel] = known
        return True
    if not isinstance(data, bytes):
        data = data()  # read only now: most files are decided by the manifest
    if st.st_size != len(data) or Path(target).read_bytes() != data:
        return False
    manifest[rel] = (st.st_size, st.st_mtime_ns, digest)
    return True


def _clear_way(out: Path, rel: str, cleared: set[str], undo: _Undo) -> None:
    """Make every parent folder of ``rel`` a real folder inside ``out``: a file left where a folder
    must now be is set aside, and so is a symlink rather than written through (it could lead
    anywhere on the machine). ``cleared``: folders already checked in this sync."""
    if rel.rpartition("/")[0] in cleared:
        return  # its folder (and so every folder above it) was checked for an earlier file
    for parent in reversed(PurePosixPath(rel).parents[:-1]):
        name = parent.as_posix()
        if name in cleared:
            continue
        cleared.add(name)
        path = out / parent
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            undo.set_aside(path)


class _Undo:
    """The second phase of a sync, step by step, so a failure in the middle (a permission, a
    full disk) puts the output folder back as it was: what is replaced or in the way is moved
    into a folder of its own inside the output (a rename, on the same disk) and moved back, files
    placed and folders made are removed. ``discard`` deletes what was set aside once every file
    is in place."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.aside: Path | None = None
        self.steps: list[tuple[str, Path, Path | None]] = []

    def set_aside(self, path: Path) -> None:
        if self.aside is None:
            self.aside = Path(tempfile.mkdtemp(prefix=".makerfront-undo-", dir=self.out))
        kept = self.aside / str(len(self.steps))
        os.rename(path, kept)
        self.steps.append(("aside", path, kept))

    def make_folders(self, folder: Path) -> None:
        missing: list[Path] = []
        while not os.path.lexists(folder):
            missing.append(folder)
            folder = folder.parent
        for path in reversed(missing):
            path.mkdir()
            self.steps.append(("folder", path, None))

    def placed(self, path: Path) -> None:
        self.steps.append(("placed", path, None))

    def roll_back(self) -> None:
        for kind, path, kept in reversed(self.steps):
            try:
                if kind == "placed":
                    path.unlink()
                elif kind == "folder":
                    path.rmdir()
                elif kept is not None:
                    os.rename(kept, path)
            except OSError:
                continue  # as much as can be put back; the error that stopped the sync is raised
        self.steps.clear()
        if self.aside is not None:
            try:
                self.aside.rmdir()  # empty unless something could not be put back: then it stays
            except OSError:
                pass
            self.aside = None

    def discard(self) -> None:
        if self.aside is not None:
            shutil.rmtree(self.aside, ignore_errors=True)
            self.aside = None


def _remove_stale(out: Path, keep: Iterable[str]) -> int:
    """Remove what ``out`` holds beyond the files ``keep`` (and the marker), then every folder
    left empty, deepest first; a symlink to a folder is removed, never followed."""
    keep_set = set(keep) | {MARKER}
    removed = 0
    base = os.fspath(out)
    # Folders (relative paths) that still hold something once their own stale files are gone.
    occupied: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(base, topdown=False):
        rel_dir = dirpath[len(base) + 1 :].replace(os.sep, "/")  # '' for ``out`` itself
        prefix = rel_dir + "/" if rel_dir else ""
        kept = False
        for name in filenames:
            if prefix + name in keep_set:
                kept = True
            else:
                os.unlink(os.path.join(dirpath, name))
                removed += 1
        for name in dirnames:
            sub = os.path.join(dirpath, name)
            if os.path.islink(sub):
                os.unlink(sub)
            elif prefix + name in occupied:
                kept = True
            else:
                try:
                    os.rmdir(sub)
                except OSError:  # something appeared in it meanwhile: leave it
                    kept = True
        if kept:
            occupied.add(rel_dir)
    return removed
