"""External tools of the browser suite (Chromium, Java + the Nu checker, Playwright) and a small
static HTTP server that serves a built site the way a static host does.

A developer without these tools gets the browser tests skipped with the reason; under CI
(CI=true) a missing tool fails the test instead, so CI can never go green by skipping.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NoReturn

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("MAKERFRONT_CHROMIUM", "/usr/bin/chromium"))
VNU_JAR = Path(
    os.environ.get(
        "MAKERFRONT_VNU_JAR", REPO / ".ci" / "node" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    )
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL_HINT = "bash .ci/run installs everything (or see README, 'Fast tests and browser tests')"


def under_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


def missing_tool(reason: str) -> NoReturn:
    """Skip on a developer machine, fail under CI."""
    message = f"{reason}; {INSTALL_HINT}"
    if under_ci():
        pytest.fail(f"CI=true and a browser-suite tool is missing: {message}", pytrace=False)
    pytest.skip(message)


def require_chromium() -> Path:
    if not CHROMIUM.is_file():
        missing_tool(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    try:
        import axe_playwright_python  # noqa: F401
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        missing_tool(f"{exc.name} is not installed (pip install -e '.[test]')")
    return CHROMIUM


def require_vnu() -> list[str]:
    """The command that runs the Nu Html Checker."""
    java = shutil.which("java")
    if java is None:
        missing_tool("java not found (apt-get install default-jre-headless)")
    if not VNU_JAR.is_file():
        missing_tool(f"the Nu checker is not at {VNU_JAR} (npm ci --ignore-scripts --prefix .ci/node)")
    return [java, "-jar", str(VNU_JAR)]


# -- Nu Html Checker -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VnuMessage:
    file: str
    line: int
    message: str
    extract: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}\n    {self.extract.strip()}"


def run_vnu(files: Sequence[Path], *, css: bool = False) -> list[VnuMessage]:
    """Errors (not warnings) the Nu checker reports for these files; [] when they are valid."""
    command = [*require_vnu(), "--errors-only", "--format", "json", "--exit-zero-always"]
    if css:
        command.append("--css")
    proc = subprocess.run([*command, *map(str, files)], capture_output=True, text=True, timeout=300, check=False)
    if proc.returncode != 0:
        pytest.fail(f"the Nu checker did not run (exit {proc.returncode}): {proc.stderr[-2000:]}", pytrace=False)
    report: dict[str, Any] = json.loads(proc.stderr or '{"messages": []}')
    messages = []
    for m in report.get("messages", []):
        if m.get("type") in ("error", "non-document-error") or m.get("subType") == "fatal":
            messages.append(
                VnuMessage(
                    file=str(m.get("url", "?")).removeprefix("file:"),
                    line=int(m.get("lastLine", 0)),
                    message=str(m.get("message", "")),
                    extract=str(m.get("extract", "")),
                )
            )
    return messages


# -- static server -------------------------------------------------------------------------------


@dataclass(slots=True)
class StaticServer:
    """Serves `root` on 127.0.0.1 like a static host: folders serve their index.html, unknown
    paths get the site's 404.html with status 404, and POSTs to /__form are recorded (a stand-in
    for a form service such as Formspree)."""

    root: Path
    not_found_page: str = "404.html"
    posts: list[tuple[str, bytes]] = field(default_factory=list)
    port: int = 0

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def serve(server_state: StaticServer) -> Iterator[StaticServer]:
    state = server_state

    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(state.root), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
            pass

        def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
            page = state.root / state.not_found_page
            if code == 404 and page.is_file():
                body = page.read_bytes()
                self.send_response(404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)
                return
            super().send_error(code, message, explain)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            state.posts.append((self.path, self.rfile.read(length)))
            body = b'<!doctype html><html lang=en><title>Thanks</title><link rel=icon href="data:,"><p>Received.'
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", state.port), Handler)
    httpd.daemon_threads = True
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, name=f"static-server-{state.port}", daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
