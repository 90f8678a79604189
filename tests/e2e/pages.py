"""Loading a page in the browser while recording everything that goes wrong."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class PageProblems:
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    def all(self) -> list[str]:
        return (
            [f"console error: {m}" for m in self.console_errors]
            + [f"uncaught exception: {m}" for m in self.page_errors]
            + [f"failed request: {m}" for m in self.failed_requests]
        )


def watch(page: Any, *, allow_status: dict[str, int] | None = None) -> PageProblems:
    """Record console errors, uncaught exceptions, failed requests and HTTP errors (>= 400) on
    `page`. `allow_status` maps a URL to the status it is expected to have (the 404 page)."""
    problems = PageProblems()
    allowed = allow_status or {}

    def on_console(msg: Any) -> None:
        # Chromium logs the expected 404 of the document itself as a console error too.
        if msg.type == "error" and msg.location.get("url") not in allowed:
            problems.console_errors.append(f"{msg.text} ({msg.location.get('url', '')})")

    def on_response(response: Any) -> None:
        if response.status >= 400 and allowed.get(response.url) != response.status:
            problems.failed_requests.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: problems.page_errors.append(str(exc)))

    def on_failed(request: Any) -> None:
        # ERR_ABORTED is the test moving on to the next page while the browser still fetches the
        # favicon (everything else has loaded by then, see load()); a missing file is a 404
        # response and is caught by on_response.
        if request.failure != "net::ERR_ABORTED":
            problems.failed_requests.append(f"{request.failure} {request.url}")

    page.on("requestfailed", on_failed)
    page.on("response", on_response)
    return problems


def load(page: Any, url: str) -> None:
    """Open `url` and wait until every image and script has loaded."""
    page.goto(url, wait_until="load")
    # Lazy images below the fold load when scrolled to; scroll through so they are requested too.
    page.evaluate(
        """async () => {
            for (const img of document.querySelectorAll('img[loading="lazy"]')) img.loading = 'eager';
            window.scrollTo(0, document.body.scrollHeight);
            await Promise.all(Array.from(document.images).map(img => img.complete ? null :
                new Promise(done => { img.addEventListener('load', done); img.addEventListener('error', done); })));
            // decoding="async" images may not be painted yet; screenshots must show them.
            await Promise.all(Array.from(document.images).map(img => img.decode().catch(() => null)));
            window.scrollTo(0, 0);
        }"""
    )
    page.wait_for_load_state("load")


def horizontal_overflow(page: Any) -> list[str]:
    """Elements wider than the viewport, and by how much; [] when the page does not scroll
    sideways."""
    result: list[str] = page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            if (document.documentElement.scrollWidth <= width) return [];
            const culprits = [];
            for (const el of document.body.querySelectorAll('*')) {
                const r = el.getBoundingClientRect();
                if (r.right > width + 0.5 || r.left < -0.5) {
                    const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                        (el.className && typeof el.className === 'string' ? '.' + el.className.trim().replace(/\\s+/g, '.') : '');
                    culprits.push(`${name} spans ${Math.round(r.left)}..${Math.round(r.right)} px`);
                }
            }
            return [`page is ${document.documentElement.scrollWidth} px wide in a ${width} px viewport`, ...culprits.slice(0, 8)];
        }"""
    )
    return result
