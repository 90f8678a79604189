"""Independent validators over the built sample: the Nu Html Checker (the W3C validator's engine)
for every HTML page and every stylesheet."""

from __future__ import annotations

import pytest

from .conftest import PAGINATED, Shop
from .tools import run_vnu

pytestmark = pytest.mark.browser


def _report(problems: list[object]) -> str:
    return "\n".join(str(p) for p in problems)


def test_every_html_page_passes_the_nu_checker(shop: Shop, shop_with_form: Shop) -> None:
    # The form build adds the custom-order/ page; the other pages are the same templates.
    files = [shop.out / p for p in shop.html_files] + [shop_with_form.out / "custom-order" / "index.html"]
    files += [shop_with_form.out / p for p in PAGINATED]
    assert len(files) >= 6, f"expected the whole sample shop, got {shop.html_files}"
    errors = run_vnu(files)
    assert not errors, f"{len(errors)} Nu checker error(s):\n{_report(errors)}"


def test_every_stylesheet_passes_the_css_check(shop: Shop) -> None:
    stylesheets = sorted(p for p in shop.result.outputs if p.endswith(".css"))
    assert stylesheets, "the build has no stylesheet"
    errors = run_vnu([shop.out / p for p in stylesheets], css=True)
    assert not errors, f"{len(errors)} CSS error(s):\n{_report(errors)}"


def test_the_nu_checker_does_report_errors(tmp_path) -> None:
    # Guards the two tests above: a broken page and a broken stylesheet must be reported, so an
    # empty report really means "valid", not "the checker did not look".
    bad_html = tmp_path / "bad.html"
    bad_html.write_text("<!doctype html><html lang=en><title>x</title><p><div>nested</p>", encoding="utf-8")
    bad_css = tmp_path / "bad.css"
    bad_css.write_text("p { colr: red; width: 10 pixels; }", encoding="utf-8")
    assert run_vnu([bad_html])
    assert run_vnu([bad_css], css=True)
