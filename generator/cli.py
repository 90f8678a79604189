"""Command line: build | serve | links. Content errors exit 1, usage errors exit 2."""

from __future__ import annotations

import argparse
import io
import json
import os
import shlex
import signal
import sys
import threading
import time
import traceback
from collections.abc import Sequence
from datetime import date
from functools import partial
from pathlib import Path
from typing import NoReturn

from . import __version__, buildcache
from .errors import BuildFailed, SiteError, display_path
from .schema import SCHEMA_DIR
from .secret import secret_fingerprint

# generator.pipeline (Jinja, Babel, Markdown, Pillow...) is imported only when there is something
# to build: a rebuild with nothing changed answers from the build cache in a fraction of a second.

COMMANDS = ("build", "serve", "links", "check", "init", "new", "schema")


def command_name(full: bool = False) -> str:
    """How the maker started makerfront: `python build.py` in this repository, else the
    `makerfront` command, so usage lines and hints show what they typed."""
    if Path(sys.argv[0]).name == "build.py":
        return "python build.py" if full else "build.py"
    return "makerfront"


def _base_url(value: str) -> str:
    """--base-url is checked like site.yaml's base_url; a bad one is a usage error (exit 2)."""
    from .config import base_url_problem  # here: config pulls in YAML, which the no-change path avoids

    if (problem := base_url_problem(value)) is not None:
        raise argparse.ArgumentTypeError(problem)
    return value


def _jobs(value: str) -> int:
    try:
        jobs = int(value)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"expected a number of worker processes, 1 or more, got {value!r}")
    return jobs


TODAY_VARIABLE = "MAKERFRONT_TODAY"
"""Environment variable with a default for --today (CI jobs and the test suite set it)."""


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a date written as YYYY-MM-DD, such as 2027-03-01, got {value!r}"
        ) from None


def pinned_date(args: argparse.Namespace) -> date | None:
    """The day given by --today, else by $MAKERFRONT_TODAY; None: the computer's date.
    Raises ArgumentTypeError for a malformed $MAKERFRONT_TODAY."""
    if args.today is not None:
        return args.today  # type: ignore[no-any-return]
    if value := os.environ.get(TODAY_VARIABLE, "").strip():
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"${TODAY_VARIABLE}: expected a date written as YYYY-MM-DD, got {value!r}"
            ) from None
    return None


def build_date(args: argparse.Namespace) -> date:
    """The day a build happens on: --today, else $MAKERFRONT_TODAY, else the computer's date.
    The only place makerfront reads the clock for a build (private listings expire by it)."""
    return pinned_date(args) or date.today()


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--content", type=Path, default=Path("content"), metavar="DIR", help="content folder (default: content)"
    )
    p.add_argument("--themes", type=Path, default=Path("themes"), metavar="DIR", help="themes folder (default: themes)")
    p.add_argument(
        "--base-url",
        type=_base_url,
        metavar="URL",
        help="use this base_url instead of the one in site.yaml for this build (preview deploys)",
    )
    p.add_argument(
        "--today",
        type=_day,
        metavar="YYYY-MM-DD",
        help=f"build as if it were this day, e.g. to see which private listings will have expired "
        f"(default: ${TODAY_VARIABLE}, else today)",
    )
    p.add_argument("--debug", action="store_true", help="show Python tracebacks")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=command_name(),
        description="makerfront: build a handmade maker's storefront from content/ into output/.",
    )
    parser.add_argument("--version", action="version", version=f"makerfront {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    b = sub.add_parser("build", help="build the site into the output folder (the default)")
    _common(b)
    b.add_argument("--output", type=Path, default=Path("output"), metavar="DIR", help="output folder (default: output)")
    b.add_argument("--jobs", type=_jobs, metavar="N", help="worker processes (default: one per CPU for large sites)")
    b.add_argument(
        "--no-cache",
        action="store_true",
        help=f"ignore the build cache ({buildcache.CACHE_DIR}/ next to the output) and build everything",
    )
    b.add_argument(
        "--wait",
        action="store_true",
        help="if another build of the same output folder is running, wait for it to end "
        "(default: stop at once with an error)",
    )
    s = sub.add_parser(
        "serve",
        help="preview the site in your browser; rebuilds and reloads on every save",
        description="Build the site in memory, serve it on this computer and rebuild whenever a file in the "
        "content or themes folder changes. Open pages reload by themselves. Nothing is written to output/.",
    )
    _common(s)
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this computer only)")
    s.add_argument("--port", type=int, default=8000, help="port (default: 8000; the next free one if taken)")
    s.add_argument("--open", action="store_true", help="open the preview in your web browser")
    lk = sub.add_parser(
        "links",
        help="print the address of every private listing, to send to its buyer",
        description="Print every private listing: title, buyer, expiry and its full address. "
        "The addresses depend on the site secret (MAKERFRONT_SECRET or .makerfront-secret).",
    )
    _common(lk)
    lk.add_argument("--json", action="store_true", help="print a JSON list instead of text")
    ck = sub.add_parser(
        "check",
        help="check every file for mistakes without building (writes nothing)",
        description="Read and check the content, the photos and the theme's templates (compiled, not run), and "
        "report every mistake in them as the build would. Nothing is written. Mistakes that show only while "
        "pages are made (a template using a field that does not exist, a private listing named on a public "
        "page) are found by build. Exit code 0: all good, 1: mistakes found.",
    )
    _common(ck)
    it = sub.add_parser(
        "init",
        help="make a new shop to start from",
        description="Make a complete starter shop in DIR (default: this folder): settings, your maker profile, "
        "two example listings, a shipping page, a photo, a .gitignore and a GitHub Pages workflow. "
        "Existing files are never overwritten.",
    )
    it.add_argument("dir", nargs="?", type=Path, default=Path("."), metavar="DIR", help="folder of the new shop")
    it.add_argument("--title", default="My Handmade Shop", help="name of the shop")
    it.add_argument("--base-url", default="https://example.com/", help="address the shop will have")
    it.add_argument("--language", default="en", help="language code of your text, e.g. en, de, ja, zh-CN")
    it.add_argument("--currency", default="USD", help="currency of your prices, e.g. USD, EUR, GBP, JPY")
    it.add_argument(
        "--force",
        action="store_true",
        help="add the starter files to a folder that is not empty (never replacing a file; where "
        "content/site.yaml exists, only the files around content/)",
    )
    it.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    nw = sub.add_parser(
        "new",
        help="add a listing: makerfront new listing SLUG",
        description="Write content/listings/SLUG.yaml from a template with every field explained.",
    )
    nw.add_argument("kind", choices=["listing"], help="what to add (listing)")
    nw.add_argument("slug", metavar="SLUG", help="the listing's name in its address, e.g. blue-bowl")
    nw.add_argument(
        "--content", type=Path, default=Path("content"), metavar="DIR", help="content folder (default: content)"
    )
    nw.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    sc = sub.add_parser(
        "schema",
        help="write JSON Schemas so your editor checks and completes fields as you type",
        description="Write JSON Schemas for site.yaml, maker.yaml and listings into DIR (default: .schemas). "
        "Editors with the YAML language server (VS Code's YAML extension) use them through the "
        "'# yaml-language-server: $schema=...' first line of each file.",
    )
    sc.add_argument("dir", nargs="?", type=Path, default=Path(SCHEMA_DIR), metavar="DIR")
    sc.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    return parser


def _print_errors(exc: BaseException, debug: bool) -> None:
    errors = exc.errors if isinstance(exc, BuildFailed) else [exc]
    _print_warnings(exc.warnings if isinstance(exc, BuildFailed) else [])
    for err in errors:
        print(f"error: {err}", file=sys.stderr)
        cause = err.__cause__
        while cause is not None and debug:
            print(f"  caused by: {cause}", file=sys.stderr)
            cause = cause.__cause__
    if debug:
        traceback.print_exception(exc)


def _print_warnings(warnings: Sequence[SiteError]) -> None:
    """Likely mistakes in the content that do not fail the build (load.RawDoc.warnings)."""
    for warning in sorted(warnings, key=SiteError.sort_key):
        print(f"warning: {warning}", file=sys.stderr)


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
        label = {"render": "Rendering pages", "photos": "Making photos"}.get(step, "Reading listings")
        sys.stderr.write(f"\r{label:<21} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}\x1b[K")
        sys.stderr.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def _waiting(output: Path, pid: int | None) -> None:
    holder = f" (pid {pid})" if pid else ""
    print(f"another build of {display_path(output)}/ is running{holder}; waiting...", file=sys.stderr, flush=True)


def cmd_build(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    today = build_date(args)  # once: the no-change check and the build must agree on what has expired
    if not args.no_cache:
        key = buildcache.BuildKey(
            content=args.content,
            themes=args.themes,
            base_url=args.base_url,
            today=today,
            secret=secret_fingerprint(args.content),
        )
        summary = buildcache.unchanged_since_last_build(key, args.output)
        if summary is not None:
            for note in summary.notes:
                print(f"note: {note}")
            print(
                f"Nothing changed: {summary.pages} pages ({summary.files} files) in {display_path(args.output)}/ "
                f"are up to date ({time.perf_counter() - started:.2f} s)."
            )
            return 0

    from .parallel import max_workers
    from .pipeline import BuildOptions, build_to

    if args.jobs is not None and args.jobs > max_workers():
        print(f"note: --jobs {args.jobs}: using at most {max_workers()} worker processes (two per CPU)")
    bar = ProgressBar() if ProgressBar.wanted() else None
    options = BuildOptions(
        content=args.content, themes=args.themes, base_url=args.base_url, today=today, jobs=args.jobs, progress=bar
    )
    try:
        try:
            result, stats = build_to(
                options, args.output, wait=args.wait, on_wait=partial(_waiting, args.output), clear_cache=args.no_cache
            )
        finally:
            if bar:
                bar.clear()
    except (BuildFailed, SiteError, OSError) as exc:
        if isinstance(exc, OSError):
            # The disk said no before anything was swapped in: a read-only or full disk, an
            # output folder under /proc, a name longer than the file system allows.
            exc = SiteError.from_os_error(
                exc,
                args.output,
                prefix="cannot write here: ",
                hint="build into a folder you can write to, with a short name, e.g. --output output",
            )
        _print_errors(exc, args.debug)
        n = len(exc.errors) if isinstance(exc, BuildFailed) else 1
        print(
            f"Build failed with {n} error{'s' if n != 1 else ''}; {display_path(args.output)}/ was left as it was.",
            file=sys.stderr,
        )
        return 1
    elapsed = time.perf_counter() - started
    _print_warnings(result.content_warnings)
    for warning in result.warnings:
        print(f"note: {warning}")
    print(
        f"Built {result.page_count} pages ({len(result.outputs)} files) into {display_path(args.output)}/ "
        f"in {elapsed:.2f} s: {stats.written} written, {stats.unchanged} unchanged, {stats.removed} removed."
    )
    if result.private_count:
        # Never the addresses themselves: build logs (CI) may be public.
        n = result.private_count
        print(
            f"{n} private listing{'s' if n != 1 else ''} written; "
            f"see {'their addresses' if n != 1 else 'its address'} with: {command_name(full=True)} links"
        )
    return 0


def cmd_links(args: argparse.Namespace) -> int:
    from .pipeline import BuildOptions, private_links

    options = BuildOptions(content=args.content, themes=args.themes, base_url=args.base_url, today=build_date(args))
    try:
        entries, notes = private_links(options)
    except (BuildFailed, SiteError) as exc:
        _print_errors(exc, args.debug)
        return 1
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    if args.json:
        print(json.dumps([e.as_json() for e in entries], indent=2, ensure_ascii=False))
        return 0
    if not entries:
        print("No private listings. Add 'private: true' to a listing to make one.")
        return 0
    print(f"{len(entries)} private listing{'s' if len(entries) != 1 else ''}:")
    for e in entries:
        print()
        print(e.title)
        print(f"  for:     {e.buyer or '(no buyer given)'}")
        if e.expires is None:
            print("  expires: never")
        else:
            print(f"  expires: {e.expires.isoformat()}{' (expired: no longer built)' if e.expired else ''}")
        print(f"  file:    {display_path(e.source)}")
        print(f"  url:     {e.url}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from .pipeline import BuildOptions, check_site

    options = BuildOptions(content=args.content, themes=args.themes, base_url=args.base_url, today=build_date(args))
    try:
        report = check_site(options)
    except (BuildFailed, SiteError) as exc:
        _print_errors(exc, args.debug)
        n = len(exc.errors) if isinstance(exc, BuildFailed) else 1
        print(f"Found {n} mistake{'s' if n != 1 else ''}; nothing was written.", file=sys.stderr)
        return 1
    _print_warnings(report.content_warnings)
    for note in report.notes:
        print(f"note: {note}")
    _print_untranslated(report.language, report.untranslated)
    print(
        f"No mistakes found: {report.listings} listing{'s' if report.listings != 1 else ''}, "
        f"{report.pages} page{'s' if report.pages != 1 else ''}, {report.photos} photo{'s' if report.photos != 1 else ''} "
        f"and {report.templates} templates checked."
    )
    return 0


def _print_untranslated(language: str, missing: Sequence[str]) -> None:
    """The shop's texts with no translation in its language (they show in English), as lines to
    copy under site.yaml `strings:`."""
    if not missing:
        return
    from .i18n import language_name, template_messages

    n = len(missing)
    print(
        f"note: {n} text{'s' if n != 1 else ''} of the shop {'have' if n != 1 else 'has'} no "
        f"{language_name(language)} ({language}) translation and show{'' if n != 1 else 's'} in English. "
        "To word them yourself, add them to site.yaml:"
    )
    print("  strings:")
    plural = {msgid for msgid, other in template_messages() if other}
    for msgid in missing:
        # A text that counts takes one wording per plural form of the language.
        print(f"    {json.dumps(msgid, ensure_ascii=False)}: {'[..., ...]' if msgid in plural else '...'}")


def _shown(path: Path) -> str:
    return display_path(path) + ("/" if path.is_dir() else "")


def cmd_init(args: argparse.Namespace) -> int:
    from .scaffold import ShopSettings, init_shop

    settings = ShopSettings(title=args.title, base_url=args.base_url, language=args.language, currency=args.currency)
    try:
        result = init_shop(args.dir, settings, force=args.force)
    except SiteError as exc:
        _print_errors(exc, args.debug)
        return 2 if exc.path is None else 1
    for path in result.kept:
        print(f"kept:    {display_path(path)} (already there)")
    if result.existing_shop:
        content = display_path(args.dir / "content")
        print(
            f"kept:    {content}/ as it is: a shop is already there, so no example listings, photos or pages were added"
        )
    where = _shown(args.dir)
    n = len(result.written)
    if not n:
        print(f"Nothing added: every starter file is already in {where}. Next:")
    elif result.existing_shop:
        print(f"Added {n} file{'s' if n != 1 else ''} around the shop in {where}. Next:")
    else:
        print(f"Made a new shop in {where} ({n} file{'s' if n != 1 else ''}). Next:")
    go = "" if args.dir.resolve() == Path.cwd().resolve() else f"cd {shlex.quote(display_path(args.dir))} && "
    steps = [
        (f"{go}makerfront build", "build the shop into output/"),
        ("makerfront serve --open", "look at it in your browser; it updates as you edit content/"),
    ]
    width = max(len(command) for command, _ in steps) + 2
    for command, comment in steps:
        print(f"  {command.ljust(width)}# {comment}")
    return 0


def _new_slug_after_dashes(args_list: list[str]) -> list[str]:
    """`new listing -x`: argparse would read -x as an option and say only that SLUG is missing;
    put a `--` before it so the name reaches new_listing, which says what is wrong with it."""
    if args_list[:1] != ["new"] or "--" in args_list:
        return args_list
    positionals = 0
    i = 1
    while i < len(args_list):
        arg = args_list[i]
        if arg == "--content" or arg.startswith("--content="):
            i += 2 if arg == "--content" else 1
            continue
        if arg in ("--debug", "-h", "--help"):
            i += 1
            continue
        if arg.startswith("-") and positionals == 1:
            return [*args_list[:i], "--", *args_list[i:]]
        if not arg.startswith("-"):
            positionals += 1
        i += 1
    return args_list


def cmd_new(args: argparse.Namespace) -> int:
    from .scaffold import new_listing

    try:
        path = new_listing(args.content, args.slug)
    except SiteError as exc:
        _print_errors(exc, args.debug)
        return 1
    print(
        f"Wrote {display_path(path)}: fill it in, put its photo in {display_path(args.content / 'images')}/, then run:"
    )
    print("  makerfront check")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from .schema import write_schemas

    try:
        written = write_schemas(args.dir)
    except OSError as exc:
        print(f"error: {SiteError.from_os_error(exc, args.dir, prefix='cannot write the schemas: ')}", file=sys.stderr)
        return 1
    print(f"Wrote {len(written)} JSON Schemas into {_shown(args.dir)}: " + ", ".join(p.name for p in written))
    print("Start a content file with a line such as  # yaml-language-server: $schema=../.schemas/site.schema.json")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    # Imported here so `build` does not load the HTTP server and watchdog.
    from .devserver import DevServer, DevServerError, PipelineRebuild, watch_roots

    if not args.content.is_dir():
        print(f"error: {display_path(args.content)}: the content folder does not exist", file=sys.stderr)
        return 1
    if not 0 <= args.port <= 65535:
        print(f"error: --port must be between 0 and 65535, got {args.port}", file=sys.stderr)
        return 2
    from .pipeline import BuildOptions

    # Worker processes for the first build only (PipelineRebuild): the server then runs threads.
    # Without --today, each rebuild takes the day it runs on: a preview left open over midnight
    # drops the private listings that expired.
    pinned = pinned_date(args)
    options = BuildOptions(content=args.content, themes=args.themes, base_url=args.base_url, today=build_date(args))
    dev = DevServer(
        PipelineRebuild(options, clock=None if pinned else date.today),
        roots=watch_roots(args.content, args.themes),
        host=args.host,
        port=args.port,
        debug=args.debug,
    )
    # Ctrl-C (or SIGTERM) only sets a flag, so the server is always stopped the same, clean way,
    # even when it arrives during the first build.
    stop = threading.Event()
    previous = {}
    if threading.current_thread() is threading.main_thread():
        previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            dev.start()
        except DevServerError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        try:
            print(f"Serving the preview at {dev.url}  (press Ctrl-C to stop)", flush=True)
            if dev.host not in ("127.0.0.1", "localhost", "::1"):
                print(
                    f"note: listening on {dev.host}: other computers on your network can see the preview.", flush=True
                )
            if args.open and not stop.is_set():
                import webbrowser

                # In a thread: a terminal browser named in $BROWSER runs until it quits.
                threading.Thread(target=webbrowser.open, args=(dev.url,), daemon=True).start()
            while not stop.wait(0.5):
                pass
        finally:
            dev.stop()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("Stopped.", flush=True)
    return 0


def run() -> NoReturn:
    """``python build.py`` and the ``makerfront`` command: main(), then exit with its status."""
    sys.exit(main())


def _printable_output() -> None:
    """Let stdout and stderr print any file name. A name that is not UTF-8 reaches Python with
    its bytes kept as lone surrogates, which a strict UTF-8 terminal refuses to print: an error
    after the build was written. They are printed as escapes instead (caf\\udce9.yaml)."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            stream.reconfigure(errors="backslashreplace")


STOPPED = (
    "makerfront: stopped (Ctrl-C). The output folder holds a complete build: the one before, "
    "or this one if it was already written."
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; its exit status. Ctrl-C stops a build with a sentence, not a traceback
    (the write step's cleanup has run by then: see write.py)."""
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print(f"\n{STOPPED}", file=sys.stderr)
        return 130


def _main(argv: Sequence[str] | None) -> int:
    _printable_output()
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or (args_list[0] not in COMMANDS and args_list[0] not in ("-h", "--help", "--version")):
        args_list.insert(0, "build")
    parser = make_parser()
    args = parser.parse_args(_new_slug_after_dashes(args_list))
    if hasattr(args, "today"):
        try:
            pinned_date(args)
        except argparse.ArgumentTypeError as exc:
            parser.error(str(exc))
    if args.command == "build":
        return cmd_build(args)
    if args.command == "serve":
        return cmd_serve(args)
    if args.command == "links":
        return cmd_links(args)
    if args.command == "check":
        return cmd_check(args)
    if args.command == "init":
        return cmd_init(args)
    if args.command == "new":
        return cmd_new(args)
    if args.command == "schema":
        return cmd_schema(args)
    parser.print_help()
    return 2
