"""What search engines and link previews read about a page: meta description, canonical URL,
Open Graph / Twitter card values and schema.org JSON-LD.

Everything is computed here as plain values and dicts; templates/partials/meta.html prints them
and the `json_ld` filter serializes the dicts with '<', '>' and '&' escaped, so a description
containing '</script>' cannot end the script element. Pages that are not indexable (404, forms,
private listings) get no canonical URL, no sharing tags and no structured data at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .i18n import ENGLISH, Messages
from .plan import href
from .text import plain_text, summarize
from .views import ImageView, ListingView, SeoView, SiteView, TagView

if TYPE_CHECKING:
    from .model import Site
    from .plan import PlannedPage

SCHEMA = "https://schema.org"


def decimal_price(minor: int, digits: int) -> str:
    """Minor units as a plain decimal string: 2800, 2 -> '28.00'; 3500, 0 -> '3500'."""
    return format(Decimal(minor).scaleb(-digits), f".{digits}f")


def maker_entity(site: Site, site_view: SiteView, *, full: bool) -> dict[str, Any]:
    """The maker as a schema.org Person (or Organization for a business)."""
    cfg = site.config
    maker = site_view.maker
    entity: dict[str, Any] = {
        "@type": "Organization" if site.maker.kind == "business" else "Person",
        "name": maker.name,
        "url": cfg.base_url + "maker/",
    }
    if not full:
        return entity
    if maker.photo is not None:
        entity["image"] = image_object(maker.photo)
    about = maker.intro or summarize(plain_text(maker.bio), 300)
    if about:
        entity["description"] = about
    if maker.location:
        place = {"@type": "Place", "name": maker.location}
        entity["homeLocation" if entity["@type"] == "Person" else "location"] = place
    if maker.links:
        entity["sameAs"] = [link.url for link in maker.links]
    return entity


def product(site: Site, site_view: SiteView, listing: ListingView, text: str) -> dict[str, Any]:
    """schema.org Product with its Offer, for a public listing page; ``text``: the description
    as plain text."""
    seller = maker_entity(site, site_view, full=False)
    offer: dict[str, Any] = {
        "@type": "Offer",
        # The least a buyer pays (the page says "From ..." when options add to it).
        "price": decimal_price(listing.min_price_minor, listing.digits),
        "priceCurrency": listing.currency,
        # No stock: made after the order arrives.
        "availability": f"{SCHEMA}/{_AVAILABILITY[listing.availability]}",
        "url": listing.abs_url,
        "seller": seller,
    }
    if listing.shipping is not None and (details := shipping_details(listing)):
        offer["shippingDetails"] = details
    data: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "Product",
        "name": listing.title,
        "sku": listing.slug,
        "productID": listing.slug,
        "url": listing.abs_url,
        "brand": {"@type": "Brand", "name": site_view.maker.name},
        "offers": offer,
    }
    if listing.images:
        data["image"] = [image_object(img) for img in listing.images]
    if text:
        data["description"] = text
    if listing.tags:
        data["keywords"] = ", ".join(t.name for t in listing.tags)
    return data


def image_object(img: ImageView) -> dict[str, Any]:
    """A schema.org ImageObject: the photo's JPEG for sharing (about 1200 pixels) with its size."""
    data: dict[str, Any] = {"@type": "ImageObject", "url": img.abs_url}
    if img.share_width and img.share_height:
        data["width"] = img.share_width
        data["height"] = img.share_height
    return data


_AVAILABILITY = {"made_to_order": "MadeToOrder", "in_stock": "InStock", "sold": "SoldOut"}


def shipping_details(listing: ListingView) -> list[dict[str, Any]]:
    """schema.org OfferShippingDetails, one for each region, with the handling time (days until
    it ships) when known."""
    shipping = listing.shipping
    assert shipping is not None
    delivery: dict[str, Any] | None = None
    if shipping.ship_days is not None:
        low, high = shipping.ship_days
        delivery = {
            "@type": "ShippingDeliveryTime",
            "handlingTime": {"@type": "QuantitativeValue", "minValue": low, "maxValue": high, "unitCode": "DAY"},
        }
    out: list[dict[str, Any]] = []
    for region in shipping.regions:
        destination: dict[str, Any] = {"@type": "DefinedRegion", "name": region.name}
        if region.countries:
            destination["addressCountry"] = (
                region.countries[0] if len(region.countries) == 1 else list(region.countries)
            )
        details: dict[str, Any] = {
            "@type": "OfferShippingDetails",
            "shippingRate": {
                "@type": "MonetaryAmount",
                "value": decimal_price(region.price, listing.digits),
                "currency": listing.currency,
            },
            "shippingDestination": destination,
        }
        if delivery is not None:
            details["deliveryTime"] = delivery
        out.append(details)
    if not out and delivery is not None:
        out.append({"@type": "OfferShippingDetails", "deliveryTime": delivery})
    return out


def _first_image(*candidates: ImageView | None) -> ImageView | None:
    return next((c for c in candidates if c is not None), None)


def page_seo(
    site: Site,
    site_view: SiteView,
    page: PlannedPage,
    listing: ListingView | None,
    tag: TagView | None,
    shown: Sequence[ListingView] = (),
    t: Messages = ENGLISH,
) -> SeoView:
    """``shown``: the listings on the page (home and tag pages), for its sharing image."""
    cfg = site.config
    maker = site_view.maker
    first_listing_image = shown[0].image if shown else None
    kind = page.kind
    title = page.title
    og_type = "website"
    image: ImageView | None = None
    price_amount = price_currency = None
    data: list[Mapping[str, Any]] = []

    if kind == "listing" and listing is not None:
        # The description's plain text, made once for both (reading it is most of the work).
        text = plain_text(str(listing.description))
        description = summarize(text) or t.tr(
            "%(title)s, handmade by %(maker)s. %(price)s.", title=listing.title, maker=maker.name, price=listing.price
        )
        image = listing.image
        og_type = "product"
        price_amount = decimal_price(listing.price_minor, listing.digits)
        price_currency = listing.currency
        if not listing.private and not (page.listing is not None and page.listing.private):
            data.append(product(site, site_view, listing, text))
    elif kind == "home":
        first = page.pagination is None or page.pagination.number == 1
        title = cfg.title if first else f"{page.title} · {cfg.title}"
        description = cfg.description or maker.intro or t.tr("Handmade by %(maker)s.", maker=maker.name)
        image = _first_image(first_listing_image, maker.photo)
        if first:
            website: dict[str, Any] = {"@context": SCHEMA, "@type": "WebSite", "name": cfg.title, "url": cfg.base_url}
            if cfg.description:
                website["description"] = cfg.description
            data.append(website)
    elif kind == "maker":
        description = maker.intro or summarize(plain_text(maker.bio)) or t.tr("About %(name)s.", name=maker.name)
        image = maker.photo
        og_type = "profile"
        data.append(
            {
                "@context": SCHEMA,
                "@type": "ProfilePage",
                "url": cfg.base_url + href(page.url),
                "mainEntity": maker_entity(site, site_view, full=True),
            }
        )
    elif kind == "tag" and tag is not None:
        n = len(tag.listings)
        description = t.ntr(
            "%(num)s handmade piece tagged “%(tag)s” from %(shop)s.",
            "%(num)s handmade pieces tagged “%(tag)s” from %(shop)s.",
            n,
            tag=tag.name,
            shop=cfg.title,
        )
        image = first_listing_image
    elif kind == "page" and page.page is not None:
        description = summarize(plain_text(page.page.body)) or f"{page.title} · {cfg.title}"
        image = maker.photo
    elif kind == "custom_order":
        description = t.tr("Ask %(maker)s about a custom order.", maker=maker.name)
    else:
        description = ""

    if not page.indexable:
        return SeoView(title=title, description=summarize(description))
    return SeoView(
        title=title,
        description=summarize(description),
        canonical=cfg.base_url + href(page.url),
        og_type=og_type,
        image=image,
        price_amount=price_amount,
        price_currency=price_currency,
        structured_data=tuple(data),
    )
