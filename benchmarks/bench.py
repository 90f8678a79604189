#!/usr/bin/env python3
"""makerfront vs Hugo vs Pelican on a synthetic storefront.

    python benchmarks/bench.py                 # N = 1,000 and 10,000
    python benchmarks/bench.py --sizes 1000    # just one size
    python benchmarks/bench.py --large         # adds N = 50,000
    python benchmarks/bench.py --runs 5

For each N it writes a deterministic corpus (benchmarks/corpus.py) once under --workdir, then
times, as separate processes: makerfront's full clean build (output and build cache deleted
first), makerfront's rebuild with nothing changed, Hugo's full build and Pelican's full build of
the same listings with equivalent minimal templates. Each figure is the median (min-max) wall time
of --runs runs, and the peak memory of the whole process tree (the sum over the build process and
its workers of the proportional set size, PSS, sampled every 20 ms; plain RSS where PSS is not
available). Hugo and Pelican are only detected, never required: install them with
`apt-get install hugo` and `pip install pelican` (or `pip install -e '.[bench]'`).

The machine this runs on is shared and small (2 cores), so the figures are noisy: compare ratios
from one run of this script, not absolute times across runs.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
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


def measure(cmd: list[str], cwd: Path, timeout: float) -> Run:
    """Run cmd, sampling the memory of its process tree; wall time from start to exit."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        if psutil is None:
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
    if psutil is None:
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # largest child only
    if proc.returncode != 0:
        return Run(seconds, None, False, err.decode(errors="replace").strip().splitlines()[-1:][0] if err else "")
    return Run(seconds, peak / 2**20 if peak else None, True, cpu=cpu)


@dataclass
class Figure:
    name: str
    runs: list[Run]

    @property
    def ok(self) -> bool:
        return bool(self.runs) and all(r.ok for r in self.runs)

    @property
    def median(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    def line(self) -> str:
        if not self.runs:
            return f"  {self.name:<34} skipped"
        if not self.ok:
            bad = next(r for r in self.runs if not r.ok)
            return f"  {self.name:<34} FAILED: {bad.note}"
        secs = [r.seconds for r in self.runs]
        mem = [r.peak_mb for r in self.runs if r.peak_mb is not None]
        mem_text = f"peak {max(mem):7.0f} MB" if mem else "peak memory n/a"
        cpu = statistics.median(r.cpu for r in self.runs)
        return (
            f"  {self.name:<30} median {self.median:7.3f} s  (min {min(secs):.3f}, max {max(secs):.3f}, "
            f"{len(secs)} runs)  CPU {cpu:7.2f} s  {mem_text}"
        )


def makerfront_cmd(site: Path) -> list[str]:
    return [
        sys.executable,
        str(REPO / "build.py"),
        "--content",
        str(site / "content"),
        "--output",
        str(site / "output"),
        "--themes",
        str(REPO / "themes"),
    ]


def clean_makerfront(site: Path) -> None:
    shutil.rmtree(site / "output", ignore_errors=True)
    shutil.rmtree(site / ".makerfront-cache", ignore_errors=True)


def repeat(name: str, runs: int, prepare, cmd: list[str], cwd: Path, timeout: float) -> Figure:
    fig = Figure(name, [])
    for _ in range(runs):
        prepare()
        run = measure(cmd, cwd, timeout)
        fig.runs.append(run)
        print(f"    {name}: {run.seconds:.3f} s{'' if run.ok else ' FAILED ' + run.note}", file=sys.stderr, flush=True)
        if not run.ok:
            break
    return fig


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


def bench_size(n: int, args: argparse.Namespace) -> list[Figure]:
    t = time.perf_counter()
    root = corpus.write_corpus(args.workdir, n)
    print(f"\nN = {n:,} listings  (corpus in {root}, ready in {time.perf_counter() - t:.1f} s)", flush=True)
    site = root / "makerfront"
    figures: list[Figure] = []
    full = repeat(
        "makerfront full clean build",
        args.runs,
        lambda: clean_makerfront(site),
        makerfront_cmd(site),
        site,
        args.timeout,
    )
    figures.append(full)
    if full.ok:
        figures.append(
            repeat("makerfront no-change rebuild", args.runs, lambda: None, makerfront_cmd(site), site, args.timeout)
        )
        figures.append(one_edit(site, args))
    hugo = shutil.which("hugo")
    if hugo and not args.no_hugo:
        h = root / "hugo"
        figures.append(
            repeat(
                "Hugo full build",
                args.runs,
                lambda: shutil.rmtree(h / "public", ignore_errors=True),
                [hugo, "--quiet", "-d", "public"],
                h,
                args.timeout,
            )
        )
    else:
        figures.append(Figure("Hugo full build", []))
    pelican = shutil.which("pelican") or (
        str(Path(sys.executable).parent / "pelican") if (Path(sys.executable).parent / "pelican").exists() else None
    )
    if pelican and not args.no_pelican:
        p = root / "pelican"
        figures.append(
            repeat(
                "Pelican full build",
                args.pelican_runs,
                lambda: shutil.rmtree(p / "output", ignore_errors=True),
                [pelican, "content", "-s", "pelicanconf.py", "-o", "output", "-q"],
                p,
                args.timeout,
            )
        )
    else:
        figures.append(Figure("Pelican full build", []))
    figures.append(Figure("dev server, one listing edited", []))
    return figures


def report(n: int, figures: list[Figure]) -> None:
    print(f"\nResults for N = {n:,}")
    by = {f.name: f for f in figures}
    for f in figures:
        if f.name.startswith("dev server"):
            has_serve = (REPO / "generator" / "devserver.py").exists()
            print(f"  {f.name:<34} not measured" + ("" if has_serve else " (no dev server in this checkout)"))
            continue
        print(f.line())
    hugo = by["Hugo full build"]
    if hugo.ok:
        for name in (
            "makerfront full clean build",
            "makerfront no-change rebuild",
            "makerfront one listing edited",
            "Pelican full build",
        ):
            f = by.get(name)
            if f is not None and f.ok:
                cpu_ratio = statistics.median(r.cpu for r in f.runs) / max(
                    statistics.median(r.cpu for r in hugo.runs), 1e-9
                )
                print(f"  ratio {name} / Hugo full build: wall {f.median / hugo.median:.2f}, CPU {cpu_ratio:.2f}")
    elif not hugo.runs:
        print("  Hugo skipped or not found (`apt-get install -y hugo` to compare)")
    if not by["Pelican full build"].runs:
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
    args = parser.parse_args()
    sizes = list(args.sizes) + ([50000] if args.large and 50000 not in args.sizes else [])
    print(f"makerfront benchmark: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}", flush=True)
    if psutil is None:
        print("psutil not installed: peak memory is the largest single process only (pip install psutil)")
    if shutil.which("hugo"):
        print("Hugo: " + subprocess.run(["hugo", "version"], capture_output=True, text=True).stdout.strip())
    results = [(n, bench_size(n, args)) for n in sizes]
    for n, figures in results:
        report(n, figures)
    print("\nFigures from a shared 2-core machine are noisy; compare ratios within one run.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
