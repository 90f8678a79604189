"""Machine-readable outputs: sitemap.xml, robots.txt, feed.xml (Atom) and manifest.webmanifest.

These are built here with xml.etree / json rather than from theme templates: a theme has nothing
to style in them, and a library that escapes text and attributes itself cannot produce invalid
XML from a title containing '&' or '<' the way a hand-written text template can. plan.py decides
what goes in (sitemap_pages, feed_listings); this module only formats it.

Every date comes from the content (file modification times, listing `date`), never from the
clock, so two builds of the same content are byte-identical.
"""

from __future__ import annotations

import functools
import html
import json
import mimetypes
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from markupsafe import Markup

from .images import ProcessedImage
from .model import Listing
from .plan import PlannedPage, SitePlan, feed_listings, href, listing_timestamp, sitemap_pages
from .views import ListingView

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
ATOM_NS = "http://www.w3.org/2005/Atom"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

SITEMAP_FILE = "sitemap.xml"
ROBOTS_FILE = "robots.txt"
FEED_FILE = "feed.xml"
MANIFEST_FILE = "manifest.webmanifest"


def iso_utc(timestamp: float) -> str:
    """W3C / RFC 3339 date-time in UTC, to the second: '2026-11-27T07:33:10Z'."""
    return datetime.fromtimestamp(int(timestamp), tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def absolute(plan: SitePlan, url: str) -> str:
    """Absolute URL of a site-relative URL of the plan, percent-encoded (plan.href): the same
    address the pages link to, 'https://shop.example/tags/%E5%B8%BD%E5%AD%90/'."""
    return plan.site.config.base_url + href(url)


def _xml(root: ET.Element) -> bytes:
    ET.indent(root, space="  ")
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrib: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrib)
    if text is not None:
        el.text = text
    return el


# -- sitemap.xml ------------------------------------------------------------------------------


SITEMAP_LIMIT = 50_000
"""Most URLs one sitemap file may list (sitemaps.org protocol)."""


def _urlset(plan: SitePlan, pages: Sequence[PlannedPage]) -> bytes:
    """The urlset, one <url> entry per page. Each entry is serialised by ElementTree on its own and
    kept (_url_entry): the dev server rewrites the sitemap after every edit, and a large shop's
    sitemap has tens of thousands of entries of which one or two change."""
    base = plan.site.config.base_url
    entries = b"".join(_url_entry(base, page.url, page.lastmod) for page in pages)
    return _URLSET_START + entries + _URLSET_END


_URLSET_START = f"<?xml version='1.0' encoding='utf-8'?>\n<urlset xmlns=\"{SITEMAP_NS}\">\n".encode()
_URLSET_END = b"</urlset>\n"


@functools.lru_cache(maxsize=200_000)
def _url_entry(base_url: str, url: str, lastmod: float | None) -> bytes:
    # Written out rather than built with ElementTree, which took a third of a second for a
    # shop of 10,000 listings; the address is the only text, escaped as ElementTree would.
    loc = html.escape(base_url + href(url), quote=False)  # &, <, > as in XML
    if lastmod is None:
        return f"  <url>\n    <loc>{loc}</loc>\n  </url>\n".encode()
    return f"  <url>\n    <loc>{loc}</loc>\n    <lastmod>{iso_utc(lastmod)}</lastmod>\n  </url>\n".encode()


def sitemap_xml(plan: SitePlan) -> bytes:
    """sitemaps.org 0.9 urlset of every indexable page, in plan order (one file)."""
    return _urlset(plan, sitemap_pages(plan))


def sitemap_files(plan: SitePlan, limit: int = SITEMAP_LIMIT) -> dict[str, bytes]:
    """sitemap.xml, or for a shop with more than `limit` pages a sitemap index named sitemap.xml
    pointing to sitemap-1.xml, sitemap-2.xml, ... of at most `limit` URLs each."""
    pages = sitemap_pages(plan)
    if len(pages) <= limit:
        return {SITEMAP_FILE: _urlset(plan, pages)}
    files: dict[str, bytes] = {}
    index = ET.Element("sitemapindex", {"xmlns": SITEMAP_NS})
    for number, start in enumerate(range(0, len(pages), limit), 1):
        chunk = pages[start : start + limit]
        name = f"sitemap-{number}.xml"
        files[name] = _urlset(plan, chunk)
        entry = _sub(index, "sitemap")
        _sub(entry, "loc", absolute(plan, name))
        dates = [p.lastmod for p in chunk if p.lastmod is not None]
        if dates:
            _sub(entry, "lastmod", iso_utc(max(dates)))
    files[SITEMAP_FILE] = _xml(index)
    return files


# -- robots.txt -------------------------------------------------------------------------------


def robots_txt(plan: SitePlan) -> bytes:
    """Allow every crawler everywhere and name the sitemap.

    Private pages are kept out of search engines by their noindex tag, not by a Disallow line:
    a Disallow would stop crawlers from reading that tag, and would publish where the pages live.
    """
    lines = [
        "# makerfront: every public page may be crawled.",
        "User-agent: *",
        "Allow: /",
        "",
        f"Sitemap: {absolute(plan, SITEMAP_FILE)}",
        "",
    ]
    return "\n".join(lines).encode("utf-8")


# -- feed.xml (Atom, RFC 4287) ----------------------------------------------------------------


def _entry_content(view: ListingView) -> str:
    """HTML shown by feed readers: the first photo, the price, the description."""
    parts: list[Markup] = []
    if view.image is not None:
        parts.append(Markup('<p><img src="{}" alt="{}"></p>').format(view.image.abs_url, view.image.alt))
    parts.append(Markup("<p>{}</p>").format(view.price))
    parts.append(Markup(view.description.__html__()))  # safe HTML (also when read from the store)
    return str(Markup("\n").join(parts))


def atom_feed(
    plan: SitePlan, view_of: Callable[[Listing], ListingView], favicon: ProcessedImage | None = None
) -> bytes:
    """Atom feed of the public listings, newest first. `updated` is the newest entry's date (or
    the newest of site.yaml/maker.yaml when the shop has no listings), never the build time."""
    site = plan.site
    cfg = site.config
    listings = feed_listings(plan)
    maker_url = absolute(plan, "maker/")
    newest = max(
        [listing_timestamp(x) for x in listings] if listings else [cfg.modified, site.maker.modified],
    )

    feed = ET.Element("feed", {"xmlns": ATOM_NS, XML_LANG: cfg.language})
    _sub(feed, "id", cfg.base_url)
    _sub(feed, "title", cfg.title)
    if cfg.description:
        _sub(feed, "subtitle", cfg.description)
    _sub(feed, "updated", iso_utc(newest))
    _sub(feed, "link", rel="self", type="application/atom+xml", href=absolute(plan, FEED_FILE))
    _sub(feed, "link", rel="alternate", type="text/html", href=cfg.base_url)
    author = _sub(feed, "author")
    _sub(author, "name", site.maker.name)
    _sub(author, "uri", maker_url)
    if favicon is not None:
        _sub(feed, "icon", absolute(plan, favicon.variants[0].output))
    _sub(feed, "generator", "makerfront")

    for listing in listings:
        view = view_of(listing)
        when = iso_utc(listing_timestamp(listing))
        # xml:base: relative links in the description resolve as they do on the listing page.
        entry = ET.SubElement(feed, "entry", {XML_BASE: view.abs_url})
        _sub(entry, "id", view.abs_url)
        _sub(entry, "title", listing.title)
        _sub(entry, "link", rel="alternate", type="text/html", href=view.abs_url)
        if view.image is not None:
            mime = mimetypes.guess_type(view.image.abs_url)[0] or "application/octet-stream"
            _sub(entry, "link", rel="enclosure", type=mime, href=view.image.abs_url, title=view.image.alt)
        _sub(entry, "published", when)
        _sub(entry, "updated", when)
        for tag in listing.tags:
            _sub(entry, "category", term=tag.slug, label=tag.name, scheme=absolute(plan, "tags/"))
        _sub(entry, "summary", view.summary or f"{listing.title}, {view.price}")
        _sub(entry, "content", _entry_content(view), type="html")
    return _xml(feed)


# -- manifest.webmanifest ---------------------------------------------------------------------


def web_manifest(plan: SitePlan, accent: object = None, favicon: ProcessedImage | None = None) -> bytes:
    """A small web app manifest (name, start page, icon). URLs are relative to the manifest, so
    it works under any base_url path."""
    cfg = plan.site.config
    data: dict[str, object] = {
        "name": cfg.title,
        "short_name": cfg.title if len(cfg.title) <= 12 else cfg.title[:12].rstrip(),
        "start_url": "./",
        "scope": "./",
        "display": "browser",
        "lang": cfg.language,
    }
    if cfg.description:
        data["description"] = cfg.description
    if isinstance(accent, str) and accent:
        data["theme_color"] = accent
    if favicon is not None:
        file = favicon.variants[0]
        icon: dict[str, str] = {"src": href(file.output), "type": file.type}
        if file.type == "image/svg+xml":
            icon["sizes"] = "any"  # a vector icon scales to every size
        elif file.width and file.height:
            icon["sizes"] = f"{file.width}x{file.height}"
        data["icons"] = [icon]
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")
