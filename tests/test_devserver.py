"""The dev server over real HTTP: a real watchdog observer on a temporary shop, edits seen in the
browser, the error overlay, the reload stream, safe paths; plus the rebuild loop with a fake
builder, and `python build.py serve` in a subprocess.

Every wait polls with a deadline; nothing asserts how long something took. Servers bind 127.0.0.1
on a port the OS picks.
"""

from __future__ import annotations

import base64
import concurrent.futures
import dataclasses
import hashlib
import http.client
import json
import os
import queue
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import pytest
from conftest import BUILTIN_THEMES, REPO, build_site, options, write_files

from generator import devserver, pipeline
from generator.devserver import (
    EVENTS_PATH,
    HISTORY,
    BuildState,
    BuiltSite,
    DevServer,
    DevServerError,
    PipelineRebuild,
    deciding_outputs,
    script_literal,
    split_request_path,
    watch_roots,
)
from generator.errors import BuildFailed, SiteError
from generator.watch import FULL_BUILD, Change, ChangeSet, FileEvent, WatchRoots, classify

WAIT = 10.0
"""Upper bound for anything to happen; tests pass as soon as it does."""


# -- helpers ----------------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def get(port: int, target: str, *, method: str = "GET", headers: dict[str, str] | None = None) -> Response:
    """One request with the target sent exactly as given (no client-side normalisation)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
    try:
        conn.request(method, target, headers=headers or {})
        resp = conn.getresponse()
        body = resp.read()
        return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, body)
    finally:
        conn.close()


def poll(check: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for: {what}")
        time.sleep(0.03)


@dataclass
class Log:
    out: list[str] = field(default_factory=list)
    err: list[str] = field(default_factory=list)


@dataclass
class Served:
    dev: DevServer
    content: Path
    themes: Path
    log: Log

    @property
    def port(self) -> int:
        return self.dev.port

    def get(self, target: str, **kw: object) -> Response:
        return get(self.port, target, **kw)  # type: ignore[arg-type]

    def write(self, files: dict[str, str | bytes | None]) -> None:
        write_files(self.content, files)


@pytest.fixture
def serve(make_site, tmp_path: Path) -> Iterator[Callable[..., Served]]:
    """serve(files) -> a running DevServer on the real pipeline, watching a temporary shop."""
    started: list[DevServer] = []

    def _serve(files: dict[str, str | bytes | None] | None = None, **kw: object) -> Served:
        content = make_site(files)
        themes = tmp_path / "themes"
        themes.mkdir(exist_ok=True)
        log = Log()
        dev = DevServer(
            PipelineRebuild(options(content, themes=themes)),
            roots=watch_roots(content, themes),
            host="127.0.0.1",
            port=0,
            say=log.out.append,
            warn=log.err.append,
            **kw,  # type: ignore[arg-type]
        )
        dev.start()
        started.append(dev)
        return Served(dev, content, themes, log)

    yield _serve
    for dev in started:
        dev.stop()


MUG = """\
title: {title}
price: 28
images:
  - {{src: images/mug.png, alt: A blue mug}}
description: A sturdy **mug**.
tags: [mugs]
"""


# -- serving the site -------------------------------------------------------------------------------


def test_serves_pages_with_no_store_and_the_reload_script(serve) -> None:
    s = serve()
    home = s.get("/")
    assert home.status == 200
    assert home.headers["content-type"] == "text/html; charset=utf-8"
    assert home.headers["cache-control"] == "no-store"
    assert "Blue Mug" in home.text
    assert EVENTS_PATH in home.text and "EventSource" in home.text
    assert home.text.index(EVENTS_PATH) < home.text.rindex("</body>")  # injected before </body>
    page = s.get("/listings/blue-mug/")
    assert page.status == 200 and "<h1" in page.text and "Blue Mug" in page.text
    css = s.get("/static/style.css")
    assert css.status == 200 and css.headers["content-type"] == "text/css; charset=utf-8"
    assert css.body == (BUILTIN_THEMES / "default" / "static" / "style.css").read_bytes()  # not injected
    assert css.headers["cache-control"] == "no-store"
    photo = s.get("/images/mug-800.webp")
    assert photo.headers["content-type"] == "image/webp" and photo.body[8:12] == b"WEBP"
    assert s.log.out[0].startswith("Built ") and " pages in " in s.log.out[0]


def test_built_files_never_contain_the_reload_script(make_site) -> None:
    result = build_site(make_site())
    for path, data in result.outputs.items():
        if isinstance(data, bytes):
            assert b"__makerfront" not in data and b"EventSource" not in data, path


def test_head_request_has_headers_but_no_body(serve) -> None:
    s = serve()
    resp = s.get("/listings/blue-mug/", method="HEAD")
    assert resp.status == 200 and resp.body == b""
    assert int(resp.headers["content-length"]) > 0


def test_folder_without_slash_redirects_and_keeps_the_query(serve) -> None:
    s = serve()
    resp = s.get("/listings/blue-mug?ref=mail")
    assert resp.status in (301, 302)
    assert resp.headers["location"] == "/listings/blue-mug/?ref=mail"
    assert s.get("/maker").headers["location"] == "/maker/"


def test_unknown_path_serves_404_page_with_status_404(serve) -> None:
    s = serve()
    for target in ("/no-such-page/", "/listings/no-such-mug/", "/nope.css", "/listings/blue-mug/extra"):
        resp = s.get(target)
        assert resp.status == 404, target
        assert "Page not found" in resp.text and resp.headers["content-type"].startswith("text/html")
        assert EVENTS_PATH in resp.text  # the 404 page reloads too
        assert resp.headers["cache-control"] == "no-store"


def test_site_is_served_under_the_base_url_path(serve) -> None:
    s = serve(
        {
            "site.yaml": "title: Test Studio\nbase_url: https://x.example/shop/\ncontact:\n  email: hello@shop.example\n",
        }
    )
    assert s.dev.url.endswith(f":{s.port}/shop/")
    root = s.get("/")
    assert root.status in (301, 302) and root.headers["location"] == "/shop/"
    assert s.get("/shop").headers["location"] == "/shop/"
    home = s.get("/shop/")
    assert home.status == 200 and "Blue Mug" in home.text
    assert s.get("/shop/listings/blue-mug/").status == 200
    assert s.get("/shop/listings/blue-mug").headers["location"] == "/shop/listings/blue-mug/"
    assert s.get("/shop/static/style.css").status == 200
    assert s.get("/listings/blue-mug/").status == 404  # not at the domain root
    missing = s.get("/shop/nothing-here/")
    assert missing.status == 404 and 'href="/shop/static/style.css"' in missing.text


def test_content_types(tmp_path: Path) -> None:
    outputs: dict[str, bytes | Path] = {
        "index.html": b"<html><body>home</body></html>",
        "sitemap.xml": b"<?xml version='1.0'?><urlset/>",
        "feed.atom": b"<feed/>",
        "site.webmanifest": b"{}",
        "data.json": b"{}",
        "static/app.js": b"1",
        "static/style.css": b"a{}",
        "logo.svg": b"<svg/>",
        "photo.webp": b"RIFF",
        "photo.png": b"\x89PNG",
        "photo.jpg": b"\xff\xd8",
        "photo.jpeg": b"\xff\xd8",
        "robots.txt": b"User-agent: *",
        "favicon.ico": b"\0",
        "unknown.qqq": b"?",
    }
    expected = {
        "index.html": "text/html; charset=utf-8",
        "sitemap.xml": "application/xml",
        "feed.atom": "application/atom+xml",
        "site.webmanifest": "application/manifest+json",
        "data.json": "application/json",
        "static/app.js": "text/javascript; charset=utf-8",
        "static/style.css": "text/css; charset=utf-8",
        "logo.svg": "image/svg+xml",
        "photo.webp": "image/webp",
        "photo.png": "image/png",
        "photo.jpg": "image/jpeg",
        "photo.jpeg": "image/jpeg",
        "robots.txt": "text/plain; charset=utf-8",
        "favicon.ico": "image/x-icon",
        "unknown.qqq": "application/octet-stream",
    }
    with fake_server(tmp_path, lambda _: BuiltSite(outputs=outputs)) as dev:
        for path, ctype in expected.items():
            resp = get(dev.port, "/" + path)
            assert (resp.status, resp.headers["content-type"]) == (200, ctype), path
            assert resp.headers["x-content-type-options"] == "nosniff"
            if not path.endswith(".html"):
                assert resp.body == outputs[path]  # only HTML gets the reload script


# -- what may run in a served page ------------------------------------------------------------------


@dataclass
class Script:
    attrs: dict[str, str | None]
    text: str


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[Script] = []
        self._open: Script | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self._open = Script(dict(attrs), "")
            self.found.append(self._open)
        elif tag != "script" and self._open is None:
            # Inline event handlers would need 'unsafe-inline'/'unsafe-hashes'; none may be injected.
            handlers = [name for name, _ in attrs if name.startswith("on")]
            assert not handlers, (tag, handlers)

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open.text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._open = None


def scripts(page: str) -> list[Script]:
    parser = _Scripts()
    parser.feed(page)
    parser.close()
    return parser.found


def csp(resp: Response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: sources}."""
    policy: dict[str, list[str]] = {}
    for part in resp.headers["content-security-policy"].split(";"):
        name, *sources = part.split()
        policy[name] = sources
    return policy


def runnable(page: Response) -> list[Script]:
    """The scripts of an HTML page that its Content-Security-Policy lets run."""
    policy = csp(page)["script-src"]
    allowed = []
    for script in scripts(page.text):
        if script.attrs.get("type") not in (None, "", "text/javascript", "module"):
            continue  # a data block (JSON-LD) never runs
        nonce = script.attrs.get("nonce")
        text = script.text.replace("\r\n", "\n")  # as the browser's parser reads it
        digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
        if (nonce and f"'nonce-{nonce}'" in policy) or f"'sha256-{digest}'" in policy or script.attrs.get("src"):
            allowed.append(script)
    return allowed


EXPLOITS = [
    "/%3C/script%3E%3Cscript%3Ealert(document.domain)%3C/script%3E",  # the report's address
    "/%3C/SCRIPT%3E%3Cscript%3Ealert(1)%3C/script%3E/",
    "/%3C!--%3Cscript%3Ealert(1)//",
    "/x%E2%80%A8alert(1)%E2%80%A9/",  # U+2028, U+2029: line ends to older JavaScript
    "/%22;alert(1);//",
    "/%27onmouseover=alert(1)%20x=%27",
    "/listings/%3Cimg%20src=x%20onerror=alert(1)%3E/",
    "/p/%3C/script%3E%3Cscript%3Ealert(1)%3C/script%3E/",
]


def test_nothing_in_a_requested_address_runs_in_the_page_not_found(serve) -> None:
    s = serve()
    for target in EXPLOITS:
        resp = s.get(target)
        assert resp.status == 404 and "Page not found" in resp.text, target
        assert "alert" not in resp.text, target  # nothing of the request is written into the page
        policy = csp(resp)
        assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
        (script,) = runnable(resp)  # the reload script only, by its nonce
        assert script.attrs["nonce"] and f"'nonce-{script.attrs['nonce']}'" in policy["script-src"]
        assert "location.pathname" in script.text and "alert" not in script.text
    # Each response has a nonce of its own.
    nonces = {scripts(s.get(EXPLOITS[0]).text)[-1].attrs["nonce"] for _ in range(3)}
    assert len(nonces) == 3


def test_script_literal_cannot_end_or_change_a_script() -> None:
    hostile = "</script><script>alert(1)</script><!-- \u2028\u2029 & '\""
    literal = script_literal(hostile)
    for bad in ("<", ">", "&", "\u2028", "\u2029"):
        assert bad not in literal
    assert json.loads(literal) == hostile  # still the same string to JavaScript (and to JSON)


def test_the_pages_own_inline_scripts_are_allowed_by_hash(tmp_path: Path) -> None:
    page = (
        b"<!doctype html><html><head>"
        b'<script type="application/ld+json">{"name":"Mug"}</script>'
        b"<script>window.ok = 1;\r\n</script>"
        b'<script src="https://cdn.example/widget.js"></script>'
        b'<script src="//other.example:8443/x.js"></script>'
        b'<script src="https://bad.example/x.js;script-src *"></script>'
        b"</head><body>hi</body></html>"
    )
    with fake_server(tmp_path, lambda _: BuiltSite(outputs={"index.html": page})) as dev:
        resp = get(dev.port, "/")
    sources = csp(resp)["script-src"]
    # The browser hashes the script as its parser reads it: with \n for \r\n.
    own = base64.b64encode(hashlib.sha256(b"window.ok = 1;\n").digest()).decode()
    assert f"'sha256-{own}'" in sources
    assert "https://cdn.example" in sources and "other.example:8443" in sources
    assert "https://bad.example" in sources and "*" not in sources  # the path never reaches the header
    inline = [s for s in runnable(resp) if not s.attrs.get("src")]
    assert inline[0].text == "window.ok = 1;\r\n" and "makerfront serve" in inline[1].text


SECURITY_HEADERS = {"x-frame-options": "DENY", "x-content-type-options": "nosniff"}


def test_every_response_carries_the_security_headers(serve) -> None:
    s = serve()
    key = build_key(s.get("/").text)
    responses = {
        "page": s.get("/listings/blue-mug/"),
        "head": s.get("/", method="HEAD"),
        "css": s.get("/static/style.css"),
        "js": s.get("/static/listing.js"),
        "image": s.get("/images/mug.png"),
        "feed": s.get("/feed.xml"),
        "404": s.get("/no-such-page/"),
        "404 asset": s.get("/nope.css"),
        "redirect": s.get("/listings/blue-mug"),
        "foreign host": s.get("/", headers={"Host": "evil.example"}),
        "bad stream query": s.get(EVENTS_PATH + "?since=x"),
        "bad method": s.get("/", method="POST"),
    }
    stream = Stream(s.port, stream_query(key, "/"))
    try:
        headers = {k.lower(): v for k, v in stream.resp.getheaders()}
        responses["stream"] = Response(stream.resp.status, headers, b"")
    finally:
        stream.close()
    assert responses["js"].status == 200 and responses["js"].headers["content-type"].startswith("text/javascript")
    assert responses["bad method"].status == 501
    for name, resp in responses.items():
        for header, value in SECURITY_HEADERS.items():
            assert resp.headers.get(header) == value, (name, header)
        policy = csp(resp)
        assert policy["frame-ancestors"] == ["'none'"], name
        assert "'unsafe-inline'" not in policy["script-src"], name
        if resp.headers.get("content-type", "").startswith("text/html") and name not in ("redirect", "bad method"):
            assert policy["script-src"][0] == "'self'" and policy["object-src"] == ["'none'"], name
        else:
            assert policy["script-src"] == ["'none'"], name  # nothing in it may run


def test_pages_not_found_never_name_a_private_page(serve) -> None:
    s = serve({"listings/for-sam.yaml": MUG.format(title="Secret Jug") + "private: true\n"})
    site = s.dev.state.snapshot()[0]
    assert site is not None, s.log.err
    token = next(k for k in site.outputs if k.startswith("p/")).split("/")[1]
    for target in ("/nope/", "/p/", "/p/nope/", "/p/" + token[:-1] + "/", "/listings/for-sam/", *EXPLOITS):
        resp = s.get(target)
        assert resp.status == 404, target
        assert token not in resp.text and "Secret Jug" not in resp.text, target
        assert 'href="/p/' not in resp.text and 'href="p/' not in resp.text, target
    assert s.get("/p/").status == 404  # no listing of the private folder


# -- clients that misbehave, and many at once -------------------------------------------------------

BIG = b"\0" * (8 << 20)
"""Larger than any socket buffer, so the server is still writing when the client goes away."""


def reset_close(sock: socket.socket) -> None:
    """Close with a TCP reset, as a browser does when a tab is closed mid-download."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def early_closers(port: int) -> None:
    """Clients that leave before the server has answered, every way a browser does."""
    for target in ("/big.bin", "/", EVENTS_PATH):
        sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        assert sock.recv(1)  # the answer has started
        reset_close(sock)
    for close in (reset_close, socket.socket.close):
        sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
        sock.sendall(b"GET /big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        close(sock)  # before reading anything
        sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
        sock.sendall(b"GET /big")  # half a request
        close(sock)
        close(socket.create_connection(("127.0.0.1", port), timeout=WAIT))  # nothing at all


def quiet_outputs() -> dict[str, bytes | Path]:
    return {"index.html": b"<!doctype html><body>" + b"x" * 50_000 + b"</body>", "big.bin": BIG}


def test_clients_that_close_early_leave_no_traceback(tmp_path: Path, capfd) -> None:
    # A reload stream notices that its browser left when it next writes: a keep-alive comment.
    server = fake_server(tmp_path, lambda _: BuiltSite(outputs=quiet_outputs()), keepalive=0.05)
    with server as dev:
        early_closers(dev.port)
        poll(lambda: dev.open_connections == 0, "the server to finish with every connection")
        assert get(dev.port, "/").status == 200  # still serving
    err = capfd.readouterr().err
    assert "Traceback" not in err and "BrokenPipe" not in err and "ConnectionReset" not in err, err
    assert server.log.err == []


def test_an_error_while_answering_is_reported_in_the_terminal(tmp_path: Path, monkeypatch) -> None:
    server = fake_server(tmp_path, lambda _: BuiltSite(outputs={"index.html": b"<body>hi</body>"}))
    with server as dev:
        monkeypatch.setattr(devserver, "inject", lambda page, snippet: 1 / 0)
        with pytest.raises((http.client.HTTPException, OSError)):
            get(dev.port, "/")
        poll(lambda: bool(server.log.err), "the error in the terminal")
    assert "internal error while answering a request" in server.log.err[0] and "ZeroDivisionError" in server.log.err[0]


CLIENTS = 200


def test_two_hundred_clients_at_once_are_all_answered(tmp_path: Path, capfd) -> None:
    """All connect at the same moment (a barrier), so the server's listen backlog must hold them
    while it accepts; some of them leave early as well. Only 127.0.0.1; each request times out
    after WAIT as a guard against hanging, which is not a measure of speed."""
    outputs = quiet_outputs()
    server = fake_server(tmp_path, lambda _: BuiltSite(outputs=outputs))
    with server as dev:
        start = threading.Barrier(CLIENTS)

        def client(n: int) -> tuple[int, int]:
            start.wait(WAIT)
            if n % 10 == 0:  # one in ten leaves as soon as the answer starts
                sock = socket.create_connection(("127.0.0.1", dev.port), timeout=WAIT)
                sock.sendall(b"GET /big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                assert sock.recv(1)
                reset_close(sock)
                return 200, len(BIG)
            resp = get(dev.port, "/")
            return resp.status, len(resp.body)

        with concurrent.futures.ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            results = list(pool.map(client, range(CLIENTS)))
        poll(lambda: dev.open_connections == 0, "the server to finish with every connection")
    page = len(outputs["index.html"])  # type: ignore[arg-type]
    assert all(status == 200 and size >= min(page, len(BIG)) for status, size in results), results
    assert len(results) == CLIENTS
    err = capfd.readouterr().err
    assert "Traceback" not in err and "Error" not in err, err
    assert server.log.err == []
    assert devserver._HTTPServer.request_queue_size >= CLIENTS


# -- nothing outside the built site -----------------------------------------------------------------

TRAVERSALS = [
    "/../secret.txt",
    "/../../../../etc/passwd",
    "/%2e%2e/secret.txt",
    "/%2E%2E/%2E%2E/etc/passwd",
    "/%2e%2e%2fsecret.txt",
    "/listings/..%2f..%2fsecret.txt",
    "/static/../../secret.txt",
    "/..%5csecret.txt",
    "/..\\secret.txt",
    "//etc/passwd",
    "/etc/passwd",
    "/%2fetc%2fpasswd",
    "/images/leak.txt",  # a symlink in content/ pointing outside (not part of the site)
    "/%00../secret.txt",
    "/%ff%fe/..",
    "/%252e%252e/secret.txt",  # double encoding stays a literal (missing) name
    "http://127.0.0.1/../secret.txt",  # absolute-form request target
    "secret.txt",
]


def test_paths_outside_the_site_are_never_served(serve, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    s = serve()
    (s.content / "images" / "leak.txt").symlink_to(secret)
    for target in TRAVERSALS:
        resp = s.get(target)
        assert resp.status in (400, 404), target
        assert b"TOP SECRET" not in resp.body and b"root:" not in resp.body, target


def test_split_request_path() -> None:
    assert split_request_path("/a/b%20c/?q=1") == (["a", "b c"], True)
    assert split_request_path("/a/./b") == (["a", "b"], False)
    assert split_request_path("//etc/passwd") == (["etc", "passwd"], False)
    assert split_request_path("/") == ([], True)
    for bad in ("/../x", "/a/%2e%2e/x", "/a/..", "/%5c", "/a%00b", "/%ff", "x", "http://h/"):
        assert split_request_path(bad) is None, bad


def test_copied_files_that_resolve_outside_the_watched_folders_are_refused(tmp_path: Path) -> None:
    inside = tmp_path / "content" / "static" / "ok.txt"
    inside.parent.mkdir(parents=True)
    inside.write_text("fine", encoding="utf-8")
    outside = tmp_path / "private.txt"
    outside.write_text("TOP SECRET", encoding="utf-8")
    link = tmp_path / "content" / "static" / "link.txt"
    link.symlink_to(outside)
    outputs: dict[str, bytes | Path] = {"ok.txt": inside, "link.txt": link, "direct.txt": outside}
    with fake_server(tmp_path, lambda _: BuiltSite(outputs=outputs)) as dev:
        assert get(dev.port, "/ok.txt").body == b"fine"
        for target in ("/link.txt", "/direct.txt"):
            resp = get(dev.port, target)
            assert resp.status == 404 and b"TOP SECRET" not in resp.body


def test_requests_for_foreign_host_names_are_refused(serve) -> None:
    """DNS rebinding: evil.example resolving to 127.0.0.1 must not let a web page read the preview."""
    s = serve()
    assert s.get("/", headers={"Host": "evil.example"}).status == 403
    assert s.get("/", headers={"Host": f"evil.example:{s.port}"}).status == 403
    assert s.get("/", headers={"Host": f"localhost:{s.port}"}).status == 200
    assert s.get("/", headers={"Host": f"127.0.0.1:{s.port}"}).status == 200


# -- watching and rebuilding ------------------------------------------------------------------------


def test_edited_listing_shows_up_and_the_rebuild_time_is_printed(serve) -> None:
    s = serve()
    s.write({"listings/blue-mug.yaml": MUG.format(title="Cobalt Mug")})
    poll(lambda: "Cobalt Mug" in s.get("/listings/blue-mug/").text, "the new title on the listing page")
    # The edited listing's own page is served before the rest of the rebuild (devserver.py):
    # the home page follows a moment later.
    poll(lambda: "Cobalt Mug" in s.get("/").text, "the new title on the home page")
    poll(lambda: any(m.startswith("rebuilt in ") and " ms" in m for m in s.log.out), "'rebuilt in N ms'")
    assert any("listings/blue-mug.yaml" in m for m in s.log.out if m.startswith("rebuilt in "))


def test_added_and_deleted_listings_appear_and_disappear(serve) -> None:
    s = serve()
    s.write({"listings/green-bowl.yaml": MUG.format(title="Green Bowl")})
    poll(lambda: s.get("/listings/green-bowl/").status == 200, "the new listing's page")
    assert "Green Bowl" in s.get("/").text
    s.write({"listings/green-bowl.yaml": None})
    poll(lambda: s.get("/listings/green-bowl/").status == 404, "the deleted listing's page to go")
    assert "Green Bowl" not in s.get("/").text
    assert s.get("/listings/blue-mug/").status == 200


def test_broken_yaml_shows_the_overlay_over_the_last_good_site_until_fixed(serve) -> None:
    s = serve()
    s.write({"listings/blue-mug.yaml": "title: Broken Mug\nprice: [28\n"})
    poll(lambda: "makerfront-build-error" in s.get("/listings/blue-mug/").text, "the error overlay")
    page = s.get("/listings/blue-mug/")
    assert page.status == 200
    assert "Blue Mug" in page.text and "Broken Mug" not in page.text  # the last good page
    assert "listings/blue-mug.yaml:" in page.text  # file:line in the overlay
    assert "makerfront-build-error" in s.get("/").text  # on every page
    assert "makerfront-build-error" in s.get("/no-such-page/").text
    assert s.get("/static/style.css").body.find(b"makerfront-build-error") == -1  # never in CSS
    poll(lambda: any(m.startswith("error: ") and "blue-mug.yaml:" in m for m in s.log.err), "the error in the terminal")
    assert any("still serving the last good site" in m for m in s.log.err)

    s.write({"listings/blue-mug.yaml": MUG.format(title="Mended Mug")})
    poll(lambda: "Mended Mug" in s.get("/listings/blue-mug/").text, "the fixed listing")
    assert "makerfront-build-error" not in s.get("/listings/blue-mug/").text
    assert "makerfront-build-error" not in s.get("/").text


def test_overlay_escapes_what_the_maker_typed(serve) -> None:
    s = serve()
    s.write({"listings/blue-mug.yaml": MUG.format(title="Blue Mug").replace("price: 28", 'price: "<b>x</b>"')})
    poll(lambda: "makerfront-build-error" in s.get("/").text, "the error overlay")
    text = s.get("/").text
    overlay = text[text.index('id="makerfront-build-error"') :]
    assert "&lt;b&gt;x&lt;/b&gt;" in overlay and "<b>x</b>" not in overlay


def test_first_build_failing_still_starts_and_shows_the_errors(serve) -> None:
    s = serve({"site.yaml": "title: Test Studio\nbase_url: not a url\ncontact:\n  email: hello@shop.example\n"})
    for target in ("/", "/listings/blue-mug/", "/static/style.css"):
        resp = s.get(target)
        assert resp.status == 500 and "makerfront-build-error" in resp.text, target
        assert "site.yaml:2" in resp.text and EVENTS_PATH in resp.text
    assert any("the preview shows the errors until fixed" in m for m in s.log.err)
    s.write({"site.yaml": "title: Test Studio\nbase_url: https://shop.example/\ncontact:\n  email: a@shop.example\n"})
    poll(lambda: s.get("/").status == 200, "the site after the fix")
    assert "makerfront-build-error" not in s.get("/").text


def test_theme_template_and_static_edits_show_up(serve) -> None:
    s = serve(
        {
            "site.yaml": "title: Test Studio\nbase_url: https://shop.example/\ntheme: mine\ncontact:\n  email: a@b.example\n"
        }
    )
    # The site names a theme that does not exist yet: the overlay says so; creating it fixes the site.
    poll(lambda: s.get("/").status == 500, "the missing-theme error")
    write_files(
        s.themes,
        {
            "mine/theme.yaml": "extends: default\n",
            "mine/templates/404.html": '{% extends "theme:404.html" %}{% block main %}Lost mug{% endblock %}\n',
            "mine/static/extra.css": "body { color: red }\n",
        },
    )
    poll(lambda: s.get("/").status == 200 and s.get("/static/extra.css").status == 200, "the new theme")
    assert "Lost mug" in s.get("/gone/").text
    write_files(
        s.themes, {"mine/templates/404.html": '{% extends "theme:404.html" %}{% block main %}Lost cup{% endblock %}\n'}
    )
    poll(lambda: "Lost cup" in s.get("/gone/").text, "the edited template")
    write_files(s.themes, {"mine/static/extra.css": "body { color: blue }\n"})
    poll(lambda: s.get("/static/extra.css").body == b"body { color: blue }\n", "the edited stylesheet")
    write_files(
        s.themes, {"mine/templates/404.html": "{% extends 'base.html' %}{% block main %}{{ nope(1) }}{% endblock %}\n"}
    )
    poll(lambda: "makerfront-build-error" in s.get("/").text, "the template error")
    assert "404.html:1" in s.get("/").text


class Stream:
    """The reload stream as a page opens it, read line by line; ``raw`` keeps every byte read."""

    def __init__(self, port: int, query: str = "") -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
        self.conn.request("GET", EVENTS_PATH + ("?" + query if query else ""))
        self.resp = self.conn.getresponse()
        self.raw = b""

    def next_event(self) -> str:
        """The name of the next event the browser would dispatch (blocks until one comes)."""
        event, data = "message", False
        while True:
            line = self.resp.fp.readline()
            assert line, "the stream ended"
            self.raw += line
            text = line.decode().rstrip("\n")
            if text.startswith("event: "):
                event = text[len("event: ") :]
            elif text.startswith("data: "):
                data = True
            elif text == "" and data:
                return event

    def close(self) -> None:
        self.conn.close()


def build_key(page: str) -> str:
    """The build a page was served from, as its reload script sends it."""
    return page.split('data-build="', 1)[1].split('"', 1)[0]


def stream_query(key: str, path: str | None) -> str:
    return urlencode({"since": key} | ({"path": path} if path is not None else {}))


STREAM_LINES = {b"retry: 1000\n", b"event: build\n", b"data: changed\n", b": still here\n", b"\n"}
"""Every line the reload stream may send: it names no page, no file, no build."""


def test_a_page_hears_only_about_its_own_changes_and_the_stream_names_no_private_page(serve) -> None:
    s = serve({"listings/for-sam.yaml": MUG.format(title="Sam's Mug") + "private: true\n"})
    site = s.dev.state.snapshot()[0]
    assert site is not None, s.log.err
    private = "/" + next(k for k in site.outputs if k.startswith("p/") and k.endswith("/index.html")).removesuffix(
        "index.html"
    )
    token = private.split("/")[2]
    key = build_key(s.get("/").text)
    assert build_key(s.get(private).text) == key
    home, maker, sam, anything = (
        Stream(s.port, stream_query(key, "/")),
        Stream(s.port, stream_query(key, "/maker/")),
        Stream(s.port, stream_query(key, private)),
        Stream(s.port, stream_query(key, None)),  # a page that names no path hears every build
    )
    try:
        assert home.resp.status == 200 and home.resp.getheader("Content-Type") == "text/event-stream"
        builds = s.dev.builds
        s.write({"listings/for-sam.yaml": MUG.format(title="Cobalt Jug for Sam") + "private: true\n"})
        assert sam.next_event() == "build"  # the private page learns that it changed...
        assert anything.next_event() == "build"
        poll(lambda: s.dev.builds > builds, "the rebuild")
        assert s.dev.wait_idle(WAIT)
        assert "Cobalt Jug for Sam" in s.get(private).text
        # ...and no other page does (asked directly: a stream that says nothing cannot be waited for).
        state = s.dev.state
        after = state.build_number(key)
        assert state.concerns(after, "/") == (False, s.dev.builds)
        assert state.concerns(after, "/maker/")[0] is False
        assert state.concerns(after, "/listings/blue-mug/")[0] is False
        assert state.concerns(after, private)[0] is True

        s.write({"listings/blue-mug.yaml": MUG.format(title="Cobalt Mug")})
        assert home.next_event() == "build"  # the home page shows the public listing
        assert anything.next_event() == "build"
        poll(lambda: "Cobalt Mug" in s.get("/").text, "the edited listing on the home page")
        assert s.dev.wait_idle(WAIT)
        assert state.concerns(after, "/maker/")[0] is False  # the maker page shows neither
    finally:
        for stream in (home, maker, sam, anything):
            stream.close()
    for stream in (home, sam, anything):
        assert token.encode() not in stream.raw and b"p/" not in stream.raw
        assert set(stream.raw.splitlines(keepends=True)) <= STREAM_LINES, stream.raw


def test_a_page_not_found_reloads_when_its_page_appears(serve) -> None:
    s = serve()
    missing = s.get("/listings/green-bowl/")
    assert missing.status == 404
    stream = Stream(s.port, stream_query(build_key(missing.text), "/listings/green-bowl/"))
    try:
        s.write({"listings/green-bowl.yaml": MUG.format(title="Green Bowl")})
        assert stream.next_event() == "build"
        poll(lambda: s.get("/listings/green-bowl/").status == 200, "the new listing")
    finally:
        stream.close()


def test_a_failed_build_and_a_page_from_another_server_run_reload_at_once(serve) -> None:
    s = serve()
    key = build_key(s.get("/maker/").text)
    other_run = ("0" if key[0] != "0" else "1") + key[1:]
    stream = Stream(s.port, stream_query(other_run, "/maker/"))
    try:
        assert stream.next_event() == "build"  # the server was restarted since this page loaded
    finally:
        stream.close()
    stream = Stream(s.port, stream_query(key, "/maker/"))
    try:
        s.write({"listings/blue-mug.yaml": "price: [\n"})  # the overlay must appear on every page
        assert stream.next_event() == "build"
    finally:
        stream.close()


def test_build_state_says_which_builds_concern_a_page() -> None:
    state = BuildState()
    outputs: dict[str, bytes | Path] = {"index.html": b"a", "maker/index.html": b"m", "404.html": b"nf"}
    site = BuiltSite(outputs=outputs)
    assert state.build_number(None) == 0
    state.succeeded(site)
    first = state.build_number(state.snapshot()[2])
    assert first == 1 and state.build_number(None) == 1
    assert state.concerns(first, "/") == (False, 1)  # nothing built since
    state.succeeded(site, frozenset({"maker/index.html", "feed.xml"}))
    assert state.concerns(first, "/maker/") == (True, 2)
    assert state.concerns(first, "/maker/?x=1") == (True, 2)
    assert state.concerns(first, "/") == (False, 2)
    assert state.concerns(first, None) == (True, 2)  # no path: every build
    assert state.concerns(2, "/maker/") == (False, 2)
    # A page not found hears about its own output, the folder it would redirect to, and 404.html.
    state.succeeded(site, frozenset({"shop/index.html"}))
    assert state.concerns(2, "/shop") == (True, 3)
    assert state.concerns(2, "/shop/") == (True, 3)
    assert state.concerns(2, "/elsewhere/") == (False, 3)
    state.succeeded(site, frozenset({"404.html"}))
    assert state.concerns(3, "/elsewhere/") == (True, 4)
    assert state.concerns(3, "/../x") == (True, 4)  # outside the site: the 404 page
    assert state.concerns(3, "/maker/") == (False, 4)
    # A page served two builds ago (it connected late, or reconnected) learns about both.
    assert state.concerns(2, "/shop/") == (True, 4)
    assert state.concerns(None, "/") == (True, 4)  # another server run
    assert state.build_number("0000000a-1") is None  # not this run's
    assert state.build_number(state.snapshot()[2].rsplit("-", 1)[0] + "-99") is None  # not built yet
    for bad in ("", "x", "abc-1", "0000000a-\u00b2", "0000000a-" + "9" * 13, "0000000A-1"):
        with pytest.raises(ValueError):
            state.build_number(bad)
    state.failed(("content/x.yaml:1:1: bad",))
    assert state.concerns(4, "/maker/") == (True, 5)  # the overlay appears on every page
    state.succeeded(site, frozenset())
    assert state.concerns(5, "/maker/") == (True, 6)  # and leaves every page
    state.succeeded(dataclasses.replace(site, base_path="/shop/"), frozenset())
    assert state.concerns(6, "/shop/maker/") == (True, 7)  # every address moved
    for _ in range(HISTORY + 1):  # too long ago to know
        state.succeeded(dataclasses.replace(site, base_path="/shop/"), frozenset())
    assert state.concerns(7, "/shop/maker/")[0] is True


def test_deciding_outputs() -> None:
    site = BuiltSite(outputs={"index.html": b"", "a/index.html": b"", "a.css": b""}, base_path="/shop/")
    assert deciding_outputs(site, "/shop/") == {"index.html"}
    assert deciding_outputs(site, "/shop/a/") == {"a/index.html"}
    assert deciding_outputs(site, "/shop/a.css") == {"a.css"}
    assert deciding_outputs(site, "/shop/b/") == {"b/index.html", "404.html"}
    assert deciding_outputs(site, "/shop/b") == {"b", "b/index.html", "404.html"}
    assert deciding_outputs(site, "/shop/%62/") == {"b/index.html", "404.html"}  # as the server decodes it
    assert deciding_outputs(site, "/a/") == {"404.html"}  # outside base_url's path
    assert deciding_outputs(site, "/shop/%2e%2e/x") == {"404.html"}


BAD_STREAM_QUERIES = [
    "since=x",
    "since=",
    "since=0000000a-%C2%B2",  # "²": a digit to str.isdigit, not to int()
    "since=0000000a-" + "9" * 5000,  # more digits than int() converts
    "since=0000000a-1&since=0000000a-2",
    "since=0000000a-1&path=listings/",
    "since=0000000a-1&path=",
    "since=0000000a-1&path=/" + "a" * 5000,
    "since=0000000a-1&other=1",
    "since=%ff",
    "since=0000000a-1&&path=/",
    "since",
    "a=1&b=2&c=3&d=4&e=5",
]


def test_bad_stream_parameters_get_400_and_a_short_message(tmp_path: Path, capfd) -> None:
    server = fake_server(tmp_path, lambda _: BuiltSite(outputs={"index.html": b"<body>hi</body>"}))
    with server as dev:
        for query in BAD_STREAM_QUERIES:
            resp = get(dev.port, EVENTS_PATH + "?" + query)
            assert resp.status == 400, query
            assert resp.headers["content-type"] == "text/plain; charset=utf-8"
            assert resp.text.startswith("400 Bad Request: ") and resp.text.count("\n") == 1, resp.text
            assert len(resp.body) < 100 and "9999" not in resp.text and "aaaa" not in resp.text
        assert get(dev.port, "/").status == 200  # still serving
        stream = Stream(dev.port, stream_query(build_key(get(dev.port, "/").text), "/"))
        assert stream.resp.status == 200
        stream.close()
    assert server.log.err == [] and "Traceback" not in capfd.readouterr().err


def test_an_edited_listing_page_is_served_before_the_rest_of_the_rebuild(serve, monkeypatch) -> None:
    s = serve()
    seen: list[tuple[str, bool]] = []
    real_assemble = pipeline.assemble

    def slow_assemble(*args: object, **kw: object) -> object:
        # While the rest of the rebuild runs, the edited page is already served.
        seen.append(("assemble", "Cobalt Mug" in s.get("/listings/blue-mug/").text))
        seen.append(("home", "$31.00" in s.get("/").text))
        return real_assemble(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "assemble", slow_assemble)
    builds = s.dev.builds
    s.write({"listings/blue-mug.yaml": MUG.format(title="Cobalt Mug").replace("28", "31")})
    poll(lambda: s.dev.builds > builds, "the rebuild")
    assert seen == [("assemble", True), ("home", False)]
    assert "$31.00" in s.get("/").text


@pytest.mark.parametrize("private", [False, True])
def test_no_early_page_in_a_shop_with_private_listings(serve, monkeypatch, private: bool) -> None:
    # The early page has not been through the leak guard; a shop with private listings waits.
    previews: list[str] = []
    real = DevServer._preview
    monkeypatch.setattr(DevServer, "_preview", lambda self, out, page: (previews.append(out), real(self, out, page)))
    s = serve({"listings/for-sam.yaml": MUG.format(title="Sam's Mug") + f"private: {str(private).lower()}\n"})
    builds = s.dev.builds
    s.write({"listings/blue-mug.yaml": MUG.format(title="Cobalt Mug")})
    poll(lambda: s.dev.builds > builds, "the rebuild")
    assert "Cobalt Mug" in s.get("/listings/blue-mug/").text
    assert previews == ([] if private else ["listings/blue-mug/index.html"])


def test_editor_swap_and_backup_files_do_not_rebuild(serve) -> None:
    s = serve(quiet=1.0)  # so a busy machine cannot split the events below into two rebuilds
    builds = s.dev.builds
    listings = s.content / "listings"
    for name in (".blue-mug.yaml.swp", "blue-mug.yaml~", "4913", ".#blue-mug.yaml", "blue-mug.yaml.tmp"):
        (listings / name).write_text("title: [broken\n", encoding="utf-8")
    (listings / "4913").unlink()
    # A real edit afterwards is the marker that every earlier event has been handled.
    s.write({"maker.yaml": (s.content / "maker.yaml").read_text(encoding="utf-8") + "\n"})
    poll(lambda: s.dev.builds > builds, "the rebuild for maker.yaml")
    assert s.dev.wait_idle(WAIT)
    assert s.dev.builds == builds + 1
    assert "makerfront-build-error" not in s.get("/").text


def test_a_save_burst_gives_one_rebuild(serve) -> None:
    # A generous quiet window: the burst below takes well under a millisecond to write.
    s = serve(quiet=1.0, max_wait=5.0)
    builds = s.dev.builds
    listings = s.content / "listings"
    mug = listings / "blue-mug.yaml"
    (listings / "4913").write_text("", encoding="utf-8")  # vim's save, step by step
    (listings / "4913").unlink()
    os.replace(mug, listings / "blue-mug.yaml~")
    mug.write_text(MUG.format(title="Burst Mug"), encoding="utf-8")
    (listings / "blue-mug.yaml~").unlink()
    poll(lambda: "Burst Mug" in s.get("/listings/blue-mug/").text, "the saved listing")
    assert s.dev.wait_idle(WAIT)
    assert s.dev.builds == builds + 1


# -- the rebuild loop with a fake builder -----------------------------------------------------------


class fake_server:
    """A started DevServer with a fake builder and no file watching."""

    def __init__(self, tmp_path: Path, rebuild: Callable[[ChangeSet], BuiltSite], **kw: object) -> None:
        self.log = Log()
        roots = WatchRoots(content=(tmp_path / "content").resolve(), themes=((tmp_path / "themes").resolve(),))
        kw.setdefault("port", 0)
        self.dev = DevServer(
            rebuild,
            roots=roots,
            say=self.log.out.append,
            warn=self.log.err.append,
            **kw,  # type: ignore[arg-type]
        )

    def __enter__(self) -> DevServer:
        self.dev.start(watch=False)
        return self.dev

    def __exit__(self, *exc: object) -> None:
        self.dev.stop()


class FakeBuilder:
    """Records every call; the second call blocks until released (a build still running)."""

    def __init__(self) -> None:
        self.calls: list[ChangeSet] = []
        self.started = threading.Event()
        self.release = threading.Event()
        self.block_on_call = 2

    def __call__(self, changes: ChangeSet) -> BuiltSite:
        self.calls.append(changes)
        if len(self.calls) == self.block_on_call:
            self.started.set()
            assert self.release.wait(WAIT)
        n = len(self.calls)
        return BuiltSite(outputs={"index.html": f"<html><body>build {n}</body></html>".encode()})


def content_event(tmp_path: Path, name: str) -> FileEvent:
    return FileEvent("modified", str((tmp_path / "content" / "listings" / name).resolve()))


def test_changes_during_a_build_give_exactly_one_more_build(tmp_path: Path) -> None:
    builder = FakeBuilder()
    with fake_server(tmp_path, builder) as dev:
        assert builder.calls == [FULL_BUILD]  # the first build
        dev.notify(content_event(tmp_path, "a.yaml"))
        assert builder.started.wait(WAIT)  # build 2 is running...
        for name in ("b.yaml", "c.yaml", "b.yaml", "d.yaml"):  # ...while more files change
            dev.notify(content_event(tmp_path, name))
        builder.release.set()
        assert dev.wait_idle(WAIT)
        assert len(builder.calls) == 3
        assert [f.path.name for f in builder.calls[1].files] == ["a.yaml"]
        assert [f.path.name for f in builder.calls[2].files] == ["b.yaml", "c.yaml", "d.yaml"]
        assert get(dev.port, "/").text.startswith("<html><body>build 3")


def test_events_that_change_nothing_do_not_build(tmp_path: Path) -> None:
    builder = FakeBuilder()
    with fake_server(tmp_path, builder) as dev:
        dev.notify(FileEvent("modified", str((tmp_path / "content" / "listings" / ".a.yaml.swp").resolve())))
        dev.notify(FileEvent("modified", str((tmp_path / "content" / "listings").resolve()), is_directory=True))
        dev.notify(FileEvent("modified", str((tmp_path / "elsewhere.yaml").resolve())))
        assert dev.wait_idle(WAIT)
        assert builder.calls == [FULL_BUILD]


def test_a_crashing_builder_keeps_serving_and_shows_the_error(tmp_path: Path) -> None:
    calls: list[int] = []

    def builder(changes: ChangeSet) -> BuiltSite:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("theme plugin exploded")
        if len(calls) == 3:
            raise SiteError("price: expected a price", path=tmp_path / "content" / "listings" / "a.yaml", line=3)
        return BuiltSite(outputs={"index.html": b"<html><body>good</body></html>"})

    with fake_server(tmp_path, builder) as server:
        server.notify(content_event(tmp_path, "a.yaml"))
        assert server.wait_idle(WAIT)
        page = get(server.port, "/").text
        assert "good" in page and "internal error while building" in page and "theme plugin exploded" in page
        server.notify(content_event(tmp_path, "a.yaml"))
        assert server.wait_idle(WAIT)
        page = get(server.port, "/").text
        assert "a.yaml:3: price: expected a price" in page and "internal error" not in page


def test_port_in_use_moves_to_the_next_free_one(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = fake_server(tmp_path, lambda _: BuiltSite(outputs={"index.html": b"hi"}), port=port)
        with server as dev:
            assert dev.port != port and dev.port > port
            assert any(f"Port {port} is in use" in m for m in server.log.out)
            assert get(dev.port, "/").body.startswith(b"hi<script ")


def test_unusable_host_is_reported(tmp_path: Path) -> None:
    dev = DevServer(lambda _: BuiltSite(outputs={}), roots=WatchRoots(content=tmp_path), host="203.0.113.1", port=0)
    with pytest.raises(DevServerError, match=r"cannot listen on 203\.0\.113\.1"):
        dev.start(watch=False)


def test_stop_ends_open_event_streams_and_joins_every_thread(serve) -> None:
    s = serve()
    conns = []
    for _ in range(3):
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=WAIT)
        conn.request("GET", EVENTS_PATH)
        conn.getresponse()
        conns.append(conn)
    idle = socket.create_connection(("127.0.0.1", s.port))  # a browser's idle pre-connection
    done = threading.Event()
    stopper = threading.Thread(target=lambda: (s.dev.stop(), done.set()))
    stopper.start()
    assert done.wait(WAIT), "stop() did not return"
    stopper.join()
    names = {t.name for t in threading.enumerate()}
    assert not {"makerfront-rebuild", "makerfront-http"} & names
    with pytest.raises(OSError):
        get(s.port, "/")
    idle.close()
    for conn in conns:
        conn.close()


# -- PipelineRebuild: how much each kind of change rebuilds -----------------------------------------


def test_pipeline_rebuild_reuses_the_site_for_theme_changes(make_site, tmp_path: Path, monkeypatch) -> None:
    content = make_site()
    themes = tmp_path / "themes"
    write_files(themes, {"mine/static/x.css": "a{}"})
    roots = watch_roots(content, themes)
    loads: list[int] = []
    real_load = pipeline.load_site
    monkeypatch.setattr(pipeline, "load_site", lambda o, *rest: (loads.append(1), real_load(o, *rest))[1])
    rebuild = PipelineRebuild(options(content, themes=themes))

    def changes(*paths: Path, kind: str = "modified") -> ChangeSet:
        return classify([FileEvent(kind, str(p.resolve())) for p in paths], roots)  # type: ignore[arg-type]

    first = rebuild(FULL_BUILD)
    assert loads == [1]
    same = rebuild(changes(BUILTIN_THEMES / "default" / "static" / "style.css"))
    assert same.outputs is first.outputs and loads == [1]  # static edit: no build at all
    theme = rebuild(changes(BUILTIN_THEMES / "default" / "templates" / "base.html"))
    assert theme.outputs is not first.outputs and loads == [1]  # re-rendered, not reloaded
    assert changes(content / "listings" / "blue-mug.yaml").kinds == {Change.CONTENT}
    rebuild(changes(content / "listings" / "blue-mug.yaml"))
    assert loads == [1] and rebuild.last_update is not None  # only that listing read again
    rebuild(changes(content / "maker.yaml"))
    assert loads == [1, 1] and rebuild.last_update is None  # the maker profile: everything again


def test_pipeline_rebuild_after_a_failure_is_always_full(make_site, tmp_path: Path) -> None:
    content = make_site()
    roots = watch_roots(content, tmp_path / "themes")
    rebuild = PipelineRebuild(options(content, themes=tmp_path / "themes"))
    rebuild(FULL_BUILD)
    write_files(content, {"listings/blue-mug.yaml": "price: [\n"})
    broken = classify([FileEvent("modified", str((content / "listings" / "blue-mug.yaml").resolve()))], roots)
    with pytest.raises(BuildFailed):
        rebuild(broken)
    template = classify([FileEvent("modified", str(BUILTIN_THEMES / "default" / "templates" / "base.html"))], roots)
    # Re-rendering the old Site here would hide the broken listing behind a "successful" build.
    with pytest.raises(BuildFailed):
        rebuild(template)


def test_pipeline_rebuild_on_a_new_day_drops_the_private_listings_that_expired(make_site, tmp_path: Path) -> None:
    """`serve` without --today left open over midnight: the next rebuild, whatever changed, is
    built on the new day."""
    heron = "title: Heron Jug\nprice: 90\nprivate: true\nexpires: 2026-12-31\nimages:\n  - {src: images/mug.png, alt: A jug}\n"
    content = make_site({"listings/heron.yaml": heron})
    roots = watch_roots(content, tmp_path / "themes")
    days = iter([date(2026, 12, 31), date(2026, 12, 31), date(2027, 1, 1)])
    rebuild = PipelineRebuild(options(content, themes=tmp_path / "themes"), clock=lambda: next(days))
    assert any(p.startswith("p/") for p in rebuild(FULL_BUILD).outputs)
    edit = classify([FileEvent("modified", str((content / "listings" / "blue-mug.yaml").resolve()))], roots)
    assert any(p.startswith("p/") for p in rebuild(edit).outputs)
    assert not any(p.startswith("p/") for p in rebuild(edit).outputs)


# -- python build.py serve ----------------------------------------------------------------------------


def test_cli_serve_starts_serves_and_exits_0_on_ctrl_c(make_site, tmp_path: Path) -> None:
    content = make_site()
    with socket.socket() as taken:  # the requested port is busy: serve must pick the next free one
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        opened = tmp_path / "opened.txt"
        proc = subprocess.Popen(
            [sys.executable, str(REPO / "build.py"), "serve", "--content", str(content), "--port", str(port), "--open"],
            cwd=tmp_path,
            # --open runs the browser named in $BROWSER: here, a command that notes the address.
            env={**os.environ, "BROWSER": f"sh -c 'echo %s > {opened}'"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        lines: queue.Queue[str] = queue.Queue()
        reader = threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout or ()], daemon=True)
        reader.start()
        seen: list[str] = []
        try:
            deadline = time.monotonic() + 20
            while not any("Serving the preview at" in line for line in seen):
                assert proc.poll() is None, "".join(seen)
                try:
                    seen.append(lines.get(timeout=max(0.1, deadline - time.monotonic())))
                except queue.Empty:
                    pytest.fail("serve did not start: " + "".join(seen))
            url = next(line for line in seen if "Serving the preview at" in line).split(" at ")[1].split()[0]
            assert url.startswith("http://127.0.0.1:") and url.endswith("/")
            served_port = int(url.split(":")[2].rstrip("/"))
            assert served_port != port
            assert any(f"Port {port} is in use" in line for line in seen)
            resp = get(served_port, "/listings/blue-mug/")
            assert resp.status == 200 and "Blue Mug" in resp.text
            poll(lambda: opened.exists() and opened.read_text().strip() == url, "--open to open the address")
            proc.send_signal(signal.SIGINT)
            assert proc.wait(timeout=WAIT) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        reader.join(WAIT)
        while not lines.empty():
            seen.append(lines.get())
        assert "Stopped." in "".join(seen)
        assert "Traceback" not in "".join(seen)
        assert not (tmp_path / "output").exists()  # serve writes nothing


def test_cli_serve_missing_content_folder_exits_1(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "serve", "--content", str(tmp_path / "nope"), "--port", "0"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=WAIT * 2,
    )
    assert proc.returncode == 1 and "content folder does not exist" in proc.stderr


def test_a_save_during_the_first_build_is_not_missed(make_site, tmp_path: Path) -> None:
    # The first build runs before the watcher starts (so it may fork worker processes); a file
    # saved meanwhile is found by comparing file times afterwards, and built.
    content = make_site()
    themes = tmp_path / "themes"
    real = PipelineRebuild(options(content, themes=themes))
    calls: list[ChangeSet] = []

    def rebuild(changes: ChangeSet) -> BuiltSite:
        calls.append(changes)
        site = real(changes)
        if len(calls) == 1:  # saved after the build read it, before the watcher started
            write_files(content, {"listings/blue-mug.yaml": MUG.format(title="Saved Meanwhile")})
        return site

    dev = DevServer(rebuild, roots=watch_roots(content, themes), port=0, say=lambda _: None, warn=lambda _: None)
    dev.start()
    try:
        poll(lambda: "Saved Meanwhile" in get(dev.port, "/listings/blue-mug/").text, "the file saved meanwhile")
        assert [f.path.name for f in calls[1].files] == ["blue-mug.yaml"] and calls[1].files[0].action == "modified"
    finally:
        dev.stop()
