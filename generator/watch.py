"""File events -> what to rebuild. Pure functions only: no threads, no watchdog, no disk access.

The dev server's watchdog handler turns each raw event into a `FileEvent` and queues it; the
rebuild thread collects a burst of them (`collect_batch`) and asks `classify` what changed. An
editor's save is a burst (vim: write `4913`, rename the old file to `mug.yaml~`, write, delete the
backup; emacs: lock file `.#mug.yaml`), so `classify` keeps one entry per path, folds the burst
into what really happened to each file (created, modified, deleted), and drops editor temporary
files entirely.
"""

from __future__ import annotations

import queue
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path, PurePath
from typing import Literal


class Change(StrEnum):
    """What a changed file is, which decides how much to rebuild."""

    CONFIG = "config"
    """content/site.yaml: everything may change (base_url, theme, currency)."""
    CONTENT = "content"
    """Listings, maker profile, pages, images: rebuild the Site."""
    THEME = "theme"
    """Templates and theme.yaml: re-render the current Site."""
    STATIC = "static"
    """Theme or content static files (CSS, scripts): copied as they are."""


EventKind = Literal["created", "modified", "deleted", "moved"]
Action = Literal["created", "modified", "deleted"]


@dataclass(frozen=True, slots=True)
class FileEvent:
    """One raw file-system event, as the watchdog handler saw it."""

    kind: EventKind
    path: str
    """Absolute path of the file (the source of a move)."""
    dest: str | None = None
    """Destination of a move."""
    is_directory: bool = False


@dataclass(frozen=True, slots=True)
class ChangedFile:
    path: Path
    bucket: Change
    action: Action
    """Net effect of all the events for this path in the batch."""


@dataclass(frozen=True, slots=True)
class ChangeSet:
    """The files that changed in one batch of events, one entry per path, sorted by path."""

    files: tuple[ChangedFile, ...] = ()

    @property
    def kinds(self) -> frozenset[Change]:
        return frozenset(f.bucket for f in self.files)

    @property
    def needs_full_build(self) -> bool:
        """Content or config changed: the Site itself must be loaded again."""
        return bool(self.kinds & {Change.CONFIG, Change.CONTENT})

    @property
    def only_modified_static(self) -> bool:
        """Only existing static files changed: the same outputs still point at them."""
        return bool(self.files) and all(f.bucket is Change.STATIC and f.action == "modified" for f in self.files)

    def describe(self, roots: WatchRoots | None = None) -> str:
        """'listings/mug.yaml changed' or '3 files changed', for the terminal."""
        if not self.files:
            return "full build"
        if len(self.files) == 1:
            only = self.files[0]
            name = roots.display(only.path) if roots else only.path.name
            return f"{name} {only.action}"
        return f"{len(self.files)} files changed"

    def __bool__(self) -> bool:
        return bool(self.files)


FULL_BUILD = ChangeSet(files=())
"""Stands for 'build everything' (the first build, or a build requested without file events)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class WatchRoots:
    """The folders the dev server watches. Paths should be absolute and resolved, like the events."""

    content: Path
    themes: tuple[Path, ...] = field(default_factory=tuple)
    """Folders holding theme folders (themes/, and the built-in themes when they differ)."""

    def all(self) -> tuple[Path, ...]:
        return (self.content, *self.themes)

    def display(self, path: Path) -> str:
        for root in sorted(self.all(), key=lambda r: len(r.parts), reverse=True):
            if path.is_relative_to(root):
                return path.relative_to(root).as_posix() or root.name
        return path.as_posix()


# -- editor temporary files ---------------------------------------------------------------------

_TEMP_SUFFIXES = (
    "~",  # vim/emacs/nano backups: mug.yaml~
    ".tmp",
    ".temp",
    ".bak",
    ".orig",
    ".part",  # partial downloads and copies
    ".crdownload",
    "___jb_tmp___",  # JetBrains safe write
    "___jb_old___",
)
_VIM_SWAP = re.compile(r"\.sw[a-px]$")
"""vim swap files: .swp, then .swo, .swn, ... down to .swa; .swx is vim's own write test."""
_NUMBERED = re.compile(r"^\d+$")
"""vim checks that a folder is writable by creating 4913 (then 5036, ...); content files always
have an extension, so a bare number is never a file of the shop."""


def is_temporary(name: str) -> bool:
    """True for editor swap, backup, lock and temporary files, and dotfiles (.DS_Store, .git)."""
    if not name or name.startswith("."):  # dotfiles, emacs lock files (.#mug.yaml)
        return True
    if name.startswith("#") and name.endswith("#"):  # emacs auto-save: #mug.yaml#
        return True
    lower = name.lower()
    return lower.endswith(_TEMP_SUFFIXES) or bool(_VIM_SWAP.search(lower)) or bool(_NUMBERED.match(name))


def is_ignored(rel: PurePath) -> bool:
    """A path relative to a watched root that never triggers a rebuild: any part is temporary or hidden."""
    return any(is_temporary(part) for part in rel.parts)


# -- classification -----------------------------------------------------------------------------


def bucket_of(path: Path, roots: WatchRoots) -> Change | None:
    """Which bucket a path falls in, or None when it is outside the roots or an editor's file."""
    best: tuple[int, Path, bool] | None = None
    for root, is_theme in [(roots.content, False), *((t, True) for t in roots.themes)]:
        if path.is_relative_to(root) and (best is None or len(root.parts) > best[0]):
            best = (len(root.parts), root, is_theme)
    if best is None:
        return None
    _, root, is_theme = best
    rel = path.relative_to(root)
    if is_ignored(rel):
        return None
    parts = rel.parts
    if is_theme:
        # themes/<name>/static/... is copied; templates/, theme.yaml and the folders themselves are the theme.
        return Change.STATIC if len(parts) >= 2 and parts[1] == "static" else Change.THEME
    if parts == ("site.yaml",):
        return Change.CONFIG
    if parts and parts[0] == "static":
        return Change.STATIC
    return Change.CONTENT


# Whether a file existed before the batch / exists after it, implied by one event.
_BEFORE = {"created": False, "modified": True, "deleted": True}
_AFTER = {"created": True, "modified": True, "deleted": False}


def _net_action(existed: bool, exists: bool) -> Action | None:
    if existed and exists:
        return "modified"
    if exists:
        return "created"
    if existed:
        return "deleted"
    return None  # created and deleted within the batch: a temporary file under any name


def classify(events: Iterable[FileEvent], roots: WatchRoots) -> ChangeSet:
    """Fold a batch of events into one ChangedFile per path, dropping what does not matter.

    A move is the deletion of its source and the creation of its destination, so an editor that
    saves to `mug.yaml.tmp` and renames it over `mug.yaml` counts as a change of `mug.yaml`.
    Folder "modified" events (a file inside changed) carry no information and are dropped.
    """
    first: dict[Path, str] = {}
    last: dict[Path, str] = {}

    def note(path: str, action: str) -> None:
        p = Path(path)
        first.setdefault(p, action)
        last[p] = action

    for ev in events:
        if ev.kind == "moved":
            note(ev.path, "deleted")
            if ev.dest:
                note(ev.dest, "created")
        elif ev.kind == "modified" and ev.is_directory:
            continue
        else:
            note(ev.path, ev.kind)

    files: list[ChangedFile] = []
    for path in sorted(first):
        bucket = bucket_of(path, roots)
        action = _net_action(_BEFORE[first[path]], _AFTER[last[path]])
        if bucket is not None and action is not None:
            files.append(ChangedFile(path=path, bucket=bucket, action=action))
    return ChangeSet(files=tuple(files))


# -- debouncing -----------------------------------------------------------------------------------

STOP = None
"""Queued to tell the rebuild thread to finish."""

QueueGet = Callable[[float | None], FileEvent | None]
"""Blocking get with a timeout (None waits forever); raises queue.Empty on timeout."""


def collect_batch(
    get: QueueGet,
    *,
    quiet: float,
    max_wait: float,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[list[FileEvent], bool]:
    """Wait for an event, then keep taking events until none has come for `quiet` seconds.

    Returns (events, stop). `max_wait` bounds the wait when events never stop coming (a long copy
    into content/), so the preview still updates. `get` and `clock` are parameters so the timing
    can be tested with a scripted queue instead of sleeps.
    """
    event = get(None)
    if event is STOP:
        return [], True
    batch = [event]
    deadline = clock() + max_wait
    while True:
        timeout = min(quiet, deadline - clock())
        if timeout <= 0:
            return batch, False
        try:
            event = get(timeout)
        except queue.Empty:
            return batch, False
        if event is STOP:
            return batch, True
        batch.append(event)
