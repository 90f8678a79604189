"""Live reload in a real browser: a save to a listing reloads the open page by itself, a broken
file shows the overlay, and the page reconnects (and reloads) after the server restarts.

Uses the browser suite's shared Chromium (one Playwright per process: a second sync Playwright
inside the first one's event loop fails), so it follows the suite's rule: skipped on a developer
machine without Chromium, failed under CI."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import options, write_files

from generator.devserver import DevServer, PipelineRebuild, watch_roots

pytestmark = pytest.mark.browser

WAIT_MS = 10_000

MUG = """\
title: {title}
price: 28
images:
  - {{src: images/mug.png, alt: A blue mug}}
description: A sturdy **mug**.
"""


@pytest.fixture
def page(new_page: Callable[..., Any]) -> Any:
    return new_page()


def start(content: Path, themes: Path, port: int = 0) -> DevServer:
    dev = DevServer(
        PipelineRebuild(options(content, themes=themes)),
        roots=watch_roots(content, themes),
        port=port,
        say=lambda _: None,
        warn=lambda _: None,
    )
    dev.start()
    return dev


def test_open_page_reloads_on_save_shows_errors_and_survives_a_restart(page, make_site, tmp_path: Path) -> None:
    content = make_site()
    themes = tmp_path / "themes"
    dev = start(content, themes)
    port = dev.port
    try:
        page.goto(f"http://127.0.0.1:{port}/listings/blue-mug/")
        page.wait_for_function("document.querySelector('h1').innerText.includes('Blue Mug')", timeout=WAIT_MS)

        # A marker on the window disappears only when the page really reloads.
        page.evaluate("window.__notReloaded = true")
        write_files(content, {"listings/blue-mug.yaml": MUG.format(title="Cobalt Mug")})
        page.wait_for_function(
            "!window.__notReloaded && document.querySelector('h1').innerText.includes('Cobalt Mug')", timeout=WAIT_MS
        )

        page.evaluate("window.__notReloaded = true")
        write_files(content, {"listings/blue-mug.yaml": "title: Cobalt Mug\nprice: twelve\n"})
        page.wait_for_selector("#makerfront-build-error", timeout=WAIT_MS)
        overlay = page.inner_text("#makerfront-build-error")
        assert "blue-mug.yaml:2" in overlay and "twelve" in overlay
        assert "Cobalt Mug" in page.inner_text("h1")  # the last good page under the overlay

        write_files(content, {"listings/blue-mug.yaml": MUG.format(title="Mended Mug")})
        page.wait_for_function("document.querySelector('h1').innerText.includes('Mended Mug')", timeout=WAIT_MS)
        assert page.query_selector("#makerfront-build-error") is None
    finally:
        dev.stop()

    # The maker restarts `serve` (after editing while it was down): the open page reconnects and reloads.
    page.evaluate("window.__notReloaded = true")
    write_files(content, {"listings/blue-mug.yaml": MUG.format(title="Restarted Mug")})
    dev = start(content, themes, port=port)
    try:
        assert dev.port == port
        page.wait_for_function(
            "!window.__notReloaded && document.querySelector('h1').innerText.includes('Restarted Mug')",
            timeout=WAIT_MS,
        )
    finally:
        dev.stop()


def test_an_edit_reloads_only_the_pages_it_changed(new_page: Callable[..., Any], make_site, tmp_path: Path) -> None:
    # A second listing, so the edited one is not the only thing on the home page.
    content = make_site({"listings/green-bowl.yaml": MUG.format(title="Green Bowl")})
    dev = start(content, tmp_path / "themes")
    listing, maker, other = new_page(), new_page(), new_page()
    try:
        base = f"http://127.0.0.1:{dev.port}/"
        for tab, path, text in (
            (listing, "listings/blue-mug/", "Blue Mug"),
            (maker, "maker/", "Ada Potter"),
            (other, "listings/green-bowl/", "Green Bowl"),
        ):
            tab.goto(base + path)
            tab.wait_for_function(f"document.body.innerText.includes({text!r})", timeout=WAIT_MS)
            tab.evaluate("window.__notReloaded = true")
        write_files(content, {"listings/blue-mug.yaml": MUG.format(title="Cobalt Mug")})
        listing.wait_for_function(
            "!window.__notReloaded && document.querySelector('h1').innerText.includes('Cobalt Mug')", timeout=WAIT_MS
        )
        assert dev.wait_idle(WAIT_MS / 1000)
        # The maker page and the other listing do not show the edited listing: they stay as they were
        # (no flash, scroll position and half-typed order details kept).
        listing.wait_for_timeout(500)
        assert maker.evaluate("window.__notReloaded === true")
        assert other.evaluate("window.__notReloaded === true")
        # ...but they still follow later changes that do concern them.
        write_files(content, {"listings/green-bowl.yaml": MUG.format(title="Sage Bowl")})
        other.wait_for_function(
            "!window.__notReloaded && document.body.innerText.includes('Sage Bowl')", timeout=WAIT_MS
        )
    finally:
        dev.stop()
