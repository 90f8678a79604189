"""sitemap.xml, robots.txt, feed.xml and manifest.webmanifest, checked with real parsers:
xmlschema against the sitemaps.org 0.9 XSD, lxml, feedparser, urllib.robotparser."""

from __future__ import annotations

import json
import os
import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.robotparser import RobotFileParser
from xml.etree import ElementTree as ET

import feedparser
import pytest
import xmlschema
from conftest import build_site, png_bytes, text_of
from lxml import etree

from generator.feeds import atom_feed, iso_utc, sitemap_files, sitemap_xml
from generator.plan import FEED_LIMIT, sitemap_pages
from generator.render import Renderer
from generator.theme import load_theme

SITEMAP_XSD = Path(__file__).parent / "data" / "sitemap-0.9.xsd"
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def ts(text: str) -> float:
    """'2026-03-04T05:06:07' (UTC) -> seconds since the epoch."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def touch(path: Path, when: str) -> None:
    t = ts(when)
    os.utime(path, (t, t))


def listing_yaml(title: str, *, date: str | None = None, tags: str = "[mugs]", description: str = "Nice.") -> str:
    return (
        f"title: {json.dumps(title)}\nprice: 20\n"
        + (f"date: {date}\n" if date else "")
        + f"images:\n  - {{src: images/mug.png, alt: {json.dumps('Photo of ' + title)}}}\n"
        + f"description: {json.dumps(description)}\ntags: {tags}\n"
    )


@pytest.fixture
def shop(make_site):
    """A shop with dated and undated listings, two tags, an extra page, fixed file times."""
    content = make_site(
        {
            "site.yaml": "title: Test Studio\nbase_url: https://user.github.io/shop/\n"
            "description: Pots & <mugs>\ncontact:\n  email: hello@shop.example\n  form_action: https://forms.example/x\n",
            "listings/spring-bowl.yaml": listing_yaml("Spring Bowl", date="2026-03-01", tags="[bowls]"),
            "listings/old-jug.yaml": listing_yaml("Old Jug", date="2025-01-01", tags="[jugs]"),
            "listings/new-plate.yaml": listing_yaml("New <Plate> & Co", tags="[plates, bowls]"),
            "pages/shipping.md": "---\ntitle: Shipping\n---\nWe ship everywhere.\n",
        }
    )
    touch(content / "site.yaml", "2026-01-10T10:00:00")
    touch(content / "maker.yaml", "2026-02-01T09:30:00")
    touch(content / "listings/blue-mug.yaml", "2026-04-02T08:00:00")
    touch(content / "listings/spring-bowl.yaml", "2026-01-05T12:00:00")
    touch(content / "listings/old-jug.yaml", "2026-06-01T12:00:00")
    touch(content / "listings/new-plate.yaml", "2026-05-01T12:34:56")
    touch(content / "pages/shipping.md", "2026-02-14T14:14:14")
    return content


# -- sitemap ----------------------------------------------------------------------------------


def test_sitemap_is_valid_against_the_sitemaps_org_schema(shop) -> None:
    data = build_site(shop).outputs["sitemap.xml"]
    assert isinstance(data, bytes)
    schema = xmlschema.XMLSchema(SITEMAP_XSD)
    schema.validate(data.decode("utf-8"))  # raises with the reason when invalid


def test_sitemap_lists_every_public_page_with_absolute_urls_and_file_dates(shop) -> None:
    result = build_site(shop)
    root = etree.fromstring(result.outputs["sitemap.xml"])
    lastmod = {
        u.findtext("sm:loc", namespaces=NS): u.findtext("sm:lastmod", namespaces=NS) for u in root.findall("sm:url", NS)
    }
    base = "https://user.github.io/shop/"
    assert set(lastmod) == {
        base,
        base + "maker/",
        base + "listings/blue-mug/",
        base + "listings/spring-bowl/",
        base + "listings/old-jug/",
        base + "listings/new-plate/",
        base + "tags/mugs/",
        base + "tags/bowls/",
        base + "tags/jugs/",
        base + "tags/plates/",
        base + "shipping/",
    }
    # Not in the sitemap: the 404 page and the custom-order form (both noindex).
    assert "404" not in result.outputs["sitemap.xml"].decode()  # type: ignore[union-attr]
    assert base + "custom-order/" not in lastmod
    assert "custom-order/index.html" in result.outputs
    # lastmod is the content file's modification time, in UTC.
    assert lastmod[base + "listings/new-plate/"] == "2026-05-01T12:34:56Z"
    assert lastmod[base + "listings/spring-bowl/"] == "2026-01-05T12:00:00Z"  # file time, not `date`
    assert lastmod[base + "shipping/"] == "2026-02-14T14:14:14Z"
    assert lastmod[base + "maker/"] == "2026-02-01T09:30:00Z"
    # A tag page changes when any of its listings does; home when anything on it does.
    assert lastmod[base + "tags/bowls/"] == "2026-05-01T12:34:56Z"
    assert lastmod[base + "tags/jugs/"] == "2026-06-01T12:00:00Z"
    assert lastmod[base] == "2026-06-01T12:00:00Z"


def test_sitemap_and_feed_follow_a_file_change_and_nothing_else(shop) -> None:
    first = build_site(shop).outputs
    again = build_site(shop).outputs
    for name in ("sitemap.xml", "feed.xml", "robots.txt", "manifest.webmanifest"):
        assert first[name] == again[name], name
    touch(shop / "listings/blue-mug.yaml", "2026-07-07T07:07:07")
    changed = build_site(shop).outputs
    assert b"2026-07-07T07:07:07Z" in changed["sitemap.xml"]  # type: ignore[operator]
    assert b"2026-07-07T07:07:07Z" in changed["feed.xml"]  # type: ignore[operator]


def test_private_listing_appears_in_no_machine_readable_output(make_site) -> None:
    content = make_site(
        {
            "listings/secret-commission.yaml": "title: Secret Commission\nprice: 90\nprivate: true\n"
            "images:\n  - {src: images/mug.png, alt: Secret piece}\ntags: [secret-tag]\n",
        }
    )
    result = build_site(content)
    for name in ("sitemap.xml", "feed.xml", "robots.txt", "manifest.webmanifest"):
        text = text_of(result, name)
        assert "secret" not in text.casefold(), name


def test_sitemap_never_lists_a_noindex_or_private_page(make_site) -> None:
    """The plan may contain pages that must not be indexed (another module adds private listing
    pages): the sitemap takes only indexable pages, and never a private listing's page."""
    result = build_site(make_site())
    plan = result.plan
    mug_page = next(p for p in plan.pages if p.kind == "listing")
    assert mug_page.listing is not None
    hidden = replace(mug_page, url="p/tok3n/", output="p/tok3n/index.html", indexable=False)
    private = replace(
        mug_page, url="p/tok4n/", output="p/tok4n/index.html", listing=replace(mug_page.listing, private=True)
    )
    plan2 = replace(plan, pages=(*plan.pages, hidden, private))
    assert hidden not in sitemap_pages(plan2) and private not in sitemap_pages(plan2)
    xml = sitemap_xml(plan2).decode()
    assert "tok3n" not in xml and "tok4n" not in xml
    assert "listings/blue-mug/" in xml


def test_sitemap_escapes_urls_and_xml(make_site) -> None:
    content = make_site(
        {
            "site.yaml": "title: A & B\nbase_url: https://x.example/caf\u00e9&co/\ncontact:\n  email: a@x.example\n",
        }
    )
    result = build_site(content)
    data = result.outputs["sitemap.xml"]
    assert isinstance(data, bytes)
    xmlschema.XMLSchema(SITEMAP_XSD).validate(data.decode())
    locs = [e.text for e in etree.fromstring(data).iterfind("sm:url/sm:loc", NS)]
    assert "https://x.example/caf%C3%A9&co/" in locs  # '&' escaped by the XML writer, é percent-encoded
    assert b"caf%C3%A9&amp;co/" in data


# -- robots.txt -------------------------------------------------------------------------------


def test_robots_allows_crawling_and_names_the_sitemap(shop) -> None:
    result = build_site(shop)
    parser = RobotFileParser()
    parser.parse(text_of(result, "robots.txt").splitlines())
    assert parser.site_maps() == ["https://user.github.io/shop/sitemap.xml"]
    for agent in ("*", "Googlebot", "Bingbot", "Pinterestbot"):
        assert parser.can_fetch(agent, "https://user.github.io/shop/listings/blue-mug/")
        assert parser.can_fetch(agent, "https://user.github.io/shop/")


def test_makers_own_robots_txt_replaces_the_generated_one(make_site) -> None:
    own = "User-agent: *\nDisallow: /\n"
    result = build_site(make_site({"static/robots.txt": own}))
    assert Path(result.outputs["robots.txt"]).read_text() == own  # type: ignore[arg-type]


# -- feed.xml ---------------------------------------------------------------------------------


def test_feed_is_valid_atom_newest_first(shop) -> None:
    result = build_site(shop)
    feed = feedparser.parse(result.outputs["feed.xml"])
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "Test Studio"
    assert feed.feed.subtitle == "Pots & <mugs>"
    assert feed.feed.author_detail.name == "Ada Potter"
    self_links = [link.href for link in feed.feed.links if link.rel == "self"]
    assert self_links == ["https://user.github.io/shop/feed.xml"]
    # `date` when set (midnight UTC), else the file's modification time.
    order = [(e.title, e.updated) for e in feed.entries]
    assert order == [
        ("New <Plate> & Co", "2026-05-01T12:34:56Z"),
        ("Blue Mug", "2026-04-02T08:00:00Z"),
        ("Spring Bowl", "2026-03-01T00:00:00Z"),
        ("Old Jug", "2025-01-01T00:00:00Z"),
    ]
    # The feed's updated is its newest entry, not the time of the build.
    assert feed.feed.updated == "2026-05-01T12:34:56Z"


def test_feed_entry_has_link_summary_and_first_image(make_site) -> None:
    content = make_site(
        {
            "images/second.png": png_bytes((1, 2, 3)),
            "listings/blue-mug.yaml": "title: Blue Mug\nprice: 28\nimages:\n  - {src: images/mug.png, alt: A blue mug}\n"
            "  - {src: images/second.png, alt: Underside}\ndescription: A sturdy **mug**. Holds </script> coffee.\n",
        }
    )
    feed = feedparser.parse(build_site(content).outputs["feed.xml"])
    assert not feed.bozo
    (entry,) = feed.entries
    assert entry.id == "https://shop.example/listings/blue-mug/"
    assert entry.link == "https://shop.example/listings/blue-mug/"
    assert entry.summary == "A sturdy mug. Holds </script> coffee."
    enclosures = [link for link in entry.links if link.rel == "enclosure"]
    # The photo as link previews get it: a JPEG made of it (the PNG itself is never published).
    assert [(e.href, e.type) for e in enclosures] == [("https://shop.example/images/mug-800.jpg", "image/jpeg")]
    html = entry.content[0].value
    assert 'src="https://shop.example/images/mug-800.jpg"' in html
    assert "$28.00" in html
    assert "<strong>mug</strong>" in html


def test_feed_of_a_shop_without_listings_is_still_valid(make_site) -> None:
    content = make_site({"listings/blue-mug.yaml": None})
    touch(content / "site.yaml", "2026-01-10T10:00:00")
    touch(content / "maker.yaml", "2026-02-01T09:30:00")
    result = build_site(content)
    feed = feedparser.parse(result.outputs["feed.xml"])
    assert not feed.bozo
    assert feed.entries == []
    assert feed.feed.updated == "2026-02-01T09:30:00Z"


def test_feed_from_plan_public_listings_only(make_site) -> None:
    """Even if a private listing reached the plan's public list by mistake elsewhere, feed_listings
    filters it; and normally it is never there."""
    result = build_site(make_site())
    plan = result.plan
    mug = plan.public_listings[0]
    leaked = replace(mug, slug="leak", title="Leaked", private=True)
    plan2 = replace(plan, public_listings=(*plan.public_listings, leaked))
    renderer = Renderer(plan, load_theme("default", Path("themes")), result.photos)
    assert b"Leaked" not in atom_feed(plan2, renderer.listing_view)


def test_every_page_links_the_feed(shop) -> None:
    result = build_site(shop)
    pages = [name for name in result.outputs if name.endswith(".html")]
    assert len(pages) >= 10
    for name in pages:
        assert 'type="application/atom+xml"' in text_of(result, name), name


def test_iso_utc_is_utc_to_the_second() -> None:
    assert iso_utc(ts("2026-03-04T05:06:07") + 0.9) == "2026-03-04T05:06:07Z"


# -- favicon and manifest ---------------------------------------------------------------------


def test_favicon_is_linked_and_in_the_manifest(make_site) -> None:
    content = make_site(
        {
            "site.yaml": "title: Test Studio\nbase_url: https://shop.example/\nfavicon: images/icon.png\n"
            "contact:\n  email: hello@shop.example\n",
            "images/icon.png": png_bytes(size=(32, 32)),
        }
    )
    result = build_site(content)
    assert '<link rel="icon" href="../../images/icon.png" type="image/png">' in text_of(
        result, "listings/blue-mug/index.html"
    )
    assert '<link rel="icon" href="./images/icon.png" type="image/png">' in text_of(result, "index.html")
    manifest = json.loads(text_of(result, "manifest.webmanifest"))
    assert manifest["name"] == "Test Studio"
    assert manifest["start_url"] == "./"
    assert manifest["icons"] == [{"src": "images/icon.png", "sizes": "32x32", "type": "image/png"}]
    assert "images/icon.png" in result.outputs
    feed = feedparser.parse(result.outputs["feed.xml"])
    assert feed.feed.icon == "https://shop.example/images/icon.png"


def test_no_favicon_no_icon_link(make_site) -> None:
    result = build_site(make_site())
    assert 'rel="icon"' not in text_of(result, "index.html")
    assert "icons" not in json.loads(text_of(result, "manifest.webmanifest"))
    assert '<link rel="manifest" href="./manifest.webmanifest">' in text_of(result, "index.html")


def test_more_pages_than_one_sitemap_may_hold_get_a_sitemap_index(shop) -> None:
    plan = build_site(shop).plan
    files = sitemap_files(plan, limit=4)
    total = len(sitemap_pages(plan))
    assert total == 11
    assert set(files) == {"sitemap.xml", "sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml"}
    schema = xmlschema.XMLSchema(SITEMAP_XSD)
    locs: list[str] = []
    for name in ("sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml"):
        schema.validate(files[name].decode())
        locs += etree.fromstring(files[name]).xpath("//sm:loc/text()", namespaces=NS)
    assert len(locs) == len(set(locs)) == total
    index = etree.fromstring(files["sitemap.xml"])
    assert index.tag == f"{{{NS['sm']}}}sitemapindex"
    assert index.xpath("sm:sitemap/sm:loc/text()", namespaces=NS) == [
        f"https://user.github.io/shop/sitemap-{n}.xml" for n in (1, 2, 3)
    ]
    for entry in index.xpath("sm:sitemap", namespaces=NS):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", entry.findtext("sm:lastmod", namespaces=NS))
    # A normal shop has one plain sitemap.
    assert set(sitemap_files(plan)) == {"sitemap.xml"}


def test_feed_holds_the_newest_listings_only(make_site) -> None:
    files: dict[str, str | bytes | None] = {"listings/blue-mug.yaml": None}
    for i in range(FEED_LIMIT + 5):
        files[f"listings/item-{i:02}.yaml"] = listing_yaml(
            f"Item {i:02}", date=f"2026-{1 + i // 28:02}-{1 + i % 28:02}"
        )
    result = build_site(make_site(files))
    assert len(result.plan.public_listings) == FEED_LIMIT + 5
    feed = feedparser.parse(result.outputs["feed.xml"])
    titles = [e.title for e in feed.entries]
    assert titles == [f"Item {i:02}" for i in reversed(range(5, FEED_LIMIT + 5))]
    # Every listing is still in the sitemap.
    assert text_of(result, "sitemap.xml").count("/listings/item-") == FEED_LIMIT + 5


def test_a_sitemap_entry_escapes_its_address_as_xml() -> None:
    from generator.feeds import _url_entry

    entry = _url_entry("https://shop.example/?a=1&b=<2>", "tags/x/", 1_700_000_000.0)
    parsed = ET.fromstring(entry)
    assert parsed.findtext("loc") == "https://shop.example/?a=1&b=<2>tags/x/"
    assert parsed.findtext("lastmod") == "2023-11-14T22:13:20Z"
    assert ET.fromstring(_url_entry("https://shop.example/", "maker/", None)).find("lastmod") is None
