"""Full-page screenshots at 360 px and 1280 px of the pages a buyer sees most, written to
test-artifacts/screenshots/ (the run's summary says where) for a human to look at."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from PIL import Image

from .conftest import Shop, save_screenshot
from .pages import horizontal_overflow, load

pytestmark = pytest.mark.browser


def _pages(shop: Shop, form_shop: Shop) -> dict[str, str]:
    listings = shop.result.plan.public_listings
    # The listing with the most photos and choices, and the one with the most kinds of fields
    # (text, number, checkbox): the two listing pages worth looking at.
    listing = max(listings, key=lambda x: (len(x.customizations), len(x.images), x.slug))
    fields = max(listings, key=lambda x: (len({c.kind for c in x.customizations}), x.slug))
    pages = {
        "home": shop.url(),
        "listing": shop.url(f"listings/{listing.slug}/"),
        "maker": shop.url("maker/"),
        # As reached from the listing's "Ask about a Custom Order" link.
        "custom-order": form_shop.url(
            "custom-order/?" + urlencode({"listing": listing.title, "url": form_shop.url(f"listings/{listing.slug}/")})
        ),
    }
    if fields != listing:
        pages["listing-fields"] = shop.url(f"listings/{fields.slug}/")
    private = [url for x, url in shop.listing_pages() if x.private]
    if private:
        pages["private-listing"] = private[0]
    return pages


@pytest.mark.parametrize("width", [360, 1280])
def test_screenshots(shop: Shop, shop_with_form: Shop, new_page: Any, width: int) -> None:
    page = new_page(width=width, height=800)
    for name, url in _pages(shop, shop_with_form).items():
        load(page, url)
        assert horizontal_overflow(page) == []
        path = save_screenshot(page, f"{name}-{width}")
        with Image.open(path) as shot:
            assert shot.width == width
            assert shot.height >= 400
            # Not a blank page: the theme's colours, text and photos make many distinct colours.
            assert len(shot.convert("RGB").getcolors(maxcolors=1_000_000) or []) > 20
