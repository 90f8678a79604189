"""Spread the two slow steps of a large build over worker processes.

Both are pure functions of data the parent already holds, so workers are forked (they inherit it
without copying or pickling) and each handles a contiguous slice:

- Markdown: workers read listing files and render their descriptions into the parent's Markdown
  cache before the (serial, error-collecting) model step runs; the model step then finds every
  description already rendered. A file a worker cannot read or parse is skipped: the model step
  reports it with its exact file and line as usual.
- Rendering: the frozen plan and the Renderer are inherited; each worker renders its slice of
  pages and sends the bytes back, in plan order. A page whose template fails is rendered again in
  the parent, so the error is raised exactly as in a serial build.

Only Linux/macOS `fork` is used; elsewhere, and for small sites, everything stays serial.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator, MutableMapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from .errors import SiteError

Progress = Callable[[str, int, int], None]
"""progress(step, done, total): called as work completes, for the command line's progress bar."""

T = TypeVar("T")

MIN_PARALLEL_PAGES = 300
"""Below this, starting workers costs more than it saves."""


def worker_count(jobs: int | None, items: int) -> int:
    """How many processes to use: `jobs` if given, else one per CPU for large builds."""
    if "fork" not in multiprocessing.get_all_start_methods() or sys.platform == "win32":
        return 1
    if jobs is not None:
        return max(1, jobs)
    if items < MIN_PARALLEL_PAGES:
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


def _slices(total: int, parts: int) -> list[range]:
    # More slices than workers, so a worker that finishes early takes another and the progress
    # bar moves; contiguous so each worker's reads stay local.
    count = min(total, parts * 8) or 1
    step = -(-total // count)
    return [range(i, min(i + step, total)) for i in range(0, total, step)]


# -- fork-inherited state: set in the parent just before the pool starts ----------------------------

_render_page: Callable[[int], Any] | None = None
_markdown_paths: Sequence[Path] = ()
_markdown_known: MutableMapping[bytes, str] | None = None


def _render_slice(indices: range) -> list[Any]:
    assert _render_page is not None
    out: list[Any] = []
    for i in indices:
        try:
            out.append(_render_page(i))
        except Exception:  # re-rendered in the parent, which raises the proper SiteError
            out.append(None)
    return out


def _markdown_slice(indices: range) -> dict[bytes, str]:
    from .load import load_yaml_file
    from .text import markdown_html, markdown_key

    found: dict[bytes, str] = {}
    for i in indices:
        try:
            doc = load_yaml_file(_markdown_paths[i])
        except SiteError:
            continue
        text = doc.data.get("description") if isinstance(doc.data, dict) else None
        if not isinstance(text, str):
            continue
        text = text.strip()  # as fields.Reader.text hands it to the model step
        key = markdown_key(text)
        if (_markdown_known is None or key not in _markdown_known) and key not in found:
            found[key] = markdown_html(text)
    return found


def _pool(workers: int) -> Any:
    return multiprocessing.get_context("fork").Pool(workers)


def _run(func: Callable[[range], Any], total: int, workers: int) -> Iterator[tuple[range, Any]]:
    slices = _slices(total, workers)
    with _pool(workers) as pool:
        yield from zip(slices, pool.imap(func, slices), strict=True)


def prerender_markdown(
    paths: Sequence[Path], cache: MutableMapping[bytes, str], workers: int, progress: Progress | None = None
) -> None:
    """Fill ``cache`` with the rendered descriptions of these listing files, in parallel."""
    global _markdown_paths, _markdown_known
    if workers < 2 or not paths:
        return
    _markdown_paths, _markdown_known = paths, cache
    try:
        done = 0
        for part, found in _run(_markdown_slice, len(paths), workers):
            cache.update(found)
            done += len(part)
            if progress:
                progress("markdown", done, len(paths))
    finally:
        _markdown_paths, _markdown_known = (), None


def render_pages(count: int, render: Callable[[int], T], workers: int, progress: Progress | None = None) -> list[T]:
    """[render(0), ..., render(count - 1)], computed by ``workers`` processes (render never
    returns None)."""
    global _render_page
    results: list[T] = []
    if workers < 2 or count < 2:
        for i in range(count):
            results.append(render(i))
            if progress and (i % 200 == 199 or i == count - 1):
                progress("render", i + 1, count)
        return results
    _render_page = render
    try:
        for part, pages in _run(_render_slice, count, workers):
            for i, data in zip(part, pages, strict=True):
                results.append(data if data is not None else render(i))
            if progress:
                progress("render", len(results), count)
    finally:
        _render_page = None
    return results
