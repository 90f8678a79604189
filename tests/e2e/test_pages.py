"""Every page of the sample shop, in a real browser on a 360 px phone: no console error, no failed
request, no sideways scrolling. Served from the domain root and under a /shop/ subpath."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import pytest

from .conftest import Shop
from .pages import horizontal_overflow, load, watch

pytestmark = pytest.mark.browser


def test_sample_has_a_favicon(shop: Shop) -> None:
    # Without an icon link every browser asks for /favicon.ico, a 404 (and a console error) on
    # static hosts; the sample shop shows makers how to set one.
    assert shop.result.site.config.favicon is not None, "content/site.yaml should set favicon:"
    assert '<link rel="icon"' in (shop.out / "index.html").read_text(encoding="utf-8")


def test_every_page_loads_cleanly_at_360px(any_shop: Shop, new_page: Any) -> None:
    page = new_page(width=360, height=740)
    problems = watch(page)
    found: dict[str, list[str]] = {}
    for output in any_shop.html_files:
        url = any_shop.page_url(output)
        problems.console_errors.clear()
        problems.page_errors.clear()
        problems.failed_requests.clear()
        # 404.html is served with status 404 when opened at a missing address; as a file it is 200.
        load(page, url)
        issues = problems.all() + horizontal_overflow(page)
        if issues:
            found[url] = issues
    assert len(any_shop.html_files) >= 6
    assert not found, "\n".join(f"{url}:\n  " + "\n  ".join(issues) for url, issues in found.items())


def test_custom_order_page_loads_cleanly_at_360px(shop_with_form: Shop, new_page: Any) -> None:
    page = new_page(width=360, height=740)
    problems = watch(page)
    listing = shop_with_form.result.plan.public_listings[0]
    load(page, shop_with_form.url(f"custom-order/?listing={listing.title}&url=x"))
    assert problems.all() + horizontal_overflow(page) == []


def test_pages_link_to_each_other_under_the_base_url(any_shop: Shop, new_page: Any) -> None:
    # Follow every same-site link from every page: each one must be a page of the build, so
    # links work at the domain root and under a subpath.
    page = new_page()
    broken: set[str] = set()
    for output in any_shop.html_files:
        load(page, any_shop.page_url(output))
        hrefs: list[str] = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
        for href in hrefs:
            if not href.startswith(any_shop.server.origin):
                continue
            target = href.split("#")[0].split("?")[0]
            if not target.startswith(any_shop.base_url):
                broken.add(f"{any_shop.page_url(output)} -> {href} (outside the base URL)")
                continue
            path = unquote(target.removeprefix(any_shop.base_url))
            candidates = (path, f"{path}index.html") if path.endswith("/") or not path else (path,)
            if not any(c in any_shop.result.outputs for c in candidates):
                broken.add(f"{any_shop.page_url(output)} -> {href}")
    assert not broken, "\n".join(sorted(broken))


def test_missing_address_shows_the_404_page_with_working_links(any_shop: Shop, new_page: Any) -> None:
    # A static host serves 404.html at any depth; its stylesheet and links must still work there.
    page = new_page(width=360, height=740)
    url = any_shop.url("no/such/page/")
    problems = watch(page, allow_status={url: 404})
    response = page.goto(url, wait_until="networkidle")
    assert response is not None and response.status == 404
    assert problems.all() == []
    assert page.locator("h1").inner_text() == "Page not found"
    # The stylesheet applied (the theme's background colour, not the browser's white).
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgba(0, 0, 0, 0)"
    page.get_by_role("link", name="Back to the shop").click()
    page.wait_for_load_state()
    assert page.url == any_shop.url()
    assert horizontal_overflow(page) == []


def test_the_page_checks_do_catch_problems(shop: Shop, new_page: Any) -> None:
    # Guards the tests above: a missing image, a script error and a too-wide element are reported.
    (shop.out / "broken-probe.html").write_text(
        "<!doctype html><html lang=en><title>probe</title>"
        '<img src="missing.png" alt="x"><div style="width:900px">wide</div>'
        "<script>undefinedFunction()</script>",
        encoding="utf-8",
    )
    page = new_page(width=360)
    problems = watch(page)
    try:
        load(page, shop.url("broken-probe.html"))
    finally:
        (shop.out / "broken-probe.html").unlink()
    assert any("missing.png" in p for p in problems.failed_requests)
    assert any("undefinedFunction" in p for p in problems.page_errors)
    assert horizontal_overflow(page)[0].startswith("page is 908 px wide in a 360 px viewport")
