"""Spread the two slow steps of a large build over worker processes.

Both are pure functions of data the parent already holds, so workers are forked (they inherit it
without copying or pickling) and each handles a contiguous slice:

- Listings: workers read, validate and build the listings of their slice of files (YAML and
  Markdown are most of a clean build) and send them back with the Markdown they rendered; the
  model step merges them with everything else. A file with any error is left to the model step,
  which reports it with its exact file and line as usual.
- Rendering: the frozen plan and the Renderer are inherited; each worker renders its slice of
  pages and sends the bytes back, in plan order. A page whose template fails is rendered again in
  the parent, so the error is raised exactly as in a serial build.

Workers are started with `fork` where the platform has it; elsewhere, and for small sites
(fewer than MIN_PARALLEL_PAGES items), everything stays serial. Forking a process that runs other
threads is risky (a lock held by another thread stays locked in the child): a caller with threads,
such as a dev server, should build with `jobs=1` or make sure no other thread holds locks.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import io
import multiprocessing
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path, PurePath
from types import MappingProxyType
from typing import Any, TypeVar

from .buildcache import TextStore
from .config import SiteConfig
from .errors import SiteError
from .model import Customization, Image, Listing, Option, Reading, Tag
from .render import TemplateTimeout

# -- listings sent from workers: one instance of each shared value ---------------------------------


_SHARED_FIELDS: dict[type[Any], tuple[str, ...]] = {
    cls: tuple(f.name for f in dataclasses.fields(cls)) for cls in (Tag, Image, Option, Customization)
}
"""The values a worker sends by their fields, so the build process makes one instance of each
distinct tag, photo, option and customization for all the listings that have it: ten thousand
listings with the same few tags and options would otherwise each bring their own copies."""
_BY_NAME = {cls.__name__: cls for cls in _SHARED_FIELDS}
_NOTHING: MappingProxyType[Any, Any] = MappingProxyType({})
"""The `extra` of every listing that has none."""


class _Packer(pickle.Pickler):
    """Pickles what a worker sends: shared values (and paths, and the read-only `extra` mappings,
    which pickle cannot take as they are) as references the build process's _Unpacker resolves."""

    def persistent_id(self, obj: Any) -> Any:
        cls = type(obj)
        fields = _SHARED_FIELDS.get(cls)
        if fields is not None:
            return (cls.__name__, tuple(getattr(obj, name) for name in fields))
        if cls is MappingProxyType:
            return ("mapping", dict(obj))
        if isinstance(obj, PurePath):
            return ("path", str(obj))
        return None


def _pack(value: Any) -> bytes:
    out = io.BytesIO()
    _Packer(out, pickle.HIGHEST_PROTOCOL).dump(value)
    return out.getvalue()


class _Unpacker(pickle.Unpickler):
    """Reads what a worker sent, looking each shared value up in ``shared`` before making it (one
    dict for all the workers' parts of one build)."""

    def __init__(self, data: bytes, shared: dict[Any, Any]) -> None:
        super().__init__(io.BytesIO(data))
        self.shared = shared

    def persistent_load(self, pid: Any) -> Any:
        kind, value = pid
        if kind == "mapping":
            return MappingProxyType(value) if value else _NOTHING
        if kind == "path":
            return self._path(value)
        found = self.shared.get(pid)
        if found is None:
            cls = _BY_NAME[kind]
            found = self.shared[pid] = cls(**dict(zip(_SHARED_FIELDS[cls], value, strict=True)))
        return found

    def _path(self, text: str) -> Path:
        found = self.shared.get(("path", text))
        if found is None:
            path = Path(text)
            if path.name:
                # Made from its shared folder, a path shares that folder's parts (the listings'
                # files are thousands of paths that differ only in their names).
                path = self._path(str(path.parent)) / path.name
            found = self.shared[("path", text)] = path
        return found  # type: ignore[no-any-return]


Progress = Callable[[str, int, int], None]
"""progress(step, done, total): called as work completes, for the command line's progress bar."""

T = TypeVar("T")

MIN_PARALLEL_PAGES = 300
"""Below this, starting workers costs more than it saves."""


def max_workers() -> int:
    """The most worker processes a build starts, whatever `jobs` asks: two per CPU. More would
    only share the same CPUs, each with its own copy of the parent's memory that it changes."""
    return 2 * (os.cpu_count() or 1)


def worker_count(jobs: int | None, items: int) -> int:
    """How many processes to use: `jobs` if given (at most max_workers(), and no more than there
    are items), else one per CPU for large builds."""
    if "fork" not in multiprocessing.get_all_start_methods() or sys.platform == "win32":
        return 1
    if jobs is not None:
        return max(1, min(jobs, max_workers(), items))
    if items < MIN_PARALLEL_PAGES:
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


PAGE_TIME_LIMIT = 20.0
"""Seconds a page may take to render before the build fails, naming its template: a page takes
a few milliseconds, so only a template that loops (for ever, or nearly) takes this long."""
PAGE_TIME_LIMIT_VARIABLE = "MAKERFRONT_PAGE_TIME_LIMIT"
"""Environment variable that replaces PAGE_TIME_LIMIT (the tests give a fraction of a second)."""


def page_time_limit() -> float:
    try:
        seconds = float(os.environ.get(PAGE_TIME_LIMIT_VARIABLE, PAGE_TIME_LIMIT))
    except ValueError:
        return PAGE_TIME_LIMIT
    return seconds if seconds > 0 else PAGE_TIME_LIMIT


class PageTimer:
    """Within its block, ``timer.run(render, i)`` raises TemplateTimeout inside a render that
    takes longer than ``seconds`` (the renderer turns it into a SiteError naming the template, its
    line and the page).

    A real-time interval timer (SIGALRM), armed for each page: only a process's main thread can
    be interrupted so, and only there is it set. The dev server renders in another thread, where a
    template that loops keeps its rebuild thread busy (the server still serves the last good
    site). The alarm then repeats every second, in case what it interrupted caught it."""

    def __init__(self, seconds: float | None = None) -> None:
        self.seconds = page_time_limit() if seconds is None else seconds
        self.armed = False
        self._previous: Any = None

    def __enter__(self) -> PageTimer:
        if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
            self._previous = signal.signal(signal.SIGALRM, self._expired)
            self.armed = True
        return self

    def __exit__(self, *exc: object) -> None:
        if self.armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._previous)
            self.armed = False

    def _expired(self, signum: int, frame: object) -> None:
        raise TemplateTimeout(self.seconds)

    def run(self, render: Callable[[int], T], i: int) -> T:
        if not self.armed:
            return render(i)
        signal.setitimer(signal.ITIMER_REAL, self.seconds, 1.0)
        try:
            return render(i)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)


def _slices(total: int, parts: int) -> list[range]:
    # More slices than workers, so a worker that finishes early takes another and the progress
    # bar moves; contiguous so each worker's reads stay local.
    count = min(total, parts * 8) or 1
    step = -(-total // count)
    return [range(i, min(i + step, total)) for i in range(0, total, step)]


# -- what the workers do -------------------------------------------------------------------------

_task: Callable[[range], Any] | None = None
"""In a worker process only: what it does with each slice of the work (set as it starts, by
_worker_started; forked, it inherits the task with everything it refers to, unpickled)."""


def _do(indices: range) -> Any:
    assert _task is not None
    return _task(indices)


def _render_slice(render: Callable[[int], Any], indices: range) -> list[Any]:
    out: list[Any] = []
    with PageTimer() as timer:
        for i in indices:
            try:
                out.append(timer.run(render, i))
            except Exception:  # re-rendered in the parent, which raises the proper SiteError
                out.append(None)
    return out


def _listing_slice(paths: Sequence[Path], config: SiteConfig, root: Path, reading: Reading, indices: range) -> bytes:
    """(listings by file, text entries added, text keys used), packed for the build process."""
    from .errors import ErrorList
    from .load import load_yaml_file
    from .model import load_listing

    found: dict[Path, Listing] = {}
    for i in indices:
        path = paths[i]
        errors = ErrorList()
        try:
            doc = load_yaml_file(path)
            listing = load_listing(doc, errors, config, root, reading)
        except SiteError:
            continue
        if listing is not None and not errors and not errors.warnings and not doc.warnings:
            found[path] = listing
    store = reading.texts
    if not isinstance(store, TextStore):
        return _pack((found, {}, set()))
    # The descriptions are in this worker's file of the text store; the listings point into it,
    # and the build process learns where the new ones are.
    new, used = store.take_changes()
    return _pack((found, new, used))


def _load_once_for_all() -> None:
    """Load here, before the workers start, what each would otherwise load for itself when it
    reads its first listing: the Markdown engine (cffi parses its C declarations, ~30 ms), the
    versions its cache keys name (read from the installed packages) and Pillow's image format
    plugins."""
    from PIL import Image as PILImage

    from . import text

    text.markdown_html("")
    text.markdown_key("")
    PILImage.preinit()


_STOP_SIGNALS = frozenset({signal.SIGTERM, signal.SIGINT})


def _worker_started(task: Callable[[range], Any]) -> None:
    """Workers inherit the parent's Python signal handlers: `serve`'s only set a flag. But
    Pool.terminate stops its workers with SIGTERM, so they must die of it (a worker that only
    set the flag would keep the parent waiting for it forever); and Ctrl-C is the parent's to
    act on. Both signals arrive blocked (_pool): one sent before this ran is still pending, and
    is delivered, with its new disposition, when they are unblocked."""
    global _task
    _task = task
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)


def _pool(workers: int, task: Callable[[range], Any]) -> Any:
    # A worker runs its initializer some time after the fork: on a busy machine, after the pool
    # has done its work and Pool.terminate has sent it SIGTERM. That signal, caught by the
    # inherited handler, would only be noted, and the parent would wait for the worker forever.
    # So the workers are forked with SIGTERM and SIGINT blocked, and unblock them only once
    # their handlers are reset. The pool's own threads, started here too, keep them blocked:
    # Python runs handlers in the main thread only, and the workers that a pool thread forks
    # to replace one that died start blocked like the first ones.
    before = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        return multiprocessing.get_context("fork").Pool(workers, initializer=_worker_started, initargs=(task,))
    finally:
        # What arrived for this process meanwhile is delivered now.
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def _run(task: Callable[[range], Any], total: int, workers: int) -> Iterator[tuple[range, Any]]:
    """task(part) for the parts of range(total), computed by ``workers`` processes, in order."""
    slices = _slices(total, workers)
    # Workers share the parent's memory until they write to it. The cyclic garbage collector
    # writes into every object it visits, so each worker would soon hold its own copy of the
    # whole site; frozen objects are never visited. Garbage is collected first, or it would be
    # frozen too, and its memory kept.
    gc.collect()
    gc.freeze()
    try:
        with _pool(workers, task) as pool:
            yield from zip(slices, pool.imap(_do, slices), strict=True)
    finally:
        gc.unfreeze()


def load_listings(
    paths: Sequence[Path],
    config: SiteConfig,
    root: Path,
    reading: Reading,
    workers: int,
    progress: Progress | None = None,
) -> dict[Path, Listing]:
    """Listings built from these files by ``workers`` processes (YAML, validation, Markdown).

    A file with any error or warning is left out: the parent's model step reads it again and
    reports it with its file and line, as in a serial build. What the workers added to the text
    store of ``reading`` (a buildcache.TextStore) is merged into it.
    """
    found: dict[Path, Listing] = {}
    if workers < 2 or not paths:
        return found
    _load_once_for_all()
    store = reading.texts if isinstance(reading.texts, TextStore) else None
    shared: dict[Any, Any] = {}
    task = functools.partial(_listing_slice, paths, config, root, reading)
    done = 0
    for part, packed in _run(task, len(paths), workers):
        listings, new, used = _Unpacker(packed, shared).load()
        found.update(listings)
        if store is not None:
            store.merge(new, used)
        done += len(part)
        if progress:
            progress("listings", done, len(paths))
    return found


def render_pages(count: int, render: Callable[[int], T], workers: int, progress: Progress | None = None) -> list[T]:
    """[render(0), ..., render(count - 1)], computed by ``workers`` processes (render never
    returns None)."""
    results: list[T] = []
    if workers < 2 or count < 2:
        with PageTimer() as timer:
            for i in range(count):
                results.append(timer.run(render, i))
                if progress and (i % 200 == 199 or i == count - 1):
                    progress("render", i + 1, count)
        return results
    with PageTimer() as timer:
        for part, pages in _run(functools.partial(_render_slice, render), count, workers):
            for i, data in zip(part, pages, strict=True):
                results.append(data if data is not None else timer.run(render, i))
            if progress:
                progress("render", len(results), count)
    return results


def photo_workers(jobs: int | None, photos: int) -> int:
    """Processes for making photos: decoding and encoding one takes about a second of CPU, so
    from two photos on every CPU helps (``jobs`` as for pages)."""
    if jobs is not None or photos < 2:
        return worker_count(jobs, photos)
    if "fork" not in multiprocessing.get_all_start_methods() or sys.platform == "win32":
        return 1
    return max(1, min(os.cpu_count() or 1, 8, photos))


def map_photos(task: Callable[[int], T], count: int, workers: int, progress: Progress | None = None) -> list[T]:
    """[task(0), ..., task(count - 1)] by ``workers`` processes, one photo at a time each (photos
    take very different times), in order. ``task`` must not raise: it returns its errors."""
    results: list[T] = []
    if workers < 2 or count < 2:
        for i in range(count):
            results.append(task(i))
            if progress:
                progress("photos", i + 1, count)
        return results
    gc.collect()
    gc.freeze()
    try:
        with _pool(workers, lambda part: [task(i) for i in part]) as pool:
            for done in pool.imap(_do, [range(i, i + 1) for i in range(count)], chunksize=1):
                results.extend(done)
                if progress:
                    progress("photos", len(results), count)
    finally:
        gc.unfreeze()
    return results
