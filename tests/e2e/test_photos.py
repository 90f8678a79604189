"""A buyer on a phone, on a listing with three photos straight from a maker's phone (4032 x 3024,
1.5-4 MB each, taken sideways, full of EXIF): the page stays light, the photos stand upright, and
the gallery works with a finger, a keyboard and no JavaScript at all."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import build_into
from photos import phone_jpeg

from .conftest import SAMPLE_CONTENT, Shop, save_screenshot
from .pages import load, watch
from .tools import REPO, StaticServer, serve

pytestmark = pytest.mark.browser

PAGE_BUDGET = 250_000
"""Bytes a listing page with three phone photos may transfer at 360 px (HTML, CSS, scripts, photos)."""

LISTING = """\
title: Speckled Phone Mug
price: 32
images:
  - {src: images/phone/front.jpg, alt: The mug from the front}
  - {src: images/phone/side.jpg, alt: The mug from the side, focus: top}
  - {src: images/phone/inside.jpg, alt: Inside the mug}
description: Photographed with a phone, straight onto the shop.
"""


@pytest.fixture(scope="module")
def phone_shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    tmp = tmp_path_factory.mktemp("phone-shop")
    content = tmp / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    for i, name in enumerate(("front", "side", "inside")):
        path = content / "images" / "phone" / f"{name}.jpg"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(phone_jpeg(orientation=6 if i < 2 else 1, seed=i))
    (content / "listings" / "phone-mug.yaml").write_text(LISTING, encoding="utf-8")
    (tmp / "www").mkdir()
    with serve(StaticServer(tmp / "www")) as server:
        result = build_into(content, server.root, base_url=server.origin + "/", themes=REPO / "themes")
        html = sorted(p for p in result.outputs if p.endswith(".html"))
        yield Shop(
            name="phone", server=server, out=server.root, base_url=server.origin + "/", result=result, html_files=html
        )


def _bytes_loaded(page: Any) -> list[tuple[str, int]]:
    loaded: list[tuple[str, int]] = []

    def finished(request: Any) -> None:
        sizes = request.sizes()
        loaded.append((request.url, sizes["responseBodySize"] + sizes["responseHeadersSize"]))

    page.on("requestfinished", finished)
    return loaded


def test_a_listing_with_three_phone_photos_stays_light_on_a_phone(new_page: Any, phone_shop: Shop) -> None:
    page = new_page(width=360, height=800)
    loaded = _bytes_loaded(page)
    problems = watch(page)
    load(page, phone_shop.url("listings/phone-mug/"))
    page.wait_for_load_state("networkidle")
    total = sum(size for _, size in loaded)
    photos = [(url.rsplit("/", 1)[1], size) for url, size in loaded if "/images/phone/" in url]
    print(f"\nlisting page at 360 px: {total / 1000:.0f} KB in {len(loaded)} requests; photos: {photos}")
    assert total <= PAGE_BUDGET, loaded
    assert photos and all(name.endswith(".webp") for name, _ in photos)  # Chromium takes WebP
    assert not [u for u, _ in loaded if u.endswith(("front.jpg", "side.jpg", "inside.jpg"))]
    # The main photo stands upright (taken sideways, shown as the phone showed it), whole.
    box = page.locator(".photo-main img").bounding_box()
    assert box is not None and box["height"] > box["width"] * 1.2
    assert page.evaluate("document.querySelector('.photo-main img').naturalHeight") > page.evaluate(
        "document.querySelector('.photo-main img').naturalWidth"
    )
    assert problems.all() == []
    save_screenshot(page, "phone-photos-listing-360")


def test_thumbnails_switch_the_main_photo_and_it_opens_full_size(new_page: Any, phone_shop: Shop) -> None:
    page = new_page(width=1280, height=900)
    problems = watch(page)
    load(page, phone_shop.url("listings/phone-mug/"))
    main = page.locator(".photo-main img")
    assert main.get_attribute("alt") == "The mug from the front"
    page.get_by_role("link", name="Inside the mug").click()
    assert main.get_attribute("alt") == "Inside the mug"
    assert page.locator('.thumb[aria-current="true"] img').get_attribute("alt") == "Inside the mug"
    assert main.get_attribute("loading") is None  # switched in at once, not lazily
    # The main photo, by keyboard: a full-size view in a modal dialog.
    page.locator("a[data-full]").focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Photo")
    dialog.wait_for(state="visible")
    big = dialog.locator("img")
    assert big.get_attribute("alt") == "Inside the mug"
    assert big.get_attribute("src", timeout=2000).endswith("-1600.jpg")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Close"
    page.keyboard.press("ArrowRight")  # past the last photo: back to the first
    assert big.get_attribute("alt") == "The mug from the front"
    assert main.get_attribute("alt") == "The mug from the front"
    save_screenshot(page, "phone-photos-full-size-1280")
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.hasAttribute('data-full')")
    assert problems.all() == []


def test_without_javascript_every_photo_is_a_link_to_its_largest_file(new_page: Any, phone_shop: Shop) -> None:
    page = new_page(width=360, height=800, javascript=False)
    load(page, phone_shop.url("listings/phone-mug/"))
    links = page.locator("a.thumb")
    assert links.count() == 3
    href = links.nth(1).get_attribute("href")
    assert href is not None and href.endswith("-1600.jpg")
    response = page.goto(phone_shop.url("listings/phone-mug/" + href))
    assert response is not None and response.status == 200
    assert response.headers["content-type"] == "image/jpeg"
    assert len(response.body()) < 1_000_000  # a copy for the web, never the phone's original


def test_cards_crop_around_the_focus_point(new_page: Any, phone_shop: Shop) -> None:
    page = new_page(width=360, height=800)
    load(page, phone_shop.url(""))
    card = page.locator(".card", has_text="Speckled Phone Mug").locator("img")
    box = card.bounding_box()
    assert box is not None and abs(box["width"] - box["height"]) < 2  # a square card
    assert card.evaluate("e => getComputedStyle(e).objectFit") == "cover"


def test_no_original_photo_is_published(phone_shop: Shop) -> None:
    published = {p.relative_to(phone_shop.out).as_posix() for p in Path(phone_shop.out).rglob("*") if p.is_file()}
    assert not published & {"images/phone/front.jpg", "images/phone/side.jpg", "images/phone/inside.jpg"}
    assert "images/phone/front-1600.webp" in published
