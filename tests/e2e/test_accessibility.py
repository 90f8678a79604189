"""axe-core on every page of the sample shop, on a phone and on a desktop: no violation of
impact serious or critical. Fix the theme; never turn rules off here."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import PAGINATED, Shop
from .pages import load

pytestmark = pytest.mark.browser

BLOCKING = {"serious", "critical"}


def axe_violations(page: Any) -> list[dict[str, Any]]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    violations: list[dict[str, Any]] = results.response["violations"]
    return violations


def describe(url: str, violations: list[dict[str, Any]]) -> str:
    lines = [url]
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            lines.append(f"      {', '.join(node['target'])}: {node.get('failureSummary', '').splitlines()[-1:]}")
    return "\n".join(lines)


@pytest.mark.parametrize("width", [360, 1280])
def test_no_serious_accessibility_violations(shop: Shop, shop_with_form: Shop, new_page: Any, width: int) -> None:
    page = new_page(width=width)
    urls = [shop.page_url(p) for p in shop.html_files] + [shop_with_form.url("custom-order/")]
    urls += [shop_with_form.page_url(p) for p in PAGINATED]
    report = []
    for url in urls:
        load(page, url)
        blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
        if blocking:
            report.append(describe(url, blocking))
    assert not report, "axe-core found serious or critical problems:\n" + "\n".join(report)


def test_axe_does_report_problems(shop: Shop, new_page: Any) -> None:
    # Guards the test above: an unlabelled field and unreadable text are found.
    page = new_page()
    load(page, shop.url())
    page.set_content(
        '<!doctype html><html lang="en"><title>probe</title><main>'
        '<input type="text"><p style="color:#ddd;background:#fff">faint</p></main></html>'
    )
    ids = {v["id"] for v in axe_violations(page) if v["impact"] in BLOCKING}
    assert {"label", "color-contrast"} <= ids
