"""`python build.py serve`: serve the site from memory, rebuild on every save, reload the browser.

One process, three kinds of threads:

- watchdog's observer, whose handler only queues events (it never builds);
- one rebuild thread, which waits for a short quiet window so an editor's burst of events gives one
  rebuild, asks `watch.classify` what changed, and calls the rebuild function. Events that arrive
  while a build runs are queued, so a running build is followed by exactly one more;
- the HTTP server (`ThreadingHTTPServer`, one thread per request), which never waits for a build.

The site is served from an in-memory `{output path: bytes | Path}` that is swapped in only after a
successful build. A failed build keeps the last good site and adds an error overlay to every HTML
page. Nothing is written to the output folder.

Live reload: every HTML page is served with a small script that opens the reload stream (Server-Sent
Events) with the build the page was served from and the page's own path. The stream says only
"this page changed" and only about that path (what it shows is decided by its own output, and while
that is missing, by 404.html): it never names an output, so a script on a public page cannot learn
where the private listings are (see `BuildState.concerns`).

Every response carries a Content-Security-Policy (`page_policy`): on pages, only the site's own
scripts (its files, the inline scripts the built page contains, by hash) and the reload script (by a
nonce made for that response) may run, so nothing a request puts into a page can.
"""

from __future__ import annotations

import base64
import bisect
import dataclasses
import errno
import functools
import gc
import hashlib
import html
import ipaddress
import json
import mimetypes
import os
import queue
import re
import secrets
import socket
import socketserver
import sys
import threading
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from watchdog.events import FileSystemEvent, FileSystemEventHandler

from .buildcache import Fingerprint, fingerprint
from .errors import BuildFailed, ErrorList, SiteError
from .load import _is_editor_junk
from .model import Listing
from .pipeline import BuildOptions, BuildResult, build, read_listings
from .plan import listing_page
from .theme import BUILTIN_THEMES
from .watch import FULL_BUILD, Change, ChangeSet, EventKind, FileEvent, WatchRoots, classify, collect_batch
from .write import Content

HISTORY = 100
"""Builds the server remembers the changed files of, for pages that reconnect to the reload stream."""

EVENTS_PATH = "/__makerfront/events"
"""The live-reload stream. Outside any base_url path, so it never collides with a page."""

QUIET_SECONDS = 0.03
"""How long no event must arrive before a rebuild starts (an editor's save burst takes a few ms)."""
MAX_WAIT_SECONDS = 1.0
"""Rebuild anyway after this long, when events never stop (copying many photos into content/)."""
PORT_TRIES = 20
KEEPALIVE_SECONDS = 15.0
"""How often the reload stream sends a comment while nothing changes, to notice closed connections."""
LISTEN_BACKLOG = 1024
"""Connections the kernel holds until the server accepts them (capped by net.core.somaxconn).
socketserver's default of 5 dropped connection attempts when a few hundred arrived at once, and a
dropped attempt is retried by the client's system only after a second or more."""
NOT_FOUND_PAGE = "404.html"

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".xml": "application/xml",
    ".atom": "application/atom+xml",
    ".rss": "application/rss+xml",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".pdf": "application/pdf",
}
"""Explicit, because mimetypes depends on the machine's /etc/mime.types (and misses .webmanifest)."""


def content_type(path: str) -> str:
    suffix = os.path.splitext(path)[1].lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path)
    return guessed or "application/octet-stream"


class DevServerError(Exception):
    """The server cannot start (port taken, host unknown)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class BuiltSite:
    """What the server serves: one complete, successful build."""

    outputs: Mapping[str, Content]
    """Output path ('listings/mug/index.html') -> rendered bytes, or a file to send as it is."""
    base_path: str = "/"
    """Path part of base_url ('/' or '/shop/'); the site is served under it."""
    pages: int = 0
    """Number of pages, for the terminal."""


Rebuild = Callable[[ChangeSet], BuiltSite]
"""Builds the site after the given changes (FULL_BUILD: everything). Raises BuildFailed or SiteError
for mistakes in the content; any other exception is a bug, shown the same way."""


class PipelineRebuild:
    """The real rebuild, doing no more than each change needs:

    - edits to existing static files: no build at all (the outputs point at those files and the
      server reads them when asked);
    - listing files created, edited or deleted: only those files are read again (on top of the
      last build's content, with its theme);
    - theme changes (and new or removed static files): the content already loaded is planned and
      rendered again;
    - anything else in the content (site.yaml, maker.yaml, pages, photos): everything is read again.

    Each is the same `pipeline.build`, given what the last build left (BuildResult.reuse): a page
    is rendered again only if its inputs changed (depends.py), so the result is the one a build
    from scratch gives, byte for byte.

    After a failed build the next one is full, so every error still in the content is reported.
    """

    def __init__(self, options: BuildOptions, clock: Callable[[], date] | None = None) -> None:
        # Worker processes only while no other thread runs (the first build, before the server
        # starts watching and serving): a fork while another thread holds a lock (logging, the
        # HTTP server, the watcher) can leave the child stuck forever.
        self.options = dataclasses.replace(options, jobs=1)
        self._first_jobs = options.jobs
        self.clock = clock
        """Gives the build date of each rebuild; None: always options.today."""
        self._last: BuildResult | None = None
        """Last successful build, or None when the latest build failed (then the next one is full)."""
        self.last_update: BuildResult | None = None
        """The latest rebuild after edits to listing files only (None after any other kind)."""
        self.preview: Callable[[str, bytes], None] | None = None
        """Given an edited listing's page before the rest of such a rebuild (the server serves it
        at once; see preview_edits)."""

    def __call__(self, changes: ChangeSet) -> BuiltSite:
        last, self._last = self._last, None
        self.last_update = None
        if self.clock is not None and (today := self.clock()) != self.options.today:
            self.options = dataclasses.replace(self.options, today=today)
            last = None  # a new day: private listings may have expired, so build everything
        listing_files = self._listing_files(changes)
        if last is not None and changes.only_modified_static:
            result = last
        elif last is not None and listing_files:
            if self.preview is not None:
                preview_edits(last, listing_files, self.options, self.preview)
            result = self.last_update = build(self.options, last.reuse(content=True, theme=True, edited=listing_files))
        elif last is not None and changes and not changes.needs_full_build:
            result = build(self.options, last.reuse(content=True))
        else:
            alone = threading.active_count() == 1
            options = dataclasses.replace(self.options, jobs=self._first_jobs) if alone else self.options
            result = build(options, last.reuse() if last is not None else None)
        self._last = result
        _settle_heap(full=self.last_update is None)
        return BuiltSite(outputs=result.outputs, base_path=result.site.config.base_path, pages=result.page_count)

    def _listing_files(self, changes: ChangeSet) -> list[Path]:
        """The changed files as the build names them, when all are listing files; else []."""
        files = [listing_file(f.path, self.options) for f in changes.files]
        return [f for f in files if f is not None] if changes and None not in files else []


def listing_file(path: Path, options: BuildOptions) -> Path | None:
    """``path`` (absolute, as the watcher reports it) as the build names it,
    ``options.content/listings/<name>.yaml``, when it is a listing file."""
    listings = (options.content / "listings").resolve()
    if path.parent != listings or path.suffix != ".yaml" or _is_editor_junk(path.name):
        return None
    return options.content / "listings" / path.name


def preview_edits(
    last: BuildResult, files: Sequence[Path], options: BuildOptions, preview: Callable[[str, bytes], None]
) -> None:
    """Give ``preview(output path, page)`` the page of each edited listing that already had one,
    rendered by the last build's renderer before the rebuild, so the server can show it at once.

    Only in a shop that had no private listing (``last.secret`` is None) and gets none from these
    edits: such a page has not been through the leak guard, which needs the whole build; and only
    when the files have no mistakes (the rebuild reports them). Every other listing is as the last
    build planned it; the file that had the listing's address keeps it, so no other listing can
    take it. Costs a few milliseconds (the edited files are read twice)."""
    errors = ErrorList()
    read = read_listings(last.site, files, options, errors)
    if errors or last.secret is not None or any(x is not None and x.private for x in read.values()):
        return
    listings = last.site.listings  # sorted by slug (model.merge_listings)
    for path, listing in read.items():
        if listing is None:
            continue
        i = bisect.bisect_left(listings, listing.slug, key=_slug)
        old = listings[i] if i < len(listings) else None
        if old is None or old.slug != listing.slug or old.source.path != path or old.private:
            continue
        page = listing_page(listing)
        html = last.renderer.preview_page(page, listing)
        if html is not None:
            preview(page.output, html)


def _slug(listing: Listing) -> str:
    return listing.slug


def _settle_heap(full: bool) -> None:
    """Keep the site just built out of the garbage collector's way (gc.freeze): a large shop is
    millions of long-lived objects, and a full collection walking all of them in the middle of the
    next rebuild costs more than the rebuild itself (a 10,000-listing shop: ~0.3 s against a
    target of 0.5 s). After a full build, what the previous build left is collected first, so
    nothing frozen earlier stays in memory for the rest of the session."""
    if full:
        gc.unfreeze()
        gc.collect()
    gc.freeze()


def _differences(before: Fingerprint, after: Fingerprint) -> list[FileEvent]:
    """The file events that would have turned `before` into `after`."""
    events = [FileEvent("deleted", path) for path in before if path not in after]
    for path, stamp in after.items():
        if path not in before:
            events.append(FileEvent("created", path))
        elif before[path] != stamp:
            events.append(FileEvent("modified", path))
    return sorted(events, key=lambda e: e.path)


def watch_roots(content: Path, themes: Path) -> WatchRoots:
    """The content folder, the themes folder and the built-in themes (when not the same folder)."""
    theme_roots: list[Path] = []
    for folder in (themes, BUILTIN_THEMES):
        if folder.is_dir() and folder.resolve() not in theme_roots:
            theme_roots.append(folder.resolve())
    return WatchRoots(content=content.resolve(), themes=tuple(theme_roots))


# -- build state shared by the threads ----------------------------------------------------------


_BUILD_KEY = re.compile(r"([0-9a-f]{8})-([0-9]{1,12})")
"""A build key as pages carry it: the server run, then the build number."""


class BuildState:
    """The last good site, the errors of the latest build, and a build counter browsers wait on."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._site: BuiltSite | None = None
        self._errors: tuple[str, ...] = ()
        self._version = 0
        self._history: dict[int, frozenset[str] | None] = {}
        """Version -> the output paths that differ from the version before (None: anything may
        have), for the last HISTORY versions."""
        # A new key on every server start, so a page from a previous run reloads when it reconnects.
        self._instance = secrets.token_hex(4)
        self._closed = False

    def _key(self) -> str:
        return f"{self._instance}-{self._version}"

    def snapshot(self) -> tuple[BuiltSite | None, tuple[str, ...], str]:
        with self._cond:
            return self._site, self._errors, self._key()

    def succeeded(self, site: BuiltSite, changed: frozenset[str] | None = None) -> None:
        """Serve ``site`` from now on. ``changed``: the output paths that differ from the site
        served until now, when known, so browsers showing other pages need not reload."""
        with self._cond:
            if self._errors or self._site is None or self._site.base_path != site.base_path:
                changed = None  # every page loses its error overlay, or moves
            self._site, self._errors = site, ()
            self._new_version(changed)

    def failed(self, errors: tuple[str, ...]) -> None:
        with self._cond:
            self._errors = errors
            self._new_version(None)

    def _new_version(self, changed: frozenset[str] | None) -> None:
        self._version += 1
        self._history[self._version] = changed
        self._history.pop(self._version - HISTORY, None)
        self._cond.notify_all()

    def build_number(self, key: str | None) -> int | None:
        """The build of this server run that ``key`` names (None: the current one), or None for
        a key this run never gave out (a page from a previous run). ValueError: not a build key."""
        with self._cond:
            if key is None:
                return self._version
            match = _BUILD_KEY.fullmatch(key)
            if match is None:
                raise ValueError("since is not a build key")
            number = int(match[2])
            return number if match[1] == self._instance and number <= self._version else None

    def concerns(self, after: int | None, path: str | None) -> tuple[bool, int]:
        """Whether the builds since build ``after`` changed what the page at ``path`` shows, and
        the current build. True also when that is not known (``after`` None, a failed build, a
        build too long ago, a photo or template edited) and, for no ``path``, after any build.

        The answer is about ``path`` alone (see `deciding_outputs`), so a page learns whether it
        changed, which it could also learn by fetching itself, and nothing about any other page."""
        with self._cond:
            current = self._version
            if after is None:
                return True, current
            changed: set[str] = set()
            for version in range(after + 1, current + 1):
                step = self._history.get(version)
                if step is None:
                    return True, current
                changed.update(step)
            if after >= current:
                return False, current
            if path is None or self._site is None:
                return True, current
            return not changed.isdisjoint(deciding_outputs(self._site, path)), current

    def wait_for_build(self, after: int, timeout: float) -> int | None:
        """The current build number once it is past ``after`` (or after ``timeout``); None once
        the server stops."""
        with self._cond:
            self._cond.wait_for(lambda: self._closed or self._version != after, timeout)
            return None if self._closed else self._version

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()


# -- what the server adds to HTML pages ---------------------------------------------------------


def script_literal(value: object) -> str:
    """``value`` as a JavaScript literal that is safe inside an inline <script>: JSON, with '<',
    '>' and '&' escaped (no '</script>' or '<!--' can end or change the element) and U+2028 and
    U+2029 too (line ends in older JavaScript)."""
    text = json.dumps(value, ensure_ascii=False)
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return text


def reload_script(key: str, nonce: str) -> str:
    """Reloads the page when a build changes what it shows. The page connects to the reload stream
    with the build it was served from (``key``) and its own path, which it takes from its address:
    nothing from the request is written into the page. When the connection drops, it connects
    again after a second, and is told at once if it changed meanwhile (or the server restarted).

    The same script makes the error overlay's button work (no inline event handler: the
    Content-Security-Policy allows none)."""
    return (
        f'<script nonce="{html.escape(nonce)}" data-build="{html.escape(key)}">'
        "/* makerfront serve: live reload (never in built files) */"
        '(function(){var built=document.currentScript.getAttribute("data-build");'
        'var hide=document.getElementById("makerfront-hide-error");'
        'if(hide){hide.addEventListener("click",function(){hide.parentNode.remove();});}'
        "function connect(){var es=new EventSource("
        + script_literal(EVENTS_PATH + "?since=")
        + '+encodeURIComponent(built)+"&path="+encodeURIComponent(location.pathname));'
        'es.addEventListener("build",function(){es.close();location.reload();});'
        "es.onerror=function(){es.close();setTimeout(connect,1000);};}"
        "connect();})();</script>"
    )


_OVERLAY_STYLE = (
    "position:fixed;left:0;right:0;top:0;z-index:2147483647;max-height:85vh;overflow:auto;box-sizing:border-box;"
    "margin:0;padding:1rem 1.25rem;background:#4a1210;color:#fff;text-align:left;"
    "font:15px/1.5 system-ui,sans-serif;box-shadow:0 4px 24px rgba(0,0,0,.45)"
)


def error_overlay(errors: tuple[str, ...], has_site: bool) -> str:
    """The build errors, escaped, in a banner over the page."""
    n = len(errors)
    heading = f"The site could not be built: {n} error{'s' if n != 1 else ''}"
    note = (
        "You are looking at the last version that worked. Fix the file and save: this page reloads by itself."
        if has_site
        else "Fix the file and save: this page reloads by itself."
    )
    items = "".join(
        '<pre style="white-space:pre-wrap;margin:.5rem 0 0;padding:.5rem .75rem;background:rgba(0,0,0,.3);'
        'font:14px/1.45 ui-monospace,Menlo,Consolas,monospace">' + html.escape(e) + "</pre>"
        for e in errors
    )
    return (
        f'<div id="makerfront-build-error" role="alert" style="{_OVERLAY_STYLE}">'
        f'<strong style="font-size:17px">{html.escape(heading)}</strong>'
        f'<p style="margin:.25rem 0 0">{html.escape(note)}</p>{items}'
        '<button type="button" id="makerfront-hide-error" style="margin-top:.75rem;font:inherit;'
        'padding:.25rem .75rem;cursor:pointer">Hide</button></div>'
    )


def inject(page: bytes, snippet: str) -> bytes:
    """Insert `snippet` before the last </body>, or at the end when the page has none."""
    data = snippet.encode("utf-8")
    at = page.lower().rfind(b"</body>")
    return page + data if at < 0 else page[:at] + data + page[at:]


def error_page(errors: tuple[str, ...]) -> bytes:
    """Shown at every URL while there has never been a good build."""
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Build failed · makerfront</title></head><body></body></html>\n"
    ).encode()


# -- Content-Security-Policy ------------------------------------------------------------------------

OTHER_POLICY = "script-src 'none'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
"""For every response that is not a page of the site (stylesheets, images, feeds, redirects, the
reload stream, errors): nothing in it may run, not even an SVG opened by itself."""


def page_policy(nonce: str, page_sources: Sequence[str] = ()) -> str:
    """The Content-Security-Policy of an HTML page: scripts only from the site itself, the
    ``page_sources`` its built page needs (`page_script_sources`) and the reload script with
    ``nonce``. Nothing a request or a stream message could place in a page runs.

    Only scripts are restricted (plus plugins, <base> and framing): stylesheets, images, fonts and
    form targets are left as the published site has them, so the preview shows what visitors see."""
    scripts = " ".join(["'self'", f"'nonce-{nonce}'", *page_sources])
    return f"script-src {scripts}; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"


_SCRIPT_TAG = re.compile(rb"<script", re.IGNORECASE)
_SCRIPT_ORIGIN = re.compile(r"(https?://)?[A-Za-z0-9.-]+(:[0-9]{1,5})?")


class _ScriptFinder(HTMLParser):
    """Collects what a page's own scripts need allowed: the hash of each inline script, and the
    origin of each script loaded from another site."""

    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []
        self._inline: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "script":
            return
        src = dict(attrs).get("src")
        if src is None:
            self._inline = []
            return
        try:
            parts = urlsplit(src.strip())
        except ValueError:  # '//[' : no address the browser would load either
            return
        if parts.netloc and parts.scheme in ("", "http", "https"):
            origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme else parts.netloc
            if _SCRIPT_ORIGIN.fullmatch(origin):  # never a character that could end the header
                self.sources.append(origin)

    def handle_data(self, data: str) -> None:
        if self._inline is not None:
            self._inline.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._inline is not None:
            # What the browser hashes: the text as its parser reads it (line ends made \n, NUL
            # replaced), in UTF-8.
            text = "".join(self._inline).replace("\r\n", "\n").replace("\r", "\n").replace("\0", "\ufffd")
            self._inline = None
            if text:
                digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
                self.sources.append(f"'sha256-{digest}'")


def page_script_sources(page: bytes) -> tuple[str, ...]:
    """The CSP sources the site's own scripts in ``page`` need: inline scripts by hash (the built
    page is the same for every request, so an injected script never matches), other sites'
    scripts by origin. A script this misreads is blocked, and the browser's console says so."""
    if _SCRIPT_TAG.search(page) is None:
        return ()
    finder = _ScriptFinder()
    try:
        finder.feed(page.decode("utf-8", "replace").removeprefix("\ufeff"))
        finder.close()
    except AssertionError:  # html.parser on a malformed marked section ('<![if')
        pass
    return tuple(dict.fromkeys(finder.sources))


# -- HTTP -------------------------------------------------------------------------------------------


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def split_request_path(target: str) -> tuple[list[str], bool] | None:
    """'/a/b%20c/' -> (['a', 'b c'], True): decoded path segments and whether it ended in '/'.

    None for anything that is not a plain path inside the site: '..' (also percent-encoded),
    backslashes, NUL, bytes that are not UTF-8, or a target that does not start with '/'.
    Empty and '.' segments are dropped, so '//etc/passwd' is just 'etc/passwd' inside the site.
    """
    if not target.startswith("/"):
        return None
    path = target.split("?", 1)[0].split("#", 1)[0]
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        return None
    if "\\" in decoded or "\x00" in decoded:
        return None
    segments = [s for s in decoded.split("/") if s not in ("", ".")]
    if ".." in segments:
        return None
    return segments, decoded.endswith("/")


def site_output(base_path: str, segments: Sequence[str], trailing: bool) -> tuple[str, str] | None:
    """(path inside the site, output asked for) for a decoded request path: ('listings/mug',
    'listings/mug/index.html') for '/shop/listings/mug/' under '/shop/'. None outside base_path."""
    base = [s for s in base_path.split("/") if s]
    if list(segments[: len(base)]) != base:
        return None
    rel = "/".join(segments[len(base) :])
    return rel, (f"{rel}/index.html" if rel and trailing else (rel or "index.html"))


def deciding_outputs(site: BuiltSite, path: str) -> frozenset[str]:
    """The outputs whose bytes, or absence, decide what ``path`` (a request path, as a page's
    address has it) answers now: its own output; while that is missing, also the folder it would
    redirect to and 404.html. The page at ``path`` must reload when one of them changes."""
    parsed = split_request_path(path)
    found = site_output(site.base_path, *parsed) if parsed is not None else None
    if parsed is None or found is None:
        return frozenset({NOT_FOUND_PAGE})
    (rel, key), trailing = found, parsed[1]
    if key in site.outputs:
        return frozenset({key})
    folder = {f"{rel}/index.html"} if rel and not trailing else set()
    return frozenset({key, NOT_FOUND_PAGE, *folder})


class _HTTPServer(ThreadingHTTPServer):
    # Request threads are joined by server_close(); open connections are shut down first.
    block_on_close = True
    daemon_threads = True
    request_queue_size = LISTEN_BACKLOG

    def __init__(self, address: tuple[str, int], dev: DevServer) -> None:
        self.dev = dev
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self.page_script_sources = functools.lru_cache(maxsize=256)(page_script_sources)
        """`page_script_sources`, remembered per page (the same bytes object until a build)."""
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _RequestHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host name up in DNS; a dev server has no use for it.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser that closes a connection early (a reload, a tab closed, a canceled image) is
        no error; anything else is a bug, shown in the terminal as build problems are."""
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        self.dev.warn("internal error while answering a request:\n" + traceback.format_exc().rstrip())

    def open_connections(self) -> int:
        with self._connections_lock:
            return len(self._connections)

    def close_connections(self) -> None:
        """Wake request threads blocked on an idle client so server_close() can join them."""
        with self._connections_lock:
            connections = list(self._connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class BadRequest(ValueError):
    """A reload-stream request the server cannot answer; the message says why, in a few words."""


def stream_parameters(query: str) -> tuple[str | None, str | None]:
    """(since, path) from the reload stream's query string; BadRequest for anything else."""
    try:
        fields = parse_qs(query, keep_blank_values=True, strict_parsing=bool(query), errors="strict", max_num_fields=4)
    except ValueError as exc:  # also UnicodeDecodeError
        raise BadRequest("the query string is malformed") from exc
    unknown = sorted(set(fields) - {"since", "path"})
    if unknown:
        raise BadRequest("unknown parameter (expected since and path)")
    if any(len(values) > 1 for values in fields.values()):
        raise BadRequest("a parameter is given twice")
    since = fields.get("since", [None])[0]
    path = fields.get("path", [None])[0]
    if since is not None and _BUILD_KEY.fullmatch(since) is None:
        raise BadRequest("since is not a build key")
    if path is not None and (not path.startswith("/") or len(path) > 4096):
        raise BadRequest("path must be a page's path, starting with /")
    return since, path


class _RequestHandler(BaseHTTPRequestHandler):
    server: _HTTPServer
    _snapshot: tuple[BuiltSite | None, tuple[str, ...], str]
    _policy: str = OTHER_POLICY
    """The Content-Security-Policy of this response (one response per handler)."""
    server_version = "makerfront-serve"
    protocol_version = "HTTP/1.0"  # one request per connection; the event stream ends when it closes
    timeout = 30  # seconds a client may stay silent before its thread gives up

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the terminal is for build messages, not one line per request

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    # -- responses ---------------------------------------------------------------------------

    def end_headers(self) -> None:
        # Here, so every response has them, also http.server's own error pages.
        self.send_header("Content-Security-Policy", self._policy)
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def _send(self, status: int, body: bytes, ctype: str, head: bool, headers: Mapping[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _send_text(self, status: HTTPStatus, head: bool, detail: str = "") -> None:
        text = f"{status.value} {status.phrase}{': ' + detail if detail else ''}\n"
        self._send(status, text.encode(), "text/plain; charset=utf-8", head)

    def _redirect(self, location: str, head: bool) -> None:
        query = self.path.split("?", 1)[1] if "?" in self.path else ""
        if query:
            location += "?" + quote(query, safe="=&%+/:@,;!$'()*~-._?")
        body = f'<!doctype html><title>Moved</title><a href="{html.escape(location)}">{html.escape(location)}</a>\n'
        # 302, not 301: browsers remember a 301 for this port across projects.
        self._send(HTTPStatus.FOUND, body.encode(), "text/html; charset=utf-8", head, {"Location": location})

    def _send_html(self, status: int, page: bytes, head: bool) -> None:
        # The build this request was answered from (snapshot taken once, in _serve): a build that
        # finishes meanwhile must still reload the page.
        site, errors, key = self._snapshot
        nonce = secrets.token_urlsafe(16)
        snippet = (error_overlay(errors, site is not None) if errors else "") + reload_script(key, nonce)
        self._policy = page_policy(nonce, self.server.page_script_sources(page))
        self._send(status, inject(page, snippet), "text/html; charset=utf-8", head)

    def _send_output(self, status: int, rel: str, content: Content, head: bool) -> bool:
        if isinstance(content, Path):
            if not self.server.dev.may_serve_file(content):
                return False
            try:
                data = content.read_bytes()
            except OSError:  # deleted since the build; the next build will drop it
                return False
        else:
            data = content
        ctype = content_type(rel)
        if ctype.startswith("text/html"):
            self._send_html(status, data, head)
        else:
            self._send(status, data, ctype, head)
        return True

    def _not_found(self, site: BuiltSite, head: bool) -> None:
        """404.html, or a plain page when the site has none. Nothing of the request is in it."""
        page = site.outputs.get(NOT_FOUND_PAGE)
        if page is None or not self._send_output(HTTPStatus.NOT_FOUND, NOT_FOUND_PAGE, page, head):
            self._send_html(HTTPStatus.NOT_FOUND, b"<!doctype html><title>Not found</title><h1>Not found</h1>\n", head)

    def _host_allowed(self) -> bool:
        """On a loopback address, answer only requests for a loopback host name, so a web page
        cannot read the preview through a DNS name it points at 127.0.0.1 (DNS rebinding)."""
        if not _is_loopback(self.server.dev.host):
            return True
        header = self.headers.get("Host")
        if header is None:
            return True
        try:
            name = urlsplit("//" + header).hostname
        except ValueError:
            return False
        return name is not None and _is_loopback(name)

    # -- routing -----------------------------------------------------------------------------------

    def _serve(self, head: bool) -> None:
        if not self._host_allowed():
            self._send_text(HTTPStatus.FORBIDDEN, head)
            return
        if self.path.split("?", 1)[0] == EVENTS_PATH and not head:
            self._events()
            return
        parsed = split_request_path(self.path)
        self._snapshot = self.server.dev.state.snapshot()
        site, errors, _ = self._snapshot
        if site is None:
            self._send_html(HTTPStatus.INTERNAL_SERVER_ERROR, error_page(errors), head)
            return
        if parsed is None:
            self._not_found(site, head)
            return
        segments, trailing = parsed
        found = site_output(site.base_path, segments, trailing)
        if found is None:
            if not segments:  # '/' of a site served under '/shop/'
                self._redirect(site.base_path, head)
            else:
                self._not_found(site, head)
            return
        rel, key = found
        if not rel and site.base_path.strip("/") and not trailing:  # '/shop'
            self._redirect(site.base_path, head)
            return
        content = site.outputs.get(key)
        if content is None and not trailing and f"{rel}/index.html" in site.outputs:
            self._redirect(site.base_path + quote(rel) + "/", head)
            return
        if content is None or not self._send_output(HTTPStatus.OK, key, content, head):
            self._not_found(site, head)

    def _events(self) -> None:
        """The reload stream. A page connects with the build it was served from and its own path
        (?since=KEY&path=/listings/mug/), and is sent one event each time a build changes what
        that path shows; with no path, after every build. The events carry no data beyond that."""
        state = self.server.dev.state
        try:
            since, path = stream_parameters(urlsplit(self.path).query)
        except BadRequest as exc:
            self._send_text(HTTPStatus.BAD_REQUEST, False, str(exc))
            return
        after = state.build_number(since)
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        try:
            self.wfile.write(b"retry: 1000\n\n")
            while True:
                # At once as well: a build that finished while the page loaded may concern it.
                changed, after = state.concerns(after, path)
                if changed:
                    self.wfile.write(b"event: build\ndata: changed\n\n")
                self.wfile.flush()
                current = state.wait_for_build(after, timeout=self.server.dev.keepalive)
                if current is None:
                    return
                if current == after:
                    self.wfile.write(b": still here\n\n")  # finds closed connections
        except OSError:  # the browser went away
            return


# -- the server -----------------------------------------------------------------------------------


def _print(message: str) -> None:
    print(message, flush=True)


def _print_err(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class DevServer:
    """Serves the latest good build over HTTP and rebuilds when watched files change.

    `rebuild` is any callable from a ChangeSet to a BuiltSite, so tests can pass a fake builder.
    """

    def __init__(
        self,
        rebuild: Rebuild,
        *,
        roots: WatchRoots,
        host: str = "127.0.0.1",
        port: int = 8000,
        quiet: float = QUIET_SECONDS,
        max_wait: float = MAX_WAIT_SECONDS,
        keepalive: float = KEEPALIVE_SECONDS,
        say: Callable[[str], None] = _print,
        warn: Callable[[str], None] = _print_err,
        debug: bool = False,
    ) -> None:
        self.rebuild = rebuild
        if isinstance(rebuild, PipelineRebuild):
            rebuild.preview = self._preview
        self.debug = debug
        self.roots = roots
        self.host = host
        self.requested_port = port
        self.quiet = quiet
        self.max_wait = max_wait
        self.keepalive = keepalive
        """Seconds between the reload stream's keep-alive comments."""
        self.say = say
        self.warn = warn
        self.state = BuildState()
        self.builds = 0
        """Number of builds run (good or failed)."""
        self._queue: queue.SimpleQueue[FileEvent | None] = queue.SimpleQueue()
        self._pending = 0
        self._idle = threading.Condition()
        self._httpd: _HTTPServer | None = None
        self._threads: list[threading.Thread] = []
        self._observer: Any = None

    # -- lifecycle ---------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        assert self._httpd is not None, "start() first"
        return self._httpd.server_port

    @property
    def url(self) -> str:
        """The preview's address, under base_url's path."""
        host = self.host
        if host in ("", "0.0.0.0", "::"):
            host = "127.0.0.1" if host != "::" else "::1"
        if ":" in host:
            host = f"[{host}]"
        site, _, _ = self.state.snapshot()
        return f"http://{host}:{self.port}{site.base_path if site else '/'}"

    def start(self, *, watch: bool = True) -> None:
        """Bind the port, start watching, build once, then serve and rebuild in the background.

        A failing first build still starts the server: every URL shows the errors until fixed.
        """
        self._httpd = self._bind()
        try:
            # The first build runs before any other thread, so it may use worker processes (see
            # PipelineRebuild); files saved meanwhile are found by comparing their times after.
            before = fingerprint(self.roots.all()) if watch else {}
            self._build(FULL_BUILD, first=True)
            if watch:
                self._observer = self._start_observer()
                for event in _differences(before, fingerprint(self.roots.all())):
                    self.notify(event)
        except BaseException:
            self._stop_observer()
            self._httpd.server_close()
            raise
        self._threads = [
            threading.Thread(target=self._rebuild_loop, name="makerfront-rebuild"),
            threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="makerfront-http"),
        ]
        for t in self._threads:
            t.start()

    def stop(self) -> None:
        """Stop watching, finish the rebuild thread, close every connection and join all threads."""
        self._stop_observer()
        self._queue.put(None)
        self.state.close()  # ends the event streams
        if self._httpd is not None:
            if self._threads:
                self._httpd.shutdown()
            self._httpd.close_connections()
            self._httpd.server_close()
        for t in self._threads:
            t.join()
        self._threads = []

    def __enter__(self) -> DevServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _bind(self) -> _HTTPServer:
        port = self.requested_port
        last = port + PORT_TRIES - 1 if port else port
        while True:
            try:
                return _HTTPServer((self.host, port), self)
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE and port and port < last:
                    self.say(f"Port {port} is in use (another server is running); trying {port + 1}.")
                    port += 1
                    continue
                if exc.errno == errno.EADDRINUSE:
                    raise DevServerError(
                        f"ports {self.requested_port}-{port} are all in use; choose another with --port"
                    ) from exc
                raise DevServerError(f"cannot listen on {self.host}:{port}: {exc.strerror or exc}") from exc

    # -- watching and rebuilding ---------------------------------------------------------------------

    def notify(self, event: FileEvent) -> None:
        """Queue one file event (called from watchdog's thread; never blocks)."""
        with self._idle:
            self._pending += 1
        self._queue.put(event)

    @property
    def open_connections(self) -> int:
        """Connections being answered or held open now (the reload streams among them). For tests
        and tools."""
        return self._httpd.open_connections() if self._httpd is not None else 0

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every queued event has been handled (built or dropped). For tests and tools."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def _get_event(self, timeout: float | None) -> FileEvent | None:
        return self._queue.get(timeout=timeout)

    def _rebuild_loop(self) -> None:
        while True:
            batch, stop = collect_batch(self._get_event, quiet=self.quiet, max_wait=self.max_wait)
            try:
                if batch and not stop:
                    changes = classify(batch, self.roots)
                    if changes:
                        self._build(changes)
            except Exception:  # never let one bad batch end rebuilding for the rest of the session
                self.warn(traceback.format_exc().rstrip())
            with self._idle:
                self._pending -= len(batch)
                self._idle.notify_all()
            if stop:
                return

    def _build(self, changes: ChangeSet, first: bool = False) -> None:
        started = time.perf_counter()
        try:
            site = self.rebuild(changes)
        except (BuildFailed, SiteError) as exc:
            errors = tuple(str(e) for e in (exc.errors if isinstance(exc, BuildFailed) else [exc]))
            if self.debug:
                self.warn("".join(traceback.format_exception(exc)).rstrip())
            self._failed(errors)
        except Exception as exc:  # a bug in makerfront or a theme: keep serving, and show it
            self.warn(traceback.format_exc().rstrip())
            self._failed((f"internal error while building: {exc!r} (details in the terminal)",))
        else:
            ms = round((time.perf_counter() - started) * 1000)
            self.builds += 1
            self.state.succeeded(site, self._changed_outputs(site, changes))
            if first:
                self.say(f"Built {site.pages} pages in {ms} ms.")
            else:
                self.say(f"rebuilt in {ms} ms ({changes.describe(self.roots)})")

    def _preview(self, output: str, page: bytes) -> None:
        """Serve this one page of the build under way at once, over the last good site."""
        site, errors, _ = self.state.snapshot()
        if site is None or errors:
            return
        outputs = dict(site.outputs)
        outputs[output] = page
        self.state.succeeded(dataclasses.replace(site, outputs=outputs), frozenset({output}))

    def _changed_outputs(self, site: BuiltSite, changes: ChangeSet) -> frozenset[str] | None:
        """Outputs of ``site`` that differ from those served now, when an edit to text content
        (listings, pages, the maker profile) is all that happened. Otherwise None: a photo,
        stylesheet or template may have changed behind outputs that look the same."""
        served, _, _ = self.state.snapshot()
        text = {".yaml", ".md"}
        if (
            served is None
            or not changes
            or any(f.bucket is not Change.CONTENT or f.path.suffix not in text for f in changes.files)
        ):
            return None
        old = served.outputs
        new = site.outputs
        changed = {k for k, v in new.items() if (before := old.get(k)) is not v and before != v}
        changed.update(k for k in old if k not in new)
        return frozenset(changed)

    def _failed(self, errors: tuple[str, ...]) -> None:
        self.builds += 1
        had_site = self.state.snapshot()[0] is not None
        self.state.failed(errors)
        for e in errors:
            self.warn(f"error: {e}")
        n = len(errors)
        outcome = "still serving the last good site" if had_site else "the preview shows the errors until fixed"
        self.warn(f"Build failed with {n} error{'s' if n != 1 else ''}; {outcome}.")

    def may_serve_file(self, path: Path) -> bool:
        """A copied file is served only if it really lies inside a watched folder (no symlink escape)."""
        try:
            real = path.resolve(strict=True)
        except OSError:
            return False
        return real.is_file() and any(real.is_relative_to(root) for root in self.roots.all())

    def _start_observer(self) -> Any:
        from watchdog.observers import Observer

        observer = Observer()
        handler = _WatchHandler(self.notify)
        for root in self.roots.all():
            if root.is_dir():
                observer.schedule(handler, str(root), recursive=True)
        observer.start()
        return observer

    def _stop_observer(self) -> None:
        if self._observer is not None:
            self._observer.stop()
            self._observer.join()
            self._observer = None


_KINDS: dict[str, EventKind] = {
    "created": "created",
    "modified": "modified",
    "deleted": "deleted",
    "moved": "moved",
    "closed": "modified",  # closed after writing
    "attrib": "modified",  # `touch` to force a rebuild
}
"""watchdog event types that can change the site. 'opened' and 'closed_no_write' are reads, and
every build reads every content file: acting on them would rebuild forever."""


class _WatchHandler(FileSystemEventHandler):  # type: ignore[misc]
    """watchdog handler that only queues events; all the work happens on the rebuild thread."""

    def __init__(self, notify: Callable[[FileEvent], None]) -> None:
        super().__init__()
        self._notify = notify

    def on_any_event(self, event: FileSystemEvent) -> None:
        kind = _KINDS.get(event.event_type)
        if kind is None:
            return
        dest = os.fsdecode(event.dest_path) if getattr(event, "dest_path", "") else None
        self._notify(FileEvent(kind, os.fsdecode(event.src_path), dest, bool(event.is_directory)))
