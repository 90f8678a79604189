#!/usr/bin/env python3
"""makerfront vs Hugo vs Pelican on a synthetic storefront.

    python benchmarks/bench.py                 # N = 1,000 and 10,000
    python benchmarks/bench.py --sizes 1000    # just one size
    python benchmarks/bench.py --large         # adds N = 50,000
    python benchmarks/bench.py --runs 5
    python benchmarks/bench.py --no-dev-server   # skip the dev-server edits (a full rebuild each)
    python benchmarks/bench.py --sizes 10000 --description-scale 4   # descriptions 4x as long

For each N it writes a deterministic corpus (benchmarks/corpus.py) once under --workdir, then
times, as separate processes: makerfront's full clean build with its default theme, its clean
build with the corpus's minimal theme and Hugo's full build, taking turns run after run (the last
output is moved aside first, see set_aside); then makerfront's rebuild with nothing changed and
after one listing is edited, and Pelican's full build. The minimal theme, Hugo's and Pelican's
templates are equivalent (the same pages in the same minimal markup, 48 listings a page), so that
ratio compares the generators on the same work: it is the one issue 7's clean-build target is
judged on. The default theme writes about three times as much HTML per listing page (sharing
tags, structured data, the full order form), and its ratio is printed too. Each figure is the
median (min-max) wall time of --runs runs, and the peak memory of the whole process tree (the sum
over the build process and its workers of the proportional set size, PSS, sampled every 20 ms;
plain RSS where PSS is not available). Memory is sampled in one extra run of each build, before
the timed ones and not counted in their times: reading a process's memory map every 20 ms takes
CPU from the build it measures on a 2-core machine, most from the largest process (Hugo's 800 MB
one lost about 20% of its speed to it, makerfront about 7%). Hugo and Pelican are only
detected, never required: install them with `apt-get install hugo` and `pip install pelican`
(or `pip install -e '.[bench]'`).

Then the dev server: `build.py serve` runs on the corpus (127.0.0.1, a free port) and one listing,
the newest (it heads the feed), is edited --dev-edits times, a new title and price each time. After
each save the script requests the pages over HTTP (again each time the server's live-reload stream
announces a build, as an open browser tab would, and at least every 100 ms) and records when the
listing's page shows the edit, and when
every page showing that listing does: the home page and its tag pages (the price), feed.xml (the
title) and sitemap.xml (the listing's new <lastmod>). Issue 7's targets are 100 ms and 500 ms; the
verdict is printed under the figures. Peak memory is the server's over the whole session (its
first build included); CPU is the server's during each edit.

The machine this runs on is shared and small (2 cores), so the figures are noisy: compare ratios
from one run of this script, not absolute times across runs.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus

REPO = Path(__file__).resolve().parent.parent

try:
    import psutil
except ImportError:  # pragma: no cover - reported in the output
    psutil = None


@dataclass
class Run:
    seconds: float
    peak_mb: float | None
    ok: bool
    note: str = ""
    cpu: float = 0.0
    """User + system CPU seconds of the process and its workers (steadier than wall time on a busy machine)."""
    timed: bool = True
    """False for the run that sampled memory (its time is not among the figure's)."""


def _pss(pid: int) -> int | None:
    """Proportional set size from /proc/PID/smaps_rollup (Linux): shared pages of forked
    workers are divided among them instead of counted once per process."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _tree_memory(proc: psutil.Process) -> int:
    total = 0
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    for p in procs:
        pss = _pss(p.pid)
        if pss is None:
            try:
                pss = p.memory_info().rss
            except psutil.Error:
                pss = 0
        total += pss
    return total


def measure(cmd: list[str], cwd: Path, timeout: float, memory: bool = False) -> Run:
    """Run cmd; wall time from start to exit. With ``memory``, sample the memory of its process
    tree meanwhile (which slows it down: such a run is not timed, see alternate)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        if psutil is None or not memory:
            return
        try:
            ps = psutil.Process(proc.pid)
        except psutil.Error:
            return
        while not stop.is_set():
            peak = max(peak, _tree_memory(ps))
            stop.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        stop.set()
        return Run(time.perf_counter() - started, None, False, f"timed out after {timeout:.0f} s")
    seconds = time.perf_counter() - started
    stop.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if psutil is None and memory:
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # largest child only
    if proc.returncode != 0:
        return Run(seconds, None, False, err.decode(errors="replace").strip().splitlines()[-1:][0] if err else "")
    return Run(seconds, peak / 2**20 if peak else None, True, cpu=cpu, timed=not memory)


@dataclass
class Figure:
    name: str
    runs: list[Run]

    @property
    def ok(self) -> bool:
        return bool(self.runs) and all(r.ok for r in self.runs)

    @property
    def timed(self) -> list[Run]:
        """The runs its times are taken from (all, when none is marked as timed)."""
        return [r for r in self.runs if r.timed] or self.runs

    @property
    def median(self) -> float:
        return statistics.median(r.seconds for r in self.timed)

    @property
    def cpu(self) -> float:
        return statistics.median(r.cpu for r in self.timed)

    def line(self) -> str:
        if not self.runs:
            return f"  {self.name:<34} skipped"
        if not self.ok:
            bad = next(r for r in self.runs if not r.ok)
            return f"  {self.name:<34} FAILED: {bad.note}"
        secs = [r.seconds for r in self.timed]
        mem = [r.peak_mb for r in self.runs if r.peak_mb is not None]
        mem_text = f"peak {max(mem):7.0f} MB" if mem else "peak memory n/a"
        return (
            f"  {self.name:<30} median {self.median:7.3f} s  (min {min(secs):.3f}, max {max(secs):.3f}, "
            f"{len(secs)} runs)  CPU {self.cpu:7.2f} s  {mem_text}"
        )


FULL = "makerfront full clean build"
"""With makerfront's default theme: what a maker gets, with far more HTML per page than the
minimal templates (structured data, sharing tags, the full order form)."""
FULL_MINIMAL = "makerfront clean, minimal theme"
"""With the minimal templates that Hugo's and Pelican's builds use: the like-for-like figure."""
HUGO = "Hugo full build"
PELICAN = "Pelican full build"


def makerfront_cmd(site: Path, themes: Path = REPO / "themes") -> list[str]:
    return [
        sys.executable,
        str(REPO / "build.py"),
        "--content",
        str(site / "content"),
        "--output",
        str(site / "output"),
        "--themes",
        str(themes),
    ]


TRASH: Path | None = None
"""Where set_aside moves the outputs of earlier builds (under --workdir); emptied at the end."""


def set_aside(path: Path) -> None:
    """Make way for a clean build: move the last build's output out of the way, to be deleted
    after all the builds, instead of deleting it just before the next one.

    On a disk formatted as ext4 without a journal (this project's benchmark machine), creating a
    file scans past every inode deleted in the last 30 seconds (the kernel's `recently_deleted`
    check in `find_inode_bit`), so a build that follows `rm -rf` of the 20,000 files of the last
    one pays about 0.2 ms more per file, more with every round, and most for the tool that
    creates files from the most threads: 0.9 s of system time for 10,000 folders and files
    became 4 to 8 s. Measured that way, the figures were mostly that, not the generators. (On a
    journaled disk the check is skipped, and deleting first costs nothing extra.)"""
    if not path.exists():
        return
    if TRASH is None:
        shutil.rmtree(path)
        return
    TRASH.mkdir(parents=True, exist_ok=True)
    try:
        path.rename(Path(tempfile.mkdtemp(dir=TRASH)) / path.name)
    except OSError:  # another disk
        shutil.rmtree(path)


def trash_note(workdir: Path) -> str | None:
    """A warning when earlier runs' set-aside outputs (kept by --keep-trash) take space the
    disk is short of: three full series once filled this machine's disk part way through a run."""
    if TRASH is None or not TRASH.is_dir():
        return None
    kept = sum(e.stat(follow_symlinks=False).st_size for e in _walk_files(TRASH))
    free = shutil.disk_usage(workdir).free
    gib = 1 << 30
    if kept < gib and free > 4 * gib:
        return None
    return (
        f"note: {TRASH} holds {kept / gib:.1f} GiB of earlier builds ({free / gib:.1f} GiB free on its disk); "
        f"delete it between series (rm -rf {TRASH}), not just before a run"
    )


def _walk_files(folder: Path) -> Iterator[os.DirEntry[str]]:
    with os.scandir(folder) as scan:
        for entry in scan:
            if entry.is_dir(follow_symlinks=False):
                yield from _walk_files(Path(entry.path))
            else:
                yield entry


def empty_trash() -> None:
    """Delete what set_aside moved, a stopped run's leftovers too (not at the start of a run:
    that would slow down its first builds)."""
    if TRASH is not None:
        shutil.rmtree(TRASH, ignore_errors=True)


def clean_makerfront(site: Path) -> None:
    set_aside(site / "output")
    set_aside(site / ".makerfront-cache")


@dataclass
class Job:
    """One build to time: its figure's name, what to do before each run, the command."""

    name: str
    prepare: Callable[[], None]
    cmd: list[str]
    cwd: Path


def repeat(name: str, runs: int, prepare, cmd: list[str], cwd: Path, timeout: float) -> Figure:
    return alternate([Job(name, prepare, cmd, cwd)], runs, timeout)[0]


def alternate(jobs: list[Job], runs: int, timeout: float) -> list[Figure]:
    """Run each job ``runs`` times, taking turns (A B A B ...): builds compared as a ratio then
    see the same state of a shared machine and of its disk, which drift over minutes. A first
    round, not timed, samples each job's peak memory (and warms the file cache)."""
    figures = [Figure(job.name, []) for job in jobs]
    for memory in [True] + [False] * runs:
        for job, fig in zip(jobs, figures, strict=True):
            if fig.runs and not fig.runs[-1].ok:
                continue
            job.prepare()
            run = measure(job.cmd, job.cwd, timeout, memory=memory)
            fig.runs.append(run)
            note = "" if run.ok else " FAILED " + run.note
            what = f"peak {run.peak_mb or 0:.0f} MB (not timed)" if memory else f"{run.seconds:.3f} s"
            print(f"    {job.name}: {what}{note}", file=sys.stderr, flush=True)
    return figures


def one_edit(site: Path, args: argparse.Namespace) -> Figure:
    """Edit one listing's title before each run (a different title each time), then put the
    corpus back exactly as it was."""
    path = site / "content" / "listings" / "piece-00007.yaml"
    original = path.read_text()
    count = 0

    def edit() -> None:
        nonlocal count
        count += 1
        path.write_text(original.replace('title: "', f'title: "Edit {count} ', 1))

    try:
        return repeat("makerfront one listing edited", args.runs, edit, makerfront_cmd(site), site, args.timeout)
    finally:
        path.write_text(original)


# -- dev server ---------------------------------------------------------------------------------

LISTING_FRESH = "dev server: listing fresh"
ALL_FRESH = "dev server: all pages fresh"
TARGET_LISTING = 0.100
TARGET_ALL = 0.500
"""Issue 7's targets for one edited listing: its page ≤ 100 ms after the save, every page showing
it (home, its tag pages, feed, sitemap) ≤ 500 ms."""

POLL_PAUSE = 0.1
"""Longest wait between two rounds of requests for pages not yet fresh. Each round starts at once
when the server's live-reload stream announces a build (what an open browser tab reacts to), so
the resolution is a few ms; the pause only bounds the error should an announcement be missed.
Polling flat out instead (a request every few ms, each a new connection and server thread) would
take the server's GIL from the very rebuild being timed and measure the polling more than the
server."""

EVENTS_PATH = "/__makerfront/events"
"""The dev server's live-reload stream (generator/devserver.py)."""


class _BuildEvents:
    """Listens to the dev server's live-reload stream; `wait` returns early when a build is
    announced. Only wakes the poller: freshness is always checked on the pages themselves."""

    def __init__(self, origin: str) -> None:
        self._flag = threading.Event()
        self._origin = origin
        threading.Thread(target=self._listen, daemon=True).start()

    def _listen(self) -> None:
        try:
            with urllib.request.urlopen(self._origin + EVENTS_PATH, timeout=3600) as resp:
                for line in resp:
                    if line.startswith(b"event: build"):
                        self._flag.set()
        except (OSError, urllib.error.URLError):
            return  # the server stopped; polling goes on at POLL_PAUSE

    def clear(self) -> None:
        self._flag.clear()

    def wait(self, timeout: float) -> None:
        self._flag.wait(timeout)


def _get(url: str, timeout: float = 2.0) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.read().decode("utf-8", errors="replace")
    except (OSError, urllib.error.URLError):
        return None


def _iso_utc(timestamp: float) -> str:
    """As generator/feeds.py writes a sitemap <lastmod>: whole seconds, UTC."""
    return datetime.fromtimestamp(int(timestamp), tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Server:
    """`build.py serve` as a subprocess: its stdout lines, its peak memory and CPU time."""

    def __init__(self, site: Path, timeout: float) -> None:
        cmd = [
            sys.executable,
            str(REPO / "build.py"),
            "serve",
            "--content",
            str(site / "content"),
            "--themes",
            str(REPO / "themes"),
            "--host",
            "127.0.0.1",
            "--port",
            "0",  # the system picks a free port; the server prints it
        ]
        self.proc = subprocess.Popen(
            cmd, cwd=site, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
        )
        self.lines: list[str] = []
        self.url: str | None = None
        self.peak = 0
        self._ready = threading.Event()
        self._stop = threading.Event()
        self._ps = psutil.Process(self.proc.pid) if psutil is not None else None
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._sample, daemon=True).start()
        if not self._ready.wait(timeout) or self.url is None:
            tail = " / ".join(self.lines[-3:])
            self.stop()
            raise RuntimeError(f"dev server did not start within {timeout:.0f} s: {tail or 'no output'}")

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            line = line.rstrip("\n")
            self.lines.append(line)
            m = re.search(r"Serving the preview at (http://\S+)", line)
            if m:
                self.url = m.group(1)
                self._ready.set()
        self._ready.set()  # the server ended: do not wait for it any longer

    def _sample(self) -> None:
        if self._ps is None:
            return
        while not self._stop.is_set():
            self.peak = max(self.peak, _tree_memory(self._ps))
            self._stop.wait(0.02)

    def cpu(self) -> float:
        if self._ps is None:
            return 0.0
        try:
            t = self._ps.cpu_times()
        except psutil.Error:
            return 0.0
        return t.user + t.system

    def rebuilds(self) -> list[int]:
        """Milliseconds of each "rebuilt in NN ms" the server printed so far."""
        return [int(m.group(1)) for line in self.lines if (m := re.search(r"rebuilt in (\d+) ms", line))]

    def stop(self, timeout: float = 15) -> None:
        """Ctrl-C, as a maker would (a rebuild under way finishes first); killed, and said so, only
        if it has not stopped after `timeout` seconds."""
        self._stop.set()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                print(f"    dev server did not stop within {timeout:.0f} s of Ctrl-C: killed", file=sys.stderr)
                return
        if self.proc.returncode != 0:
            print(f"    dev server exited with status {self.proc.returncode}", file=sys.stderr)


def _wait_fresh(
    checks: dict[str, tuple[str, tuple[str, ...]]], started: float, deadline: float, events: _BuildEvents
) -> dict[str, float]:
    """Request each page (url, texts it must contain) until it contains them all: {name: seconds
    after `started`}. A new round of requests starts when a build is announced, or POLL_PAUSE
    after the last one. Pages not fresh by `deadline` are missing from the result."""
    fresh: dict[str, float] = {}
    while len(fresh) < len(checks) and time.perf_counter() < deadline:
        events.clear()  # before the requests: an announcement during them starts the next round
        for name, (url, needles) in checks.items():
            if name in fresh:
                continue
            body = _get(url)
            if body is not None and all(n in body for n in needles):
                fresh[name] = time.perf_counter() - started
        if len(fresh) < len(checks):
            events.wait(POLL_PAUSE)
    return fresh


def _sitemap_with(base: str, loc: str) -> str:
    """The sitemap file listing ``loc``: sitemap.xml, or for a shop of more than 50,000 pages the
    part of it (sitemap-N.xml) that sitemap.xml, then a sitemap index, points to."""
    main = base + "sitemap.xml"
    index = _get(main, timeout=30) or ""
    if "<sitemapindex" not in index:
        return main
    for part in re.findall(r"<loc>([^<]*/(sitemap-\d+\.xml))</loc>", index):
        url = base + part[1]
        if loc in (_get(url, timeout=30) or ""):
            return url
    return main


def dev_server_edits(site: Path, args: argparse.Namespace) -> list[Figure]:
    """Start `build.py serve` on the corpus; edit one listing's title and price `--dev-edits` times;
    after each save, time until its page is served fresh, then until every page showing it is."""
    page_fig, all_fig = Figure(LISTING_FRESH, []), Figure(ALL_FRESH, [])
    try:
        server = _Server(site, args.timeout)
    except RuntimeError as exc:
        page_fig.runs.append(Run(0.0, None, False, str(exc)))
        return [page_fig, all_fig]
    path: Path | None = None
    original = ""
    try:
        assert server.url is not None
        base = server.url if server.url.endswith("/") else server.url + "/"
        parts = urllib.parse.urlsplit(base)
        events = _BuildEvents(f"{parts.scheme}://{parts.netloc}")
        # The newest listing heads the feed, so an edit to it shows in every affected page.
        feed = _get(base + "feed.xml", timeout=30) or ""
        m = re.search(r'<entry xml:base="([^"]*?)listings/([^"/]+)/"', feed)
        if m is None:
            raise RuntimeError("no listing in the served feed.xml")
        public_base, slug = m.group(1), m.group(2)
        path = site / "content" / "listings" / f"{slug}.yaml"
        original = path.read_text()
        tm = re.search(r"^tags: \[(.*)\]$", original, re.M)
        tags = [t.strip() for t in tm.group(1).split(",")] if tm else []
        loc = f"<loc>{public_base}listings/{slug}/</loc>"
        last_second = 0
        for k in range(1, args.dev_edits + 1):
            # The sitemap's <lastmod> has whole seconds: save each edit in a new second, so that
            # the sitemap's change is visible.
            while int(time.time()) <= last_second:
                time.sleep(0.05)
            title = f"Bench edit {k} of"
            price = f"{900 + k}.{(k * 37) % 100:02d}"  # corpus prices stay under 480: unique
            text = re.sub(r'^title: "', f'title: "{title} ', original, count=1, flags=re.M)
            text = re.sub(r"^price: .*$", f"price: {price}", text, count=1, flags=re.M)
            pages: dict[str, tuple[str, tuple[str, ...]]] = {
                "listing": (base + f"listings/{slug}/", (title, f"${price}")),
                "home": (base, (f"${price}",)),
                "feed": (base + "feed.xml", (title,)),
                **{f"tag {t}": (base + f"tags/{t}/", (f"${price}",)) for t in tags},
            }
            # Each check must fail before the save, or it would prove nothing.
            before = {name: _get(url, timeout=30) or "" for name, (url, _) in pages.items()}
            sitemap_url = _sitemap_with(base, loc)
            old_sitemap = _get(sitemap_url, timeout=30) or ""
            stale = [name for name, (_, needles) in pages.items() if any(n in before[name] for n in needles)]
            builds_before = len(server.rebuilds())
            cpu_before = server.cpu()
            path.write_text(text)
            saved = time.perf_counter()
            mtime = path.stat().st_mtime
            last_second = int(mtime)
            lastmod = f"{loc}\n    <lastmod>{_iso_utc(mtime)}</lastmod>"
            if lastmod in old_sitemap:
                stale.append("sitemap")
            if stale:
                raise RuntimeError(f"edit {k} shows before it is saved in: {', '.join(stale)}")
            deadline = saved + args.timeout
            listing = _wait_fresh({"listing": pages.pop("listing")}, saved, deadline, events)
            if "listing" not in listing:
                page_fig.runs.append(
                    Run(args.timeout, None, False, f"listing page not fresh after {args.timeout:.0f} s")
                )
                break
            checks = {**pages, "sitemap": (sitemap_url, (lastmod,))}
            others = _wait_fresh(checks, saved, deadline, events)
            cpu = server.cpu() - cpu_before
            peak = server.peak / 2**20 if server.peak else None
            page_fig.runs.append(Run(listing["listing"], peak, True, cpu=cpu))
            late = sorted(set(checks) - set(others))
            if late:
                all_fig.runs.append(
                    Run(args.timeout, None, False, f"not fresh after {args.timeout:.0f} s: {', '.join(late)}")
                )
                break
            slowest = max(others.values())
            all_fig.runs.append(Run(max(slowest, listing["listing"]), peak, True, cpu=cpu))
            # Let the server finish (an editor's save can give a second, late event) before the next edit.
            time.sleep(0.3)
            built = server.rebuilds()[builds_before:]
            print(
                f"    dev server edit {k}: listing {listing['listing'] * 1000:.0f} ms, all {len(checks) + 1} pages"
                f" {max(slowest, listing['listing']) * 1000:.0f} ms (slowest: {max(others, key=others.__getitem__)});"
                f" server: rebuilt in {', '.join(map(str, built)) or '?'} ms",
                file=sys.stderr,
                flush=True,
            )
    except RuntimeError as exc:
        page_fig.runs.append(Run(0.0, None, False, str(exc)))
    finally:
        if path is not None and original:
            path.write_text(original)
        server.stop(args.timeout)
    # Peak over the whole session (first build included) on every run, as for the other rows.
    final = server.peak / 2**20 if server.peak else None
    for fig in (page_fig, all_fig):
        for r in fig.runs:
            if r.ok:
                r.peak_mb = final
    return [page_fig, all_fig]


def bench_size(n: int, args: argparse.Namespace) -> list[Figure]:
    t = time.perf_counter()
    root = corpus.write_corpus(args.workdir, n, args.description_scale, discard=set_aside)
    print(f"\nN = {n:,} listings  (corpus in {root}, ready in {time.perf_counter() - t:.1f} s)", flush=True)
    site = root / "makerfront"
    minimal = root / "makerfront-minimal"
    # The clean builds take turns (default theme, minimal theme, Hugo): this machine's disk gets
    # slower over a series of builds that each delete and recreate ~20,000 files, so builds
    # timed one tool after the other would compare different states of it.
    jobs = [
        Job(FULL, lambda: clean_makerfront(site), makerfront_cmd(site), site),
        Job(FULL_MINIMAL, lambda: clean_makerfront(minimal), makerfront_cmd(minimal, minimal / "themes"), minimal),
    ]
    hugo = shutil.which("hugo")
    if hugo and not args.no_hugo:
        h = root / "hugo"
        jobs.append(Job(HUGO, lambda: set_aside(h / "public"), [hugo, "--quiet", "-d", "public"], h))
    figures = alternate(jobs, args.runs, args.timeout)
    full = figures[0]
    if len(jobs) < 3:
        figures.append(Figure(HUGO, []))
    if full.ok:  # the default theme's output of its last clean build is there
        figures.append(
            repeat("makerfront no-change rebuild", args.runs, lambda: None, makerfront_cmd(site), site, args.timeout)
        )
        figures.append(one_edit(site, args))
    pelican = shutil.which("pelican") or (
        str(Path(sys.executable).parent / "pelican") if (Path(sys.executable).parent / "pelican").exists() else None
    )
    if pelican and not args.no_pelican:
        p = root / "pelican"
        figures.append(
            repeat(
                PELICAN,
                args.pelican_runs,
                lambda: set_aside(p / "output"),
                [pelican, "content", "-s", "pelicanconf.py", "-o", "output", "-q"],
                p,
                args.timeout,
            )
        )
    else:
        figures.append(Figure(PELICAN, []))
    if full.ok and not args.no_dev_server:
        figures += dev_server_edits(site, args)
    else:
        figures += [Figure(LISTING_FRESH, []), Figure(ALL_FRESH, [])]
    return figures


def report(n: int, figures: list[Figure]) -> None:
    print(f"\nResults for N = {n:,}")
    by = {f.name: f for f in figures}
    for f in figures:
        print(f.line())
    page, every = by[LISTING_FRESH], by[ALL_FRESH]
    if page.ok and every.ok:
        verdict = [
            f"listing page ≤ {TARGET_LISTING * 1000:.0f} ms {'met' if page.median <= TARGET_LISTING else 'MISSED'}",
            f"all affected pages ≤ {TARGET_ALL * 1000:.0f} ms {'met' if every.median <= TARGET_ALL else 'MISSED'}",
        ]
        print(f"  dev server targets (medians, from save to served): {'; '.join(verdict)}")
    hugo = by[HUGO]
    if hugo.ok:
        for name in (FULL_MINIMAL, FULL, "makerfront no-change rebuild", "makerfront one listing edited", PELICAN):
            f = by.get(name)
            if f is not None and f.ok:
                cpu_ratio = f.cpu / max(hugo.cpu, 1e-9)
                print(f"  ratio {name} / Hugo full build: wall {f.median / hugo.median:.2f}, CPU {cpu_ratio:.2f}")
        same = by[FULL_MINIMAL]
        if same.ok:
            ratio = same.median / hugo.median
            print(
                f"  clean build target (same minimal templates, medians): ratio {ratio:.2f} "
                f"{'met' if ratio <= 1.0 else 'MISSED'} (target ≤ 1.00)"
            )
    elif not hugo.runs:
        print("  Hugo skipped or not found (`apt-get install -y hugo` to compare)")
    if not by[PELICAN].runs:
        print("  Pelican skipped or not found (`pip install pelican` to compare)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000], help="listing counts")
    parser.add_argument("--large", action="store_true", help="also N = 50,000")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (default 3)")
    parser.add_argument("--pelican-runs", type=int, default=1, help="runs for Pelican, the slowest (default 1)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds before one run is abandoned")
    parser.add_argument("--workdir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "makerfront-bench")
    parser.add_argument("--no-hugo", action="store_true")
    parser.add_argument("--no-pelican", action="store_true")
    parser.add_argument("--no-dev-server", action="store_true", help="skip the dev-server edit latencies")
    parser.add_argument("--dev-edits", type=int, default=5, help="listing edits timed on the dev server (default 5)")
    parser.add_argument(
        "--keep-trash",
        action="store_true",
        help="leave the outputs of earlier builds in WORKDIR/trash instead of deleting them at the end "
        "(when runs follow each other: deleting them slows the next run's first builds)",
    )
    parser.add_argument(
        "--description-scale",
        type=int,
        default=1,
        metavar="K",
        help="descriptions K times as long (the same text K times): peak memory must not grow with them",
    )
    args = parser.parse_args()
    sizes = list(args.sizes) + ([50000] if args.large and 50000 not in args.sizes else [])
    print(f"makerfront benchmark: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}", flush=True)
    if args.description_scale != 1:
        print(f"descriptions {args.description_scale} times as long as usual", flush=True)
    if psutil is None:
        print("psutil not installed: peak memory is the largest single process only (pip install psutil)")
    if shutil.which("hugo"):
        print("Hugo: " + subprocess.run(["hugo", "version"], capture_output=True, text=True).stdout.strip())
    global TRASH
    TRASH = args.workdir / "trash"
    if (note := trash_note(args.workdir)) is not None:
        print(note, flush=True)
    try:
        results = [(n, bench_size(n, args)) for n in sizes]
    finally:
        if not args.keep_trash:
            empty_trash()
    for n, figures in results:
        report(n, figures)
    print("\nFigures from a shared 2-core machine are noisy; compare ratios within one run.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
