"""The only module that writes the built site to disk.

Everything is rendered and checked first (in memory, or as files in a spool folder outside the
output); only a complete, error-free build reaches this module. It then puts the new site in
place in one step, so that whatever stops the process at whatever moment (SIGKILL, a CI timeout,
a closed terminal, a full disk), the output folder is exactly the last build or exactly this one:

1. The new site is made as a complete folder outside the output folder, on the same disk, inside
   a folder only its owner can read (the build cache, which holds the spool; else a
   `.<output name>.makerfront-work/` folder beside the output): a file that has not changed is a
   hard link to the output's own file (same bytes and modification time, nothing copied, so
   `rsync` and `aws s3 sync` still upload only what changed); the others are written there.
2. That folder and the output folder swap places in one atomic rename: Linux
   `renameat2(RENAME_EXCHANGE)`, macOS `renamex_np(RENAME_SWAP)`. A first build simply renames
   its folder into place.
3. The old site, now where the new one was made, is deleted.

A build killed before step 2 leaves the new folder in the private folder, one killed after it the
old one: the next sync deletes either first (finish_interrupted). Nothing of makerfront's but the
marker file is ever inside the output folder.

Where the output folder cannot be swapped (it is a mount point, such as a container's volume; the
system or the disk has no atomic exchange; no private folder can be made on its disk), the
changed files are still made outside it first; then a journal in the private folder lists what
goes where and what goes away, and the files are moved in one by one. The next sync completes an
interrupted journal before anything else: such an output is mixed from the moment a build is
killed until the next one starts.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import marshal
import os
import re
import secrets
import shutil
import stat
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

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


FOLDER_MODE = 0o755
FILE_MODE = 0o644
"""Modes of everything in the output folder, whatever the umask: a web server running as another
user must be able to read it."""

SPOOL_PREFIX = "spool-"
"""Name of the spool folders pipeline.build_to makes in the build cache (new_spool)."""
_TREE_PREFIX = "new-"
"""Name of a new site's folder this module makes in a private folder (when no spool is used)."""
_JOURNAL = "write-journal"
_JOURNAL_TREE = "write-journal-files"
"""In a private folder: the journal of a sync done file by file, and the files it moves in."""
_STANDBY = "standby"
_STANDBY_RECORD = "standby-files"
"""In a private folder: the output as the last build found it, kept (minus what the new site does
not share with it) to be made into the next build's site, and the record of what it holds.
Making a new folder tree and deleting the old one each time costs more than the build on some
disks (deleting a folder took 3 ms on one with online discard)."""
_WORK_SUFFIX = ".makerfront-work"

PAUSE_VARIABLE = "MAKERFRONT_TEST_WRITE_PAUSE"
"""For tests only (tests/test_atomic_output.py): see _Checkpoints."""


def write_file(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (created or truncated; its folder made if missing), readable by
    web servers (0644) whatever the umask: for files no reader sees before they are moved into
    place (the spool, see sync_site). Each page of a build has a folder of its own, so the folder
    is made first (on a clean build it never exists yet). Folders get the umask's mode here:
    sync_site gives every folder of the new site 0755."""
    folder = os.path.dirname(path)
    if folder:
        try:
            os.mkdir(folder)
        except FileExistsError:
            pass
        except FileNotFoundError:
            os.makedirs(folder, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _BINARY, FILE_MODE)
    try:
        # Only an unusual umask (027, 077) needs a change of mode: it is a write to the disk's
        # journal, and a clean build of a large shop creates tens of thousands of files.
        if os.fstat(fd).st_mode & 0o777 != FILE_MODE:
            os.fchmod(fd, FILE_MODE)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _is_empty(folder: str | Path) -> bool:
    with os.scandir(folder) as entries:
        return next(entries, None) is None


def write_site(outputs: Mapping[str, Content], out: Path) -> WriteStats:
    stats, _ = sync_site(outputs, out, {})
    return stats


Manifest = dict[str, tuple[int, int, bytes]]
"""Output path -> (size, mtime_ns, hash) of the file as this module last wrote or checked it."""


def content_digest(data: bytes) -> bytes:
    """Short content hash of an output, for the manifest and the page cache."""
    return hashlib.blake2b(data, digest_size=16).digest()


# -- private folders ------------------------------------------------------------------------------


def _real_output(out: Path) -> Path:
    """The folder to replace: ``out`` made absolute, or where it leads if it is a symlink (the
    link stays; what it points to is swapped)."""
    return Path(os.path.realpath(out)) if os.path.islink(out) else Path(os.path.abspath(out))


def _beside(real: Path) -> Path:
    """The private folder beside the output, for when no other is given or on its disk."""
    return real.parent / f".{real.name}{_WORK_SUFFIX}"


def _private_folder(path: Path) -> Path:
    """``path``, made if missing, readable by its owner only (it holds private listings' pages)."""
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        if not path.is_dir() or path.is_symlink():
            raise
    if stat.S_IMODE(os.stat(path).st_mode) != 0o700:
        os.chmod(path, 0o700)
    return path


def new_spool(work: Path) -> Path:
    """A new, empty folder in the private folder ``work`` (the build cache) for the rendered pages
    of one build, at their places in the site: sync_site makes the new site in it. Made with a
    plain mkdir, so its mode shows the umask (sync_site gives every folder 0755 if that is not
    it); inside ``work`` no one else can read it anyway."""
    while True:
        spool = work / f"{SPOOL_PREFIX}{secrets.token_hex(8)}"
        try:
            spool.mkdir()
        except FileExistsError:  # pragma: no cover - 64 random bits
            continue
        return spool


def finish_interrupted(out: Path, work: Path | None = None, keep: Path | None = None) -> None:
    """Before anything else: complete a sync of ``out`` that was stopped part way through its
    journal, then delete what stopped syncs left in the private folders (``work`` and the one
    beside the output): new sites never swapped in, old ones never deleted, spools. ``keep``:
    the spool of the build now running."""
    real = _real_output(out)
    beside = _beside(real)
    for folder in dict.fromkeys((work or beside, beside)):
        journal = _read_marshal(folder / _JOURNAL)
        if journal is not None:
            if isinstance(journal, dict) and journal.get("output") == str(real):
                _apply_journal(journal, _Checkpoints())
            (folder / _JOURNAL).unlink(missing_ok=True)
        try:
            with os.scandir(folder) as scan:
                left = [e.path for e in scan if e.name.startswith((SPOOL_PREFIX, _TREE_PREFIX, _JOURNAL_TREE))]
        except (FileNotFoundError, NotADirectoryError):
            continue
        for path in left:
            if keep is None or path != os.fspath(keep):
                shutil.rmtree(path, ignore_errors=True)
        if folder == beside and folder != work:
            try:
                folder.rmdir()  # only if empty
            except OSError:
                pass


# -- the atomic exchange --------------------------------------------------------------------------

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2  # Linux <linux/fs.h>
_RENAME_SWAP = 2  # macOS <stdio.h>
_CANNOT_EXCHANGE = {errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EBUSY}
"""What the call answers where the kernel, the disk (NFS, FAT...) or a mount point does not allow
the exchange: then nothing has changed."""


@functools.lru_cache(maxsize=1)
def _exchange_call() -> Callable[[bytes, bytes], int] | None:
    """libc's atomic exchange of two paths, or None where the system has none."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:  # pragma: no cover - Windows
        return None
    if sys.platform.startswith("linux"):
        renameat2 = getattr(libc, "renameat2", None)  # glibc 2.28 and later, musl 1.2.4
        if renameat2 is None:  # pragma: no cover
            return None
        renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
        renameat2.restype = ctypes.c_int
        return lambda a, b: int(renameat2(_AT_FDCWD, a, _AT_FDCWD, b, _RENAME_EXCHANGE))
    if sys.platform == "darwin":  # pragma: no cover - not run by CI
        renamex_np = getattr(libc, "renamex_np", None)  # macOS 10.12 and later
        if renamex_np is None:
            return None
        renamex_np.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint]
        renamex_np.restype = ctypes.c_int
        return lambda a, b: int(renamex_np(a, b, _RENAME_SWAP))
    return None  # pragma: no cover - other systems: the journal


def can_exchange() -> bool:
    """Whether this system has an atomic exchange at all (a disk may still refuse it)."""
    return _exchange_call() is not None


def exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths in one atomic step. False, with nothing changed, where the system,
    the disk or a mount point does not allow it."""
    call = _exchange_call()
    if call is None:
        return False
    if call(os.fsencode(a), os.fsencode(b)) == 0:
        return True
    import ctypes

    code = ctypes.get_errno()
    if code in _CANNOT_EXCHANGE:
        return False
    raise OSError(code, os.strerror(code), os.fspath(a), None, os.fspath(b))


# -- test hook ------------------------------------------------------------------------------------


class _Checkpoints:
    """A test hook: with $MAKERFRONT_TEST_WRITE_PAUSE=N, the write step stops for good at its N-th
    checkpoint (after each file it places or removes, before and after the exchange) and says so
    on stderr, so a test can kill the process at that very moment; with `count`, it says at the
    end how many it passed, and which are which: `... passed 7 checkpoints: 1-5 new site,
    6 exchange, 7 exchanged`. Without the variable it does nothing."""

    __slots__ = ("passed", "phases", "stop_at")

    def __init__(self) -> None:
        value = os.environ.get(PAUSE_VARIABLE, "")
        self.passed = 0
        self.phases: list[list[str | int]] | None = [] if value == "count" else None
        self.stop_at = int(value) if value.isdigit() else 0

    def __call__(self, label: str) -> None:
        self.passed += 1
        if self.phases is not None:
            if self.phases and self.phases[-1][0] == label:
                self.phases[-1][2] = self.passed
            else:
                self.phases.append([label, self.passed, self.passed])
        if self.passed == self.stop_at:
            sys.stderr.write(f"makerfront: write step paused at checkpoint {self.passed} ({label})\n")
            sys.stderr.flush()
            while True:
                time.sleep(3600)

    def done(self) -> None:
        if self.phases is not None:
            runs = ", ".join(f"{a}-{b} {label}" if a != b else f"{a} {label}" for label, a, b in self.phases)
            sys.stderr.write(f"makerfront: write step passed {self.passed} checkpoints: {runs}\n")
            sys.stderr.flush()


# -- sync -----------------------------------------------------------------------------------------


def sync_site(
    outputs: Mapping[str, Content],
    out: Path,
    previous: Manifest,
    digests: Mapping[str, bytes] | None = None,
    spool: Path | None = None,
    work: Path | None = None,
) -> tuple[WriteStats, Manifest]:
    """Make ``out`` hold exactly ``outputs`` (see the module docstring), and return the new
    manifest. ``previous``: the manifest of the last sync: a file whose size and mtime are as
    recorded is compared by hash, without reading it back. A sync with nothing to change touches
    nothing.

    ``digests``: content_digest of outputs the caller already knows (files are then read only if
    they must be compared or copied, one at a time, and a file whose bytes no longer have that
    digest is an error). ``spool``: a folder (new_spool) of pages the build wrote at their places
    for this sync alone; they are moved, not copied. ``work``: a private folder outside the output
    (the build cache) for the new site, the standby and the journal; else one beside the output.

    An error before the exchange leaves the output folder as it was."""
    names = sorted(outputs)
    for rel in names:
        check_output_path(rel)
    known = digests or {}
    real = _real_output(out)
    if work is None:
        work = _beside(real)
    finish_interrupted(out, work, keep=spool)
    if os.path.lexists(real) and not os.path.isdir(real):
        raise SiteError("the output path exists and is not a folder", path=out)
    exists = os.path.isdir(real)
    old = exists and not _is_empty(real)
    if old and not os.path.lexists(real / MARKER):
        raise SiteError(
            "refusing to build into this folder: it has files makerfront did not make",
            path=out,
            hint="choose an empty or new folder with --output (every file not part of the site would be deleted)",
        )
    cp = _Checkpoints()
    manifest: Manifest = {}
    changed: dict[str, bytes | None] = {}
    """Output path -> its digest, if known (else it is worked out when the file is written)."""
    inodes: dict[str, tuple[int, int]] = {}
    """Unchanged output path -> (device, inode) of its file in the output folder."""
    stale: list[str] = []
    folders: set[str] = set()
    if old:
        linked: dict[str, bool] = {}
        for rel in names:
            content = outputs[rel]
            digest = known.get(rel)
            data: bytes | None = None
            if digest is None:
                data = read_content(content)
                digest = content_digest(data)
            loader = data if data is not None else functools.partial(_checked, rel, content, digest)
            if not _unchanged(real, rel, loader, digest, previous.get(rel), manifest, linked, inodes):
                changed[rel] = digest
        stale, folders = _contents(real, set(names) | {MARKER})
        if not changed and not stale and folders <= _folders_of(names):
            cp.done()
            return WriteStats(written=0, unchanged=len(names), removed=0), manifest
    else:
        changed = {rel: known.get(rel) for rel in names}
    stats = WriteStats(written=len(changed), unchanged=len(names) - len(changed), removed=len(stale))
    os.makedirs(real.parent, exist_ok=True)
    home = None if old and (os.path.ismount(real) or not can_exchange()) else _tree_home(real, work)
    if home is None:
        _drop_standby(work, _beside(real))
        holder = _private_folder(work)
        _make_files(holder / _JOURNAL_TREE, names, outputs, changed, spool, manifest)
    else:
        modes_known = False
        if old:
            tree = home / _STANDBY
            modes_known = _refresh_standby(tree, real, names, outputs, changed, inodes, spool, manifest, cp)
        else:
            tree = spool if spool is not None and spool.parent == home else _new_folder(home)
            try:
                _make_site(tree, names, outputs, changed, spool, manifest, cp)
            except BaseException:
                if tree != spool:
                    shutil.rmtree(tree, ignore_errors=True)
                raise
        cp("exchange")
        swapped = _swap(tree, real, exists)
        if swapped is not None:
            cp("exchanged")
            if swapped == "exchanged" and old:
                # The old output is now the standby: what the new site does not share with it goes.
                _prune_standby(tree, home, changed, stale, folders, inodes, modes_known, cp)
            elif swapped == "exchanged":
                os.rmdir(tree)  # the empty folder that was the output
            cp.done()
            return stats, manifest
        # The disk or a mount point refused the exchange: the new site's files are moved in.
        holder = home
        os.replace(tree, holder / _JOURNAL_TREE)
    _sync_by_journal(real, holder, names, changed, stale, folders, manifest, cp)
    cp.done()
    return stats, manifest


def _checked(rel: str, content: Content, digest: bytes) -> bytes:
    """The bytes of an output whose digest the caller gave, read now and checked against it."""
    found = read_content(content)
    if content_digest(found) != digest:
        raise SiteError(f"{rel} changed while the site was being built", hint="build again")
    return found


def _same_disk(a: Path, b: Path) -> bool:
    return os.stat(a).st_dev == os.stat(b).st_dev


def _tree_home(real: Path, work: Path) -> Path | None:
    """A private folder on the output's disk, outside it, for the new site: ``work`` if it is on
    that disk, else the one beside the output. None if there is none (no permission to make one
    there): the journal is used."""
    for folder in dict.fromkeys((work, _beside(real))):
        try:
            _private_folder(folder)
        except PermissionError:
            continue
        if _same_disk(folder, real.parent):
            return folder
    return None


def _new_folder(home: Path) -> Path:
    tree = home / f"{_TREE_PREFIX}{secrets.token_hex(8)}"
    tree.mkdir()
    return tree


def _folders_of(names: Iterable[str]) -> set[str]:
    """Every folder the site has (relative paths; "" is the output folder itself)."""
    folders = {""}
    for rel in names:
        folder = rel.rpartition("/")[0]
        while folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    return folders


class _Folders:
    """Makes the folders of a new site, each 0755 whatever the umask."""

    def __init__(self, base: str, existing: Iterable[str], umask_ok: bool | None) -> None:
        self.base = base
        self.made = set(existing) | {""}
        self.umask_ok = umask_ok
        """Whether a plain mkdir gives 0755 (None: not known yet)."""

    def need(self, folder: str) -> None:
        if folder in self.made:
            return
        parts = folder.split("/")
        for i in range(1, len(parts) + 1):
            name = "/".join(parts[:i])
            if name in self.made:
                continue
            path = f"{self.base}/{name}"
            try:
                os.mkdir(path, FOLDER_MODE)
            except FileExistsError:
                pass
            else:
                if self.umask_ok is None:
                    self.umask_ok = stat.S_IMODE(os.stat(path).st_mode) == FOLDER_MODE
                if not self.umask_ok:
                    os.chmod(path, FOLDER_MODE)
            self.made.add(name)


def _make_site(
    tree: Path,
    names: list[str],
    outputs: Mapping[str, Content],
    changed: dict[str, bytes | None],
    spool: Path | None,
    manifest: Manifest,
    cp: _Checkpoints,
) -> None:
    """A first build's site in ``tree``, a new folder (or the spool, its pages at their places)."""
    base = os.fspath(tree)
    # The tree was made by a plain mkdir: its mode shows whether the umask gives folders 0755
    # (the spool's folders were made by the build's workers, with the same umask).
    umask_ok = stat.S_IMODE(os.stat(base).st_mode) == FOLDER_MODE
    folders = _Folders(base, (), umask_ok)
    for rel in names:
        folders.need(rel.rpartition("/")[0])
        _put(rel, outputs[rel], f"{base}/{rel}", changed[rel], spool, manifest)
        cp("new site")
    write_file(f"{base}/{MARKER}", b"")
    if not umask_ok:
        for folder in folders.made:
            os.chmod(f"{base}/{folder}" if folder else base, FOLDER_MODE)


def _refresh_standby(
    tree: Path,
    real: Path,
    names: list[str],
    outputs: Mapping[str, Content],
    changed: dict[str, bytes | None],
    inodes: dict[str, tuple[int, int]],
    spool: Path | None,
    manifest: Manifest,
    cp: _Checkpoints,
) -> bool:
    """Make the standby (or a new folder, if there is none) exactly the new site: unchanged files
    are hard links to the output's own (those already linked are left alone), changed ones are
    written, anything else is removed.

    What the standby holds is read from the record _prune_standby left; without one (a build
    stopped while changing it, or none yet) it is looked at, and its folders given 0755. Returns
    whether there was a record: then every folder of the standby and of the output is 0755."""
    home = tree.parent
    record = _read_marshal(home / _STANDBY_RECORD)
    (home / _STANDBY_RECORD).unlink(missing_ok=True)  # from here on it changes
    trusted = (
        isinstance(record, dict) and isinstance(record.get("files"), dict) and isinstance(record.get("folders"), list)
    )
    files: set[str]
    folders: set[str]
    linked: dict[str, int] = {}
    """File -> its inode, as the record has it: a hard link to the output's file of that inode."""
    try:
        st = os.lstat(tree)
    except FileNotFoundError:
        tree.mkdir(0o700)  # 0755 once its files are in place
        files, folders = set(), {""}
    else:
        if not stat.S_ISDIR(st.st_mode):
            os.unlink(tree)
            tree.mkdir(0o700)
            files, folders = set(), {""}
        elif trusted:
            assert isinstance(record, dict)
            linked, folders = record["files"], set(record["folders"])
            files = set(linked)
        else:
            found, folders = _contents(tree, set())
            files = set(found)
            for folder in folders:
                os.chmod(f"{tree}/{folder}" if folder else tree, FOLDER_MODE)
    base = os.fspath(tree)
    keep = set(names) | {MARKER}
    site_folders = _folders_of(names)
    for folder in sorted(folders - site_folders):  # a folder before what is in it
        if os.path.lexists(f"{base}/{folder}"):
            shutil.rmtree(f"{base}/{folder}", ignore_errors=True)
    for rel in files - keep:
        try:
            os.unlink(f"{base}/{rel}")
        except (FileNotFoundError, NotADirectoryError):
            pass  # in a folder removed above
    made = _Folders(base, folders & site_folders, None)
    old = os.fspath(real)
    for rel in names:
        made.need(rel.rpartition("/")[0])
        target = f"{base}/{rel}"
        if rel in changed:
            _put(rel, outputs[rel], target, changed[rel], spool, manifest)
        elif linked.get(rel) != inodes[rel][1] and not _same_inode(target, inodes[rel]):
            _link(f"{old}/{rel}", target)
        cp("new site")
    marker = f"{base}/{MARKER}"
    st = os.lstat(f"{old}/{MARKER}")
    if not _same_inode(marker, (st.st_dev, st.st_ino)):
        _link(f"{old}/{MARKER}", marker)  # its mtime too stays as it was
    os.chmod(tree, FOLDER_MODE)
    return trusted


def _same_inode(path: str, inode: tuple[int, int]) -> bool:
    try:
        st = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return False
    return (st.st_dev, st.st_ino) == inode


def _prune_standby(
    tree: Path,
    home: Path,
    changed: dict[str, bytes | None],
    stale: list[str],
    folders: set[str],
    inodes: dict[str, tuple[int, int]],
    modes_known: bool,
    cp: _Checkpoints,
) -> None:
    """The old output, just swapped out, is kept as the next build's standby, minus what the new
    site does not share with it (old versions of changed files, files it no longer has, such as an
    expired private listing's page): then it holds nothing that is not in the output too. Its
    folders stay (deleting a folder costs more than keeping it). What it now holds is recorded,
    for the next build. ``modes_known``: its folders are 0755 (_refresh_standby); else they are
    made so, since they become the output's again (an older makerfront made them with the
    umask's mode)."""
    base = os.fspath(tree)
    os.chmod(base, 0o700)  # while it waits: it holds private listings' pages (0755 again when swapped in)
    if not modes_known:
        for folder in folders:
            if folder:
                os.chmod(f"{base}/{folder}", FOLDER_MODE)
    for rel in (*changed, *stale):
        try:
            os.unlink(f"{base}/{rel}")
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            pass
        cp("standby")
    _write_marshal(
        home / _STANDBY_RECORD, {"files": {rel: ino for rel, (_, ino) in inodes.items()}, "folders": sorted(folders)}
    )


def _drop_standby(*homes: Path) -> None:
    for home in homes:
        (home / _STANDBY_RECORD).unlink(missing_ok=True)
        if os.path.lexists(home / _STANDBY):
            shutil.rmtree(home / _STANDBY, ignore_errors=True)


def _put(rel: str, content: Content, target: str, digest: bytes | None, spool: Path | None, manifest: Manifest) -> None:
    """Put one changed output at ``target`` and record it in the manifest. A spooled page is moved
    there as it is (the leak guard read it); anything else is read, checked against its digest if
    one is known, and written. Whatever is at ``target`` is replaced, never written through: it
    may be a hard link to a file of the output."""
    if isinstance(content, Path) and digest is not None and spool is not None and content == spool / rel:
        moved = True
        if os.fspath(content) != target:
            try:
                os.replace(content, target)
            except OSError as exc:
                if exc.errno != errno.EXDEV:
                    raise
                moved = False  # another disk: copied below
        if moved:
            st = os.stat(target)
            manifest[rel] = (st.st_size, st.st_mtime_ns, digest)
            return
    data = content if isinstance(content, bytes) else read_content(content)
    found = content_digest(data)
    if digest is not None and found != digest:
        raise SiteError(f"{rel} changed while the site was being built", hint="build again")
    try:
        os.unlink(target)
    except FileNotFoundError:
        pass
    write_file(target, data)
    st = os.stat(target)
    manifest[rel] = (st.st_size, st.st_mtime_ns, found)


_NO_LINK = {errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EACCES}
"""Why a hard link may be refused (a disk without them, too many links to one file): the file is
copied instead, with its modification time."""


def _link(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except FileExistsError:
        os.unlink(target)
        os.link(source, target)
    except OSError as exc:
        if exc.errno not in _NO_LINK:
            raise
        try:
            os.unlink(target)
        except FileNotFoundError:
            pass
        shutil.copy2(source, target)


def _swap(tree: Path, real: Path, exists: bool) -> str | None:
    """Put ``tree`` at ``real`` in one step: "exchanged" (what was at ``real`` is now at ``tree``)
    or "renamed" (there was nothing); None, with nothing changed, when the exchange is refused."""
    if exists:
        if exchange(tree, real):
            return "exchanged"
        if not _is_empty(real) or os.path.ismount(real):
            return None
        os.rmdir(real)  # the folder of no build: there is no old site to keep
    try:
        os.rename(tree, real)
    except OSError as exc:
        if exc.errno not in _CANNOT_EXCHANGE:
            raise
        return None
    return "renamed"


def _contents(folder: Path, keep: set[str]) -> tuple[list[str], set[str]]:
    """What ``folder`` holds beyond ``keep``: (its files and symlinks, sorted; all its folders, ""
    included). Symlinks are not followed. (Entry types come with the folder listing: no stat
    call per entry.)"""
    stale: list[str] = []
    folders = {""}
    todo = [(os.fspath(folder), "")]
    while todo:
        path, prefix = todo.pop()
        with os.scandir(path) as scan:
            for entry in scan:
                rel = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    folders.add(rel)
                    todo.append((entry.path, rel + "/"))
                elif rel not in keep:
                    stale.append(rel)
    return sorted(stale), folders


def _write_marshal(path: Path, value: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _BINARY, 0o600), "wb") as fh:
        marshal.dump(value, fh)
    os.replace(tmp, path)


def _read_marshal(path: Path) -> object:
    """What _write_marshal wrote; None if there is no such file, {} if it cannot be read."""
    try:
        with path.open("rb") as fh:
            return marshal.load(fh)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, EOFError, ValueError, TypeError):
        return {}


# -- file by file, with a journal -----------------------------------------------------------------

Journal = dict[str, Any]
"""output: the output folder; tree: the folder of the changed files; place: their paths, to move
into the output; remove: files and links of the output the site does not have; folders: its
folders the site does not have (removed once empty)."""


def _make_files(
    tree: Path,
    names: list[str],
    outputs: Mapping[str, Content],
    changed: dict[str, bytes | None],
    spool: Path | None,
    manifest: Manifest,
) -> None:
    """The changed files alone, in ``tree`` (for the journal); spooled pages are moved there."""
    tree.mkdir()
    base = os.fspath(tree)
    folders = _Folders(base, (), None)
    for rel in names:
        if rel in changed:
            folders.need(rel.rpartition("/")[0])
            _put(rel, outputs[rel], f"{base}/{rel}", changed[rel], spool, manifest)


def _sync_by_journal(
    real: Path,
    holder: Path,
    names: list[str],
    changed: dict[str, bytes | None],
    stale: list[str],
    folders: set[str],
    manifest: Manifest,
    cp: _Checkpoints,
) -> None:
    """Move the changed files (in ``holder``/_JOURNAL_TREE) into the output one by one and remove
    what the site does not have (``stale`` files, and ``folders`` it does not need), after writing
    all that down in a journal: if the process is stopped part way, finish_interrupted does the
    rest before anything else."""
    journal: Journal = {
        "output": str(real),
        "tree": str(holder / _JOURNAL_TREE),
        "place": [rel for rel in names if rel in changed],
        "remove": stale,
        "folders": sorted(folders - _folders_of(names)),
    }
    _write_journal(holder / _JOURNAL, journal)
    cp("journal")
    _apply_journal(journal, cp)
    os.unlink(holder / _JOURNAL)
    shutil.rmtree(holder / _JOURNAL_TREE, ignore_errors=True)
    for rel in journal["place"]:
        st = os.stat(real / rel)
        manifest[rel] = (st.st_size, st.st_mtime_ns, manifest[rel][2])


def _apply_journal(journal: Journal, cp: _Checkpoints) -> None:
    """Do what a journal says, skipping what is done already (so it can be done again)."""
    real = Path(str(journal["output"]))
    tree = Path(str(journal["tree"]))
    place, remove, folders = journal["place"], journal["remove"], journal["folders"]
    os.makedirs(real, exist_ok=True)
    if not os.path.lexists(real / MARKER):
        write_file(real / MARKER, b"")
    for rel in place:
        source = tree / rel
        if not os.path.lexists(source):
            continue  # moved in before the process was stopped
        _clear_way(real, rel)
        target = real / rel
        if os.path.isdir(target) and not os.path.islink(target):
            shutil.rmtree(target)  # a folder where the new site has a file
        try:
            os.replace(source, target)
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            # Another disk: copied next to its place, then renamed over it (the source stays until
            # the journal is complete, so doing it again copies it again).
            tmp = target.with_name(f".makerfront-tmp-{target.name}")
            shutil.copyfile(source, tmp)
            os.chmod(tmp, FILE_MODE)
            os.replace(tmp, target)
        cp("place")
    for rel in remove:
        try:
            if not stat.S_ISDIR(os.lstat(real / rel).st_mode):
                os.unlink(real / rel)
        except (FileNotFoundError, NotADirectoryError):
            pass
        cp("remove")
    for rel in sorted(folders, key=lambda name: name.count("/"), reverse=True):
        try:
            os.rmdir(real / rel)
        except OSError:
            pass  # not empty (it holds part of the new site) or gone


def _clear_way(real: Path, rel: str) -> None:
    """Make every folder above ``rel`` a real folder: a file or a symlink in the way is removed
    (a link is never written through: it could lead anywhere on the machine)."""
    folder = real
    for part in PurePosixPath(rel).parent.parts:
        folder = folder / part
        try:
            mode = os.lstat(folder).st_mode
        except FileNotFoundError:
            mode = None
        if mode is not None and not stat.S_ISDIR(mode):
            os.unlink(folder)
            mode = None
        if mode is None:
            os.mkdir(folder)
            os.chmod(folder, FOLDER_MODE)


def _write_journal(path: Path, journal: Journal) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _BINARY, 0o600)
    with os.fdopen(fd, "wb") as fh:
        marshal.dump(journal, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _unchanged(
    out: Path,
    rel: str,
    data: bytes | Callable[[], bytes],
    digest: bytes,
    known: tuple[int, int, bytes] | None,
    manifest: Manifest,
    linked: dict[str, bool],
    inodes: dict[str, tuple[int, int]],
) -> bool:
    """True (and ``manifest`` and ``inodes`` updated) when ``out/rel`` is a regular file holding
    ``data`` (or what it returns when called) and reached through real folders only (``linked``
    remembers which folders are symlinks); a file with the size and mtime the last sync recorded
    is trusted by its recorded hash."""
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
        inodes[rel] = (st.st_dev, st.st_ino)
        return True
    if not isinstance(data, bytes):
        data = data()  # read only now: most files are decided by the manifest
    if st.st_size != len(data) or Path(target).read_bytes() != data:
        return False
    manifest[rel] = (st.st_size, st.st_mtime_ns, digest)
    inodes[rel] = (st.st_dev, st.st_ino)
    return True
