"""The persistent build cache in `.makerfront-cache/` next to the output folder.

It holds what lets the next build skip work, and nothing a build needs to be correct: deleting
the folder only makes the next build slower. Three things are kept:

- rendered Markdown, by a hash of the source text, in append-only files read back one text at a
  time (TextStore): the build process never holds every description;
- the output manifest: size, modification time and hash of every file last written, so the
  writer can tell an unchanged file without reading it back;
- the input fingerprint: what git compares of every content, theme and generator file (type,
  size, modification and change times, inode), plus the options, so `build.py` can tell "nothing
  changed" before it even imports the pipeline.

It names private listings' addresses, so the folder and every file in it are readable by their
owner only. One build of an output folder runs at a time (BuildLock, a lock file in it).

Every file is keyed by the generator version and the Markdown/Python versions, so an upgrade starts
afresh. This module imports only the standard library: the no-change check must be fast.
"""

from __future__ import annotations

import functools
import marshal
import os
import stat
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from . import __version__
from .model import StoredHTML

CACHE_DIR = ".makerfront-cache"
"""Folder name, created next to the output folder (add it to .gitignore)."""

GENERATOR_DIR = Path(__file__).resolve().parent

RACY_SECONDS = 2.0
"""Files modified this close to the moment the fingerprint is taken may be modified again within
the same timestamp tick without their size changing; such a fingerprint is never trusted alone."""

Stamp = tuple[int, ...]
"""What git compares of a file, read with lstat: mode (with the file type), size, mtime_ns,
ctime_ns and inode. The change time moves with any write, even one that puts the old mtime back;
the inode and type change when the file is replaced, by a symlink too. A symlink has the link's
stamp followed by that of the file it leads to."""

Fingerprint = dict[str, Stamp]
"""Path -> its Stamp."""

OutputEntry = tuple[int, int, bytes]
"""Size, mtime_ns and hash of a file written into the output folder."""


def cache_dir_for(output: Path) -> Path:
    """`<parent of output>/.makerfront-cache/<output folder name>/`."""
    out = output.resolve()
    return out.parent / CACHE_DIR / out.name


OUTPUT_LIBRARIES = ("cmarkgfm", "markdown-it-py", "nh3", "jinja2", "markupsafe", "babel", "pillow", "pillow-heif")
"""Libraries whose version can change what a page or photo looks like (Markdown, sanitizing, templates,
price formats, image encoders): a cache made with other versions is not reused."""


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
    """Atomically replace a cache file (a crash leaves the old one or none, never half), readable
    by its owner only."""
    os.makedirs(path.parent, 0o700, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.unlink(missing_ok=True)  # left by a build that was killed: it may have another mode
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _BINARY, 0o600), "wb") as fh:
            marshal.dump(value, fh)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)


def make_private(folder: Path) -> None:
    """Make the cache folder (and the `.makerfront-cache` folder it is in) if missing, readable by
    its owner only: it names private listings' addresses. A cache made before this was so gets
    its files made private too."""
    folders = [folder.parent, folder] if folder.parent.name == CACHE_DIR else [folder]
    for path in folders:
        os.makedirs(path, 0o700, exist_ok=True)
        if stat.S_IMODE(os.stat(path).st_mode) == 0o700:
            continue
        os.chmod(path, 0o700)
        with os.scandir(path) as scan:
            for entry in scan:
                if entry.is_file(follow_symlinks=False):
                    os.chmod(entry.path, 0o600)


def clear(folder: Path) -> None:
    """Delete everything in the cache folder but the lock (--no-cache, under the lock)."""
    import shutil

    with os.scandir(folder) as scan:
        entries = [(entry.path, entry.is_dir(follow_symlinks=False)) for entry in scan if entry.name != LOCK_FILE]
    for path, is_dir in entries:
        if is_dir:
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.unlink(path)


# -- one build at a time --------------------------------------------------------------------------

LOCK_FILE = "lock"


class BuildLocked(Exception):
    """Another process holds the build lock of this output folder."""

    def __init__(self, pid: int | None) -> None:
        super().__init__(f"locked by pid {pid}")
        self.pid = pid
        """The holder's process id, as it wrote it in the lock file (None if unreadable)."""


class BuildLock:
    """One build of an output folder at a time: an exclusive flock on `lock` in its cache folder.
    Two builds at once would delete each other's cache files and spools. The kernel drops the
    lock when the process ends, however it ends, so a killed build never leaves it held. The
    file holds the holder's process id, for the message of the build that has to wait."""

    def __init__(self, fd: int) -> None:
        self._fd = fd

    @classmethod
    def acquire(
        cls, folder: Path, *, wait: bool = False, on_wait: Callable[[int | None], None] | None = None
    ) -> BuildLock:
        """The lock, at once; or raise BuildLocked, or (``wait``) call ``on_wait`` with the
        holder's pid and wait for it."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no lock
            return cls(-1)
        path = folder / LOCK_FILE
        told = False
        while True:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | _BINARY, 0o600)
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    pid = _lock_holder(fd)
                    if not wait:
                        raise BuildLocked(pid) from None
                    if on_wait is not None and not told:
                        on_wait(pid)
                        told = True
                    fcntl.flock(fd, fcntl.LOCK_EX)
                try:
                    same = os.stat(path).st_ino == os.fstat(fd).st_ino
                except FileNotFoundError:
                    same = False
            except BaseException:
                os.close(fd)
                raise
            if same:
                break
            os.close(fd)  # the file was deleted or replaced meanwhile (the cache cleared by hand)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        return cls(fd)

    def release(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> BuildLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _lock_holder(fd: int) -> int | None:
    try:
        return int(os.pread(fd, 32, 0).decode("ascii").strip())
    except (OSError, ValueError, UnicodeDecodeError):
        return None


# -- Markdown -------------------------------------------------------------------------------------


_BINARY = getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)  # O_BINARY: Windows only

TextEntry = tuple[str, int, int]
"""Where one rendered text lies: data file name (in the cache folder), offset and length in bytes."""

TEXT_INDEX = "text-index.bin"
COMPACT_SLACK = 1 << 20
"""Bytes of unused text the data files may hold beyond the used text before they are compacted."""
TEXT_PREFIX = "text-"
TEXT_SUFFIX = ".html"


class TextStore:
    """Rendered Markdown by markdown_key, in append-only files of the build cache, with an index
    kept in memory: 10,000 descriptions take an index of about 2 MB however long they are.

    Each process appends to a data file of its own (forked workers too), so no two write to one
    file. The index is saved with the entries this build used; the data of the others is dropped
    when it has become most of the files (compact, at the next open, before any StoredHTML of
    that build exists)."""

    def __init__(self, folder: Path, index: dict[bytes, TextEntry]) -> None:
        self.folder = folder
        self.index = index
        self.used: set[bytes] = set()
        self.new: dict[bytes, TextEntry] = {}
        """Entries added since the store was opened (a worker process sends these back)."""
        self.also_kept: set[str] = set()
        """Data files to keep though no entry of the index points into them."""
        self._paths: dict[str, str] = {}
        self._fd = -1
        self._fd_pid = 0
        self._name = ""
        self._size = 0

    def _path(self, name: str) -> str:
        path = self._paths.get(name)
        if path is None:
            path = self._paths[name] = os.path.join(self.folder, name)
        return path

    def find(self, key: bytes) -> StoredHTML | None:
        entry = self.index.get(key)
        if entry is None:
            return None
        self.used.add(key)
        name, offset, length = entry
        return StoredHTML(self._path(name), offset, length, key)

    def add(self, key: bytes, html: str) -> StoredHTML:
        data = html.encode("utf-8")
        if self._fd_pid != os.getpid():
            # A new file for this process (a forked worker must not append to its parent's).
            self._name = f"{TEXT_PREFIX}{os.getpid()}-{os.urandom(6).hex()}{TEXT_SUFFIX}"
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | _BINARY
            os.makedirs(self.folder, 0o700, exist_ok=True)
            self._fd = os.open(self._path(self._name), flags, 0o600)
            self._fd_pid = os.getpid()
            self._size = 0
        offset = self._size
        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view) :]
        self._size += len(data)
        entry = (self._name, offset, len(data))
        self.index[key] = self.new[key] = entry
        self.used.add(key)
        return StoredHTML(self._path(self._name), offset, len(data), key)

    def merge(self, new: Mapping[bytes, TextEntry], used: Iterable[bytes]) -> None:
        """Take in what a worker process added and used."""
        for key, entry in new.items():
            known = self.index.get(key)
            if known is not None and known != entry:
                # Two workers rendered the same text: listings point into both files.
                self.also_kept.add(entry[0])
                continue
            self.index[key] = self.new[key] = entry
        self.used.update(used)

    def take_changes(self) -> tuple[dict[bytes, TextEntry], set[bytes]]:
        """(entries added, keys used) since the last call, forgotten here (a worker sends them to
        the build process after each part of its work)."""
        new, used = self.new, self.used
        self.new, self.used = {}, set()
        return new, used

    def close(self) -> None:
        if self._fd >= 0 and self._fd_pid == os.getpid():
            os.close(self._fd)
        self._fd, self._fd_pid = -1, 0

    def save(self) -> None:
        """Keep the entries this build used, and delete data files nothing points into."""
        self.close()
        if not self.new and not self.also_kept and len(self.used) == len(self.index):
            return
        kept = {key: self.index[key] for key in self.used if key in self.index}
        _write(self.folder / TEXT_INDEX, {"version": _version_key(), "entries": kept})
        _remove_unused_text_files(self.folder, {name for name, _, _ in kept.values()} | self.also_kept)


def _text_files(folder: Path) -> list[Path]:
    try:
        return [p for p in folder.iterdir() if p.name.startswith(TEXT_PREFIX) and p.name.endswith(TEXT_SUFFIX)]
    except OSError:
        return []


def _remove_unused_text_files(folder: Path, names: set[str]) -> None:
    for path in _text_files(folder):
        if path.name not in names:
            path.unlink(missing_ok=True)
    (folder / "markdown.bin").unlink(missing_ok=True)  # the in-memory cache of earlier versions


def open_text_store(folder: Path) -> TextStore:
    """The rendered Markdown of earlier builds (an empty store if there is none, or it was made
    by other versions). If most of the data files is text no longer used, the used entries are
    copied to a new file first."""
    data = _read(folder / TEXT_INDEX)
    index: dict[bytes, TextEntry] = {}
    if isinstance(data, dict) and data.get("version") == _version_key() and isinstance(data.get("entries"), dict):
        sizes: dict[str, int] = {}
        for path in _text_files(folder):
            try:
                sizes[path.name] = path.stat().st_size
            except OSError:
                continue
        index = {
            key: entry
            for key, entry in data["entries"].items()
            if entry[0] in sizes and entry[1] + entry[2] <= sizes[entry[0]]
        }
        used = sum(length for _, _, length in index.values())
        if sum(sizes.values()) > 2 * used + COMPACT_SLACK:
            index = _compact(folder, index)
    return TextStore(folder, index)


def _compact(folder: Path, index: dict[bytes, TextEntry]) -> dict[bytes, TextEntry]:
    """Copy the entries of ``index`` into one new data file (one at a time: never all in memory)."""
    store = TextStore(folder, {})
    try:
        for key, (name, offset, length) in sorted(index.items(), key=lambda item: item[1]):
            store.add(key, str(StoredHTML(os.path.join(folder, name), offset, length, key)))
    except (OSError, UnicodeDecodeError):
        store.close()
        return {}
    store.used = set(store.index)
    store.save()
    return store.index


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

PAGES_FORMAT = "pages 4"
"""Changed with what a page key hashes (4: the hash of depends.PageInputs)."""


@functools.lru_cache(maxsize=1)
def _pages_version() -> str:
    """What stored page keys are valid for: the libraries (_version_key) and makerfront's own code,
    which a public page's key does not hash the results of (depends.py): a page cache made by other
    code is not used, even between two commits of the same version."""
    import hashlib

    code = hashlib.blake2b(digest_size=16)
    package = Path(__file__).parent
    for path in sorted(package.glob("*.py")):
        code.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return f"{_version_key()}; {PAGES_FORMAT}; code {code.hexdigest()}"


def load_pages(folder: Path) -> dict[str, PageEntry]:
    data = _read(folder / "pages.bin")
    if isinstance(data, dict) and data.get("version") == _pages_version() and isinstance(data.get("pages"), dict):
        pages: dict[str, PageEntry] = data["pages"]
        return pages
    return {}


def save_pages(folder: Path, pages: Mapping[str, PageEntry]) -> None:
    _write(folder / "pages.bin", {"version": _pages_version(), "pages": dict(pages)})


# -- input fingerprint ----------------------------------------------------------------------------


def _stamp(st: os.stat_result) -> Stamp:
    return (st.st_mode, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def fingerprint(roots: Iterable[Path]) -> Fingerprint:
    """The Stamp of every file under each root (hidden files included: a theme's or the
    content's, all can matter), read with lstat like git. A symlink to a folder right inside a
    root is recorded and followed (a theme may be one: themes/mine -> elsewhere); one deeper is
    recorded, not followed: a build refuses what such a link leads to outside its root, and a
    downloaded theme's `templates/x -> /` must not make every build walk the whole disk.
    Unreadable or missing roots count as empty."""
    found: Fingerprint = {}
    followed: set[tuple[int, int]] = set()

    def walk(folder: str, depth: int = 0) -> None:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            return
        for entry in entries:
            if entry.name == CACHE_DIR or entry.name == "__pycache__":
                continue
            try:
                if entry.is_symlink():
                    link = _stamp(entry.stat(follow_symlinks=False))
                    try:
                        target = os.stat(entry.path)
                    except OSError:  # leads nowhere
                        found[entry.path] = link
                        continue
                    if not stat.S_ISDIR(target.st_mode):
                        found[entry.path] = link + _stamp(target)
                        continue
                    found[entry.path] = link
                    if depth == 0 and (target.st_dev, target.st_ino) not in followed:  # a loop of links
                        followed.add((target.st_dev, target.st_ino))
                        walk(entry.path, depth + 1)
                elif entry.is_dir(follow_symlinks=False):
                    walk(entry.path, depth + 1)
                else:
                    found[entry.path] = _stamp(entry.stat(follow_symlinks=False))
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
        # GENERATOR_DIR holds the built-in themes too (theme.BUILTIN_THEMES).
        return [self.content, self.themes, GENERATOR_DIR]


@dataclass(slots=True)
class Summary:
    """What the last successful build reported, repeated when nothing changed."""

    pages: int = 0
    files: int = 0
    notes: list[str] = field(default_factory=list)


def _fingerprint_digest(inputs: Fingerprint) -> bytes:
    return _digest("\n".join(f"{path}\0{' '.join(map(str, stamp))}" for path, stamp in sorted(inputs.items())))


def _outputs_digest(stats: Iterable[tuple[str, int, int]]) -> bytes:
    return _digest("\n".join(f"{rel}\0{size}\0{mtime}" for rel, size, mtime in stats))


@dataclass(frozen=True, slots=True)
class InputsSeen:
    """What record_inputs needs of a Fingerprint: kept during a build instead of the fingerprint
    itself (a path and two numbers for every file of a large shop)."""

    digest: bytes
    newest: int
    """Newest mtime_ns of all the files (symlinks: and of what they lead to)."""


def inputs_seen(inputs: Fingerprint) -> InputsSeen:
    # As git, a file is racy by its mtime: an edit within one tick of the fingerprint that also
    # puts the old mtime back is the one change left unseen.
    newest = max((max(stamp[2::5]) for stamp in inputs.values()), default=0)
    return InputsSeen(_fingerprint_digest(inputs), newest)


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
            st = os.lstat(f"{base}/{rel}")
        except OSError:
            return False
        if not stat.S_ISREG(st.st_mode):  # replaced by a link or a folder
            return False
        stats.append((rel, st.st_size, st.st_mtime_ns))
    return _outputs_digest(stats) == expected


def now() -> float:
    return time.time()


# -- processed photos -----------------------------------------------------------------------------

IMAGES_DIR = "images"
_SOURCES_FILE = "sources"


class ImageCache:
    """The files the image step made of each photo, in `images/<key>/` (images.cache_key: the
    source's bytes, the settings, where the files go), with `meta` (the photo's size and files).
    A photo unchanged since the last build costs a stat: its bytes' hash is remembered by the
    file's stamp (size, mtime, ctime, inode), and its files are published from here as they are.
    Entries no build used last time are deleted (prune). The `meta` of every entry is also kept
    in one index file, read once per build: a shop of 200 photos would otherwise read 200 files.
    An entry's folder is renamed into place whole, so one that exists holds all its files."""

    def __init__(self, folder: Path) -> None:
        self.root = folder / IMAGES_DIR
        found = _read(self.root / _SOURCES_FILE)
        self._sources: dict[str, tuple[tuple[int, ...], bytes]] = {}
        self._index: dict[str, Any] = {}
        if isinstance(found, dict) and found.get("version") == _version_key():
            self._sources = found.get("sources", {})
            self._index = found.get("index", {})
        self._seen: dict[str, tuple[tuple[int, ...], bytes]] = {}

    def _folder(self, key: str) -> Path:
        # The libraries' versions too: a new encoder makes other bytes.
        return self.root / _digest(f"{key}|{_version_key()}").hex()

    def source_digest(self, path: Path) -> bytes:
        import hashlib

        st = os.stat(path)
        stamp = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        key = os.fspath(path)
        known = self._sources.get(key)
        if known is not None and tuple(known[0]) == stamp and time.time() - st.st_mtime > RACY_SECONDS:
            self._seen[key] = known
            return known[1]
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
        digest = h.digest()
        self._seen[key] = (stamp, digest)
        return digest

    def load(self, key: str) -> tuple[object, dict[str, Path], dict[str, bytes]] | None:
        """(meta, output path -> its file here, output path -> its content hash), or None."""
        folder = self._folder(key)
        meta = self._index.get(folder.name)
        if meta is None or not os.path.isdir(folder):
            meta = _read(folder / "meta")
        if not isinstance(meta, tuple) or len(meta) != 2 or not isinstance(meta[1], tuple):
            return None
        self._index[folder.name] = meta
        files: dict[str, Path] = {}
        digests: dict[str, bytes] = {}
        for entry in meta[1]:
            if not isinstance(entry, tuple) or len(entry) != 3:
                return None  # made by another version
            output, name, digest = entry
            files[output] = folder / name
            digests[output] = digest
        return meta[0], files, digests

    def store(self, key: str, meta: object, files: Mapping[str, bytes]) -> dict[str, Path]:
        """Keep ``files`` (output path -> bytes) under ``key``; their paths in the cache. Called
        from worker processes too: each key is written by one process, into a folder of its own."""
        import shutil

        folder = self._folder(key)
        tmp = self.root / f".{folder.name}.{os.getpid()}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp, 0o700)
        import hashlib

        names: list[tuple[str, str, bytes]] = []
        for i, (output, data) in enumerate(files.items()):
            name = f"{i}{os.path.splitext(output)[1]}"
            fd = os.open(tmp / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _BINARY, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            # write.content_digest: the writer then tells an unchanged file without reading it.
            names.append((output, name, hashlib.blake2b(data, digest_size=16).digest()))
        _write(tmp / "meta", (meta, tuple(names)))
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(tmp, folder)
        return {output: folder / name for output, name, _ in names}

    def finish(self, used: Iterable[str]) -> None:
        """Remember the sources' hashes and the entries' meta, and delete every entry this build
        did not use."""
        import shutil

        keep = {self._folder(key).name for key in used}
        index = {}
        for name in keep:
            meta = self._index.get(name)
            if meta is None:  # made this build, in a worker
                meta = _read(self.root / name / "meta")
            if meta is not None:
                index[name] = meta
        if self.root.is_dir():
            with os.scandir(self.root) as scan:
                stale = [e.path for e in scan if e.is_dir(follow_symlinks=False) and e.name not in keep]
            for path in stale:
                shutil.rmtree(path, ignore_errors=True)
        if self._seen or self._sources or index:
            _write(self.root / _SOURCES_FILE, {"version": _version_key(), "sources": self._seen, "index": index})
