"""Fixtures of the browser suite: the sample shop built and served over HTTP on 127.0.0.1 (at the
domain root, under a /shop/ subpath, and with a custom-order form), and a headless Chromium."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import build_into

from generator.model import Listing
from generator.pipeline import BuildResult

from .tools import CHROMIUM_ARGS, REPO, StaticServer, require_chromium, serve

SAMPLE_CONTENT = REPO / "content"
ARTIFACTS = REPO / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
FORM_PATH = "/__form"

_screenshots_taken: list[Path] = []


@dataclass(slots=True)
class Shop:
    """A built storefront and the server that serves it."""

    name: str
    server: StaticServer
    out: Path
    """The output folder."""
    base_url: str
    result: BuildResult
    html_files: list[str] = field(default_factory=list)
    """Output paths of every HTML page, e.g. 'listings/eagle-mug/index.html'."""

    def url(self, site_path: str = "") -> str:
        """Absolute URL of a site-relative path ('' is home, 'listings/eagle-mug/')."""
        return self.base_url + site_path

    def page_url(self, output_path: str) -> str:
        return self.url(output_path.removesuffix("index.html"))

    def listing_pages(self) -> list[tuple[Listing, str]]:
        """(listing, absolute URL) of every listing page built: public ones, then private ones at
        their secret address."""
        return [
            (p.listing, self.url(p.url))
            for p in self.result.plan.pages
            if p.listing is not None and p.kind in ("listing", "private_listing")
        ]

    def listing_url(self, listing: Listing) -> str:
        return next(url for x, url in self.listing_pages() if x.slug == listing.slug)


def _build_shop(
    name: str,
    sample: Path,
    server: StaticServer,
    subpath: str,
    tmp: Path,
    form_action: str | None = None,
    per_page: int | None = None,
    site: dict[str, Any] | None = None,
    listings: dict[str, dict[str, Any]] | None = None,
) -> Shop:
    """Build a copy of the sample for `server`, with contact.form_action set to `form_action` (or
    removed, so custom orders go by email), and `listings_per_page` if given."""
    content = tmp / "content"
    shutil.copytree(sample, content)
    site_yaml = content / "site.yaml"
    data: dict[str, Any] = yaml.safe_load(site_yaml.read_text(encoding="utf-8"))
    contact: dict[str, Any] = data.setdefault("contact", {})
    if form_action is None:
        contact.pop("form_action", None)
    else:
        contact["form_action"] = form_action
    if per_page is not None:
        data["listings_per_page"] = per_page
    data.update(site or {})
    for slug, fields in (listings or {}).items():
        path = content / "listings" / f"{slug}.yaml"
        listing: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        for key, value in fields.items():
            if key == "customizations":  # {index: {field: value}}: changes to some of them
                for index, changes in value.items():
                    listing["customizations"][index].update(changes)
            else:
                listing[key] = value
        path.write_text(yaml.safe_dump(listing, sort_keys=False, allow_unicode=True), encoding="utf-8")
    site_yaml.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")

    out = server.root / subpath.strip("/") if subpath.strip("/") else server.root
    base_url = f"{server.origin}{subpath}"
    result = build_into(content, out, base_url=base_url, themes=REPO / "themes")
    html = sorted(p for p in result.outputs if p.endswith(".html"))
    return Shop(name=name, server=server, out=out, base_url=base_url, result=result, html_files=html)


PAGINATED = ("index.html", "page/2/index.html", "page/3/index.html", "tags/kitchen/page/2/index.html")
"""Pages of shop_with_form that show page links (the sample's 11 public listings, 4 per page)."""


@pytest.fixture(scope="session")
def sample_content() -> Path:
    if not (SAMPLE_CONTENT / "site.yaml").is_file():
        pytest.fail(f"the sample shop is missing: {SAMPLE_CONTENT}/site.yaml", pytrace=False)
    return SAMPLE_CONTENT


@pytest.fixture(scope="session")
def shop(sample_content: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    """The sample shop served from the domain root; custom orders by email."""
    tmp = tmp_path_factory.mktemp("shop-root")
    (tmp / "www").mkdir()
    with serve(StaticServer(tmp / "www")) as server:
        yield _build_shop("root", sample_content, server, "/", tmp)


@pytest.fixture(scope="session")
def shop_subpath(sample_content: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    """The sample shop built for base_url http://127.0.0.1:PORT/shop/ (like a GitHub Pages
    project site) and served under /shop/; custom orders by email."""
    tmp = tmp_path_factory.mktemp("shop-subpath")
    (tmp / "www").mkdir()
    with serve(StaticServer(tmp / "www", not_found_page="shop/404.html")) as server:
        yield _build_shop("subpath", sample_content, server, "/shop/", tmp)


@pytest.fixture(scope="session")
def shop_with_form(sample_content: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    """The sample shop with contact.form_action set, so custom orders use the custom-order/ form.
    The form posts to the test server, which records what it receives. Four listings per page, so
    the home page and the larger tag pages are split into pages (PAGINATED)."""
    tmp = tmp_path_factory.mktemp("shop-form")
    (tmp / "www").mkdir()
    with serve(StaticServer(tmp / "www")) as server:
        shop = _build_shop("form", sample_content, server, "/", tmp, form_action=server.origin + FORM_PATH, per_page=4)
        assert "custom-order/index.html" in shop.html_files, "form_action is set but no custom-order page was built"
        assert set(PAGINATED) <= set(shop.html_files), "the sample shop is no longer long enough to be paginated"
        yield shop


STRIPE_LINK = "https://buy.stripe.example/test_abc?client_reference_id={options}&total={total}&c={option:Glaze}"
"""The order_url of everyday-mug in shop_paypal (a Stripe Payment Link with placeholders)."""


def _checkout_shop(
    name: str, sample: Path, factory: pytest.TempPathFactory, checkout: dict[str, str]
) -> Iterator[Shop]:
    tmp = factory.mktemp(f"shop-{name}")
    (tmp / "www").mkdir()
    # A required Monogram (the sample's is optional); Snipcart cannot charge for typed text, so
    # there it is free (else the listing is ordered by email, with a warning).
    monogram: dict[str, Any] = {"required": True}
    if checkout["provider"] == "snipcart":
        monogram["price"] = 0
    listings: dict[str, dict[str, Any]] = {"monogram-mug": {"customizations": {0: monogram}}}
    if checkout["provider"] == "paypal":
        listings["everyday-mug"] = {"order_url": STRIPE_LINK}
    with serve(StaticServer(tmp / "www")) as server:
        yield _build_shop(name, sample, server, "/", tmp, site={"checkout": checkout}, listings=listings)


@pytest.fixture(scope="session")
def shop_snipcart(sample_content: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    """The sample shop with checkout by Snipcart, and a required Monogram."""
    yield from _checkout_shop(
        "snipcart", sample_content, tmp_path_factory, {"provider": "snipcart", "snipcart_key": "TEST_public_key_123"}
    )


@pytest.fixture(scope="session")
def shop_paypal(sample_content: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    """The sample shop with checkout by PayPal, a required Monogram, and everyday-mug ordered at
    its own order_url (STRIPE_LINK)."""
    yield from _checkout_shop(
        "paypal", sample_content, tmp_path_factory, {"provider": "paypal", "paypal_email": "pay@riverbend.example"}
    )


@pytest.fixture(params=["root", "subpath"])
def any_shop(request: pytest.FixtureRequest) -> Shop:
    """The sample shop, once served from the domain root and once under /shop/."""
    fixture = "shop" if request.param == "root" else "shop_subpath"
    shop: Shop = request.getfixturevalue(fixture)
    return shop


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    chromium = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def new_page(browser: Any) -> Iterator[Any]:
    """new_page(width=360, javascript=True) -> a Playwright page in a fresh context."""
    contexts: list[Any] = []

    def _new(width: int = 1280, height: int = 900, javascript: bool = True) -> Any:
        context = browser.new_context(
            viewport={"width": width, "height": height}, java_script_enabled=javascript, locale="en-US"
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield _new
    for context in contexts:
        context.close()


def save_screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    _screenshots_taken.append(path)
    return path


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _screenshots_taken:
        terminalreporter.write_sep("-", "browser screenshots")
        terminalreporter.write_line(f"{len(_screenshots_taken)} screenshots in {SCREENSHOTS}/")
