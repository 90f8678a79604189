"""Command line: build | serve | links. Content errors exit 1, usage errors exit 2."""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from . import __version__, buildcache
from .errors import BuildFailed, SiteError, display_path

# generator.pipeline (Jinja, Babel, Markdown, Pillow...) is imported only when there is something
# to build: a rebuild with nothing changed answers from the build cache in a fraction of a second.

COMMANDS = ("build", "serve", "links")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--content", type=Path, default=Path("content"), metavar="DIR", help="content folder (default: content)"
    )
    p.add_argument("--themes", type=Path, default=Path("themes"), metavar="DIR", help="themes folder (default: themes)")
    p.add_argument("--base-url", metavar="URL", help="use this base_url instead of the one in site.yaml")
    p.add_argument("--debug", action="store_true", help="show Python tracebacks")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="build.py",
        description="makerfront: build a handmade maker's storefront from content/ into output/.",
    )
    parser.add_argument("--version", action="version", version=f"makerfront {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    b = sub.add_parser("build", help="build the site into the output folder (the default)")
    _common(b)
    b.add_argument("--output", type=Path, default=Path("output"), metavar="DIR", help="output folder (default: output)")
    b.add_argument("--jobs", type=int, metavar="N", help="worker processes (default: one per CPU for large sites)")
    b.add_argument(
        "--no-cache",
        action="store_true",
        help=f"ignore the build cache ({buildcache.CACHE_DIR}/ next to the output) and build everything",
    )
    return parser


def _print_errors(exc: BaseException, debug: bool) -> None:
    errors = exc.errors if isinstance(exc, BuildFailed) else [exc]
    for err in errors:
        print(f"error: {err}", file=sys.stderr)
        cause = err.__cause__
        while cause is not None and debug:
            print(f"  caused by: {cause}", file=sys.stderr)
            cause = cause.__cause__
    if debug:
        traceback.print_exception(exc)


class ProgressBar:
    """A one-line progress bar on stderr, for builds long enough to need one. Only on a terminal:
    CI logs and pipes get the summary line alone."""

    DELAY = 1.0
    """Seconds before the bar first appears (quick builds never show it)."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.shown = False
        self.last = 0.0

    @staticmethod
    def wanted() -> bool:
        return sys.stderr.isatty() and not os.environ.get("CI") and os.environ.get("TERM") != "dumb"

    def __call__(self, step: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if now - self.started < self.DELAY or (now - self.last < 0.1 and done < total):
            return
        self.last = now
        width = 30
        filled = width * done // max(total, 1)
        label = "Rendering pages" if step == "render" else "Reading listings"
        sys.stderr.write(f"\r{label:<21} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}\x1b[K")
        sys.stderr.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def cmd_build(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    if not args.no_cache:
        key = buildcache.BuildKey(content=args.content, themes=args.themes, base_url=args.base_url, today=date.today())
        summary = buildcache.unchanged_since_last_build(key, args.output)
        if summary is not None:
            for note in summary.notes:
                print(f"note: {note}")
            print(
                f"Nothing changed: {summary.pages} pages ({summary.files} files) in {display_path(args.output)}/ "
                f"are up to date ({time.perf_counter() - started:.2f} s)."
            )
            return 0
    else:
        import shutil

        shutil.rmtree(buildcache.cache_dir_for(args.output), ignore_errors=True)

    from .pipeline import BuildOptions, build_to

    bar = ProgressBar() if ProgressBar.wanted() else None
    options = BuildOptions(
        content=args.content, themes=args.themes, base_url=args.base_url, jobs=args.jobs, progress=bar
    )
    try:
        try:
            result, stats = build_to(options, args.output)
        finally:
            if bar:
                bar.clear()
    except (BuildFailed, SiteError) as exc:
        _print_errors(exc, args.debug)
        n = len(exc.errors) if isinstance(exc, BuildFailed) else 1
        print(
            f"Build failed with {n} error{'s' if n != 1 else ''}; {display_path(args.output)}/ was left as it was.",
            file=sys.stderr,
        )
        return 1
    elapsed = time.perf_counter() - started
    for warning in result.warnings:
        print(f"note: {warning}")
    print(
        f"Built {result.page_count} pages ({len(result.outputs)} files) into {display_path(args.output)}/ "
        f"in {elapsed:.2f} s: {stats.written} written, {stats.unchanged} unchanged, {stats.removed} removed."
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or (args_list[0] not in COMMANDS and args_list[0] not in ("-h", "--help", "--version")):
        args_list.insert(0, "build")
    parser = make_parser()
    args = parser.parse_args(args_list)
    if args.command == "build":
        return cmd_build(args)
    parser.print_help()
    return 2
