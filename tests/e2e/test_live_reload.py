"""Live reload in a real browser: a save to a listing reloads the open page by itself, a broken
file shows the overlay, and the page reconnects (and reloads) after the server restarts. Under the
preview's Content-Security-Policy: no page may log a violation, and a script in the address of a
page not found does not run.

Predicates are passed to wait_for_function as functions: Playwright polls a bare expression with
eval, which the policy forbids.

Uses the browser suite's shared Chromium (one Playwright per process: a second sync Playwright
inside the first one's event loop fails), so it follows the suite's rule: skipped on a developer
machine without Chromium, failed under CI."""

from __future__ import annotations

from collections.abc import Callable, Iterator
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


REPORT_VIOLATIONS = """document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " " + e.blockedURI);
});"""


@pytest.fixture
def violations() -> list[str]:
    """Content-Security-Policy violations seen by the pages of a test (`watched`)."""
    return []


@pytest.fixture
def watched(new_page: Callable[..., Any], violations: list[str]) -> Callable[[], Any]:
    """watched() -> a new page whose CSP violations are added to `violations`, from Chromium's
    own console message and from the page's securitypolicyviolation event."""

    def _new() -> Any:
        tab = new_page()
        tab.add_init_script(REPORT_VIOLATIONS)
        tab.on(
            "console",
            lambda m: (
                violations.append(m.text) if "CSP violation" in m.text or "Content Security Policy" in m.text else None
            ),
        )
        return tab

    return _new


@pytest.fixture
def page(watched: Callable[[], Any], violations: list[str]) -> Iterator[Any]:
    yield watched()
    assert violations == []


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
        page.wait_for_function("() => document.querySelector('h1').innerText.includes('Blue Mug')", timeout=WAIT_MS)

        # A marker on the window disappears only when the page really reloads.
        page.evaluate("window.__notReloaded = true")
        write_files(content, {"listings/blue-mug.yaml": MUG.format(title="Cobalt Mug")})
        page.wait_for_function(
            "() => !window.__notReloaded && document.querySelector('h1').innerText.includes('Cobalt Mug')",
            timeout=WAIT_MS,
        )

        page.evaluate("window.__notReloaded = true")
        write_files(content, {"listings/blue-mug.yaml": "title: Cobalt Mug\nprice: twelve\n"})
        page.wait_for_selector("#makerfront-build-error", timeout=WAIT_MS)
        overlay = page.inner_text("#makerfront-build-error")
        assert "blue-mug.yaml:2" in overlay and "twelve" in overlay
        assert "Cobalt Mug" in page.inner_text("h1")  # the last good page under the overlay
        page.click("#makerfront-build-error button")  # its handler comes from the reload script
        assert page.query_selector("#makerfront-build-error") is None

        write_files(content, {"listings/blue-mug.yaml": MUG.format(title="Mended Mug")})
        page.wait_for_function("() => document.querySelector('h1').innerText.includes('Mended Mug')", timeout=WAIT_MS)
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
            "() => !window.__notReloaded && document.querySelector('h1').innerText.includes('Restarted Mug')",
            timeout=WAIT_MS,
        )
    finally:
        dev.stop()


def test_an_edit_reloads_only_the_pages_it_changed(
    watched: Callable[[], Any], violations: list[str], make_site, tmp_path: Path
) -> None:
    # A second listing, so the edited one is not the only thing on the home page.
    content = make_site({"listings/green-bowl.yaml": MUG.format(title="Green Bowl")})
    dev = start(content, tmp_path / "themes")
    listing, maker, other = watched(), watched(), watched()
    try:
        base = f"http://127.0.0.1:{dev.port}/"
        for tab, path, text in (
            (listing, "listings/blue-mug/", "Blue Mug"),
            (maker, "maker/", "Ada Potter"),
            (other, "listings/green-bowl/", "Green Bowl"),
        ):
            tab.goto(base + path)
            tab.wait_for_function(f"() => document.body.innerText.includes({text!r})", timeout=WAIT_MS)
            tab.evaluate("window.__notReloaded = true")
        write_files(content, {"listings/blue-mug.yaml": MUG.format(title="Cobalt Mug")})
        listing.wait_for_function(
            "() => !window.__notReloaded && document.querySelector('h1').innerText.includes('Cobalt Mug')",
            timeout=WAIT_MS,
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
            "() => !window.__notReloaded && document.body.innerText.includes('Sage Bowl')", timeout=WAIT_MS
        )
    finally:
        dev.stop()
    assert violations == []


def test_a_private_listing_edit_reloads_its_own_page_only(
    watched: Callable[[], Any], violations: list[str], make_site, tmp_path: Path
) -> None:
    content = make_site({"listings/for-sam.yaml": MUG.format(title="Jug for Sam") + "private: true\n"})
    dev = start(content, tmp_path / "themes")
    home, private = watched(), watched()
    try:
        site = dev.state.snapshot()[0]
        assert site is not None
        address = next(k for k in site.outputs if k.startswith("p/")).rsplit("/", 1)[0] + "/"
        base = f"http://127.0.0.1:{dev.port}/"
        for tab, path, text in ((home, "", "Blue Mug"), (private, address, "Jug for Sam")):
            tab.goto(base + path)
            tab.wait_for_function(f"() => document.body.innerText.includes({text!r})", timeout=WAIT_MS)
            tab.evaluate("window.__notReloaded = true")
        write_files(content, {"listings/for-sam.yaml": MUG.format(title="Cobalt Jug for Sam") + "private: true\n"})
        private.wait_for_function(
            "() => !window.__notReloaded && document.body.innerText.includes('Cobalt Jug for Sam')", timeout=WAIT_MS
        )
        assert dev.wait_idle(WAIT_MS / 1000)
        private.wait_for_timeout(500)
        assert home.evaluate("window.__notReloaded === true")  # the shop's pages never show it
    finally:
        dev.stop()
    assert violations == []


def test_a_script_in_the_address_does_not_run_and_the_page_not_found_still_reloads(
    page: Any, make_site, tmp_path: Path
) -> None:
    content = make_site()
    dev = start(content, tmp_path / "themes")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        base = f"http://127.0.0.1:{dev.port}"
        for target in (
            "/%3C/script%3E%3Cscript%3Ealert(document.domain)%3C/script%3E",
            "/%3C/script%3E%3Cscript%3Ewindow.__injected=1%3C/script%3E/",
            "/%3Cimg%20src=x%20onerror=alert(1)%3E/",
        ):
            response = page.goto(base + target)
            assert response is not None and response.status == 404
            page.wait_for_selector("text=Page not found", timeout=WAIT_MS)
            assert page.evaluate("window.__injected === undefined")
        assert dialogs == []
        # The page not found follows its own address: it reloads once that page exists.
        page.goto(base + "/listings/green-bowl/")
        page.wait_for_selector("text=Page not found", timeout=WAIT_MS)
        write_files(content, {"listings/green-bowl.yaml": MUG.format(title="Green Bowl")})
        page.wait_for_function("() => document.querySelector('h1').innerText.includes('Green Bowl')", timeout=WAIT_MS)
    finally:
        dev.stop()
