"""Site -> the list of pages and files to produce, with their URLs.

This module alone decides which listings are public. Everything downstream (render, templates,
feeds) receives only the ready lists built here, so no template can list a private listing by
looping over the wrong collection.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from .errors import SiteError, SourceRef
from .i18n import ENGLISH, Messages, load_messages
from .images import PhotoJob
from .model import Image, Listing, Page, Site, Tag

PageKind = Literal["home", "listing", "private_listing", "tag", "maker", "page", "custom_order", "not_found"]

PRIVATE_DIR = "p"
"""Private listings live at p/<token>/; the _headers rules cover this folder without naming tokens."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TagGroup:
    tag: Tag
    listings: tuple[Listing, ...]
    """Public listings with this tag, in display order."""
    url: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PrivateListing:
    """A private listing that is built: its secret folder and where its photos go."""

    listing: Listing
    token: str
    """HMAC of the slug with the site secret (see secret.py); never appears outside `url`."""
    url: str
    """Site-relative URL 'p/<token>/'; also the output folder of the page and its photos."""
    image_urls: dict[Path, str]
    """Content-relative image path -> where its files go inside `url` (never the shared images/):
    'p/<token>/<name>', a name made from the token and the path that tells nothing about either
    (the image step adds '-800.jpg'...)."""
    font_urls: dict[Path, str] = field(default_factory=dict)
    """Content-relative path of each font its preview draws in -> its site-relative URL inside
    `url`, named like its photos ('p/<token>/font-<name>.woff2')."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Pagination:
    """Where a page stands in a list of listings split over several pages (home, tag pages)."""

    number: int
    """1 for the first page."""
    urls: tuple[str, ...]
    """Site-relative URL of every page of the list, the first page first."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PlannedPage:
    url: str
    """Site-relative URL: '' for home, 'listings/eagle-mug/', '404.html'; not percent-encoded
    ('tags/帽子/', the path on disk): links write it with href()."""
    output: str
    """Output file path relative to the output folder."""
    kind: PageKind
    template: str
    title: str
    root: str
    """Prefix that turns a site-relative URL into a link from this page ('../../' or '/shop/')."""
    listing: Listing | None = None
    tag: TagGroup | None = None
    page: Page | None = None
    indexable: bool = True
    """False for pages search engines must not index (404, private pages)."""
    private: PrivateListing | None = None
    """Set on a private listing's page only."""
    lastmod: float | None = None
    """Newest modification time of the content files shown on the page (sitemap lastmod)."""
    listings: tuple[Listing, ...] = ()
    """Home and tag pages: the public listings shown on this page (its share of the list)."""
    pagination: Pagination | None = None
    """Home and tag pages: this page's place in the list (one page when it is short)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Asset:
    output: str
    """Output path relative to the output folder."""
    source: Path
    """File to copy."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SitePlan:
    site: Site
    public_listings: tuple[Listing, ...]
    """Listings shown anywhere public, newest first. Never contains a private listing."""
    tags: tuple[TagGroup, ...]
    """Tag pages built from public listings only, sorted by name."""
    menu: tuple[Page, ...]
    pages: tuple[PlannedPage, ...]
    assets: tuple[Asset, ...]
    image_urls: dict[Path, str] = field(default_factory=dict)
    """Content-relative image path -> where its files go, for public photos: the path in content/
    without its extension ('images/mug'; the image step adds '-800.jpg'...)."""
    photos: tuple[PhotoJob, ...] = ()
    """Every photo to publish (public ones, then each private listing's), for the image step.
    Originals are never published: only the files the image step makes of them."""
    skipped: tuple[str, ...] = ()
    """Human-readable notes about content not built (e.g. expired private listings), for the summary."""
    private_listings: tuple[PrivateListing, ...] = ()
    """Private listings built this time (not expired), by slug. Only their own pages use them."""
    headers_source: Path | None = None
    """The maker's own content/static/_headers, which the built _headers file starts with."""
    messages: Messages = ENGLISH
    """The shop's words in its language (page titles here; templates, mails and feeds after)."""


HEADERS_FILE = "_headers"


def headers_rules(base_path: str) -> str:
    """Rules for hosts that read a _headers file (Netlify, Cloudflare Pages): private pages and
    their photos are not indexed and do not send their address as a referrer. The rule names the
    private folder, never a token. The site may be served from the domain root or from base_url's
    path, so both forms are listed when they differ."""
    paths = [f"/{PRIVATE_DIR}/*"]
    if base_path not in ("", "/"):
        paths.append(f"{base_path}{PRIVATE_DIR}/*")
    rules = "# makerfront: private listings (p/) are never indexed and never send their address onward\n"
    for path in paths:
        rules += f"{path}\n  X-Robots-Tag: noindex\n  Referrer-Policy: no-referrer\n"
    return rules


_PLAIN_URL = re.compile(r"[A-Za-z0-9/_.~-]*")


def href(url: str) -> str:
    """A site-relative URL of the plan as links write it: each UTF-8 byte other than ASCII
    letters, digits, '/' and '_.-~' percent-encoded, 'tags/帽子/' -> 'tags/%E5%B8%BD%E5%AD%90/'.

    URLs in the plan are the paths on disk (output/tags/帽子/index.html), never encoded; views
    (render.py), seo.py and feeds.py encode each one here as they take it, once, so nothing is
    encoded twice and sitemap.xml and feed.xml hold ASCII URIs. Addresses made from slugs only
    change when a slug has letters beyond ASCII; a photo or static file name is encoded as the
    photos' absolute URLs always were (urllib.parse.quote)."""
    return url if _PLAIN_URL.fullmatch(url) else quote(url)


def listing_url(listing: Listing) -> str:
    return f"listings/{listing.slug}/"


def listing_page(listing: Listing) -> PlannedPage:
    """The page of a public listing."""
    url = listing_url(listing)
    return PlannedPage(
        url=url,
        output=output_file(url),
        kind="listing",
        template="listing.html",
        title=listing.title,
        root=relative_root(url),
        listing=listing,
        lastmod=listing.modified,
    )


def public_image_url(rel: Path) -> str:
    """Where a public photo's files go: its path in content/ without the extension, to which the
    image step adds the width and format ('images/mug' -> 'images/mug-800.jpg')."""
    return rel.with_suffix("").as_posix() if rel.suffix else rel.as_posix()


def _public_image_urls(rels: list[Path]) -> dict[Path, str]:
    """public_image_url of each photo; two photos that differ only by extension (mug.jpg,
    mug.png) keep it in the name ('images/mug-png')."""
    urls: dict[Path, str] = {}
    used: dict[str, int] = {}
    for rel in rels:
        base = public_image_url(rel).casefold()
        used[base] = used.get(base, 0) + 1
    for rel in rels:
        url = public_image_url(rel)
        urls[rel] = url if used[url.casefold()] == 1 else f"{url}-{rel.suffix.lstrip('.').lower()}"
    return urls


def tag_url(tag: Tag) -> str:
    return f"tags/{tag.slug}/"


def page_url(page: Page) -> str:
    return f"{page.slug}/"


def check_file_name(path: Path) -> None:
    """A file to publish must have a name that is text: one saved in another encoding than UTF-8
    (an old Windows or Mac archive) can be neither linked to nor served."""
    try:
        path.name.encode("utf-8")
    except UnicodeEncodeError:
        raise SiteError(
            "this file's name is not UTF-8 text, so no web address can name it",
            path=path,
            hint="rename the file (a name typed on this computer is always fine)",
        ) from None


def relative_root(url: str) -> str:
    depth = url.count("/")
    return "../" * depth if depth else "./"


def output_file(url: str) -> str:
    return url if url.endswith(".html") else f"{url}index.html"


def _display_order(listing: Listing) -> tuple[int, str, str]:
    # Newest first by date; undated listings after dated ones, then by title.
    ordinal = listing.date.toordinal() if listing.date else 0
    return (-ordinal, listing.title.casefold(), listing.slug)


PAGE_DIR = "page"
"""Further pages of a list: page/2/ (home), tags/<tag>/page/2/."""


def paginate(
    url: str, listings: tuple[Listing, ...], per_page: int
) -> list[tuple[int, str, tuple[Listing, ...], Pagination]]:
    """(number, URL, listings shown, pagination) for each page of a list of listings: the first page
    at ``url``, the others at ``url``page/2/, page/3/...; an empty list still has its first page."""
    chunks = [listings[i : i + per_page] for i in range(0, len(listings), per_page)] or [()]
    urls = tuple(url if n == 1 else f"{url}{PAGE_DIR}/{n}/" for n in range(1, len(chunks) + 1))
    return [(n, urls[n - 1], chunk, Pagination(number=n, urls=urls)) for n, chunk in enumerate(chunks, start=1)]


def is_expired(listing: Listing, today: date) -> bool:
    """A listing is built up to and including its `expires` day."""
    return listing.expires is not None and listing.expires < today


def private_url(token: str) -> str:
    return f"{PRIVATE_DIR}/{token}/"


def _private_image_urls(listing: Listing, url: str, token: str) -> dict[Path, str]:
    """Each photo's files go inside the listing's own folder, under a name made from the token
    and the photo's path: it reveals neither the file name nor the slug, and is the same in
    every build."""
    urls: dict[Path, str] = {}
    for img in listing.images:
        if img.src not in urls:
            name = hashlib.sha256(f"{token}\0{img.src.as_posix()}".encode()).hexdigest()[:16]
            urls[img.src] = f"{url}photo-{name}"
    return urls


def _private_font_urls(listing: Listing, url: str, token: str) -> dict[Path, str]:
    """Each font file inside the listing's own folder, named like its photos."""
    urls: dict[Path, str] = {}
    for rel in listing.fonts:
        name = hashlib.sha256(f"{token}\0{rel.as_posix()}".encode()).hexdigest()[:16]
        urls[rel] = f"{url}font-{name}{rel.suffix.lower()}"
    return urls


def public_font_urls(listing: Listing) -> dict[Path, str]:
    """A public listing's fonts: published as they are, at their path in content/."""
    return {rel: rel.as_posix() for rel in listing.fonts}


def plan_private(site: Site, today: date, token: Callable[[str], str]) -> tuple[list[PrivateListing], list[str]]:
    """Private listings to build (not expired) and notes about the expired ones."""
    built: list[PrivateListing] = []
    notes: list[str] = []
    for listing in site.listings:
        if not listing.private:
            continue
        if is_expired(listing, today):
            notes.append(f"listing {listing.source.path.name} expired on {listing.expires} and was not built")
            continue
        secret_token = token(listing.slug)
        url = private_url(secret_token)
        built.append(
            PrivateListing(
                listing=listing,
                token=secret_token,
                url=url,
                image_urls=_private_image_urls(listing, url, secret_token),
                font_urls=_private_font_urls(listing, url, secret_token),
            )
        )
    return built, notes


@dataclass(frozen=True)
class ContentStatic:
    """The maker's own static files (content/static/), as found on disk: copied as they are,
    but for the _headers file, whose rules are merged with makerfront's own."""

    files: tuple[tuple[str, Path], ...] = ()
    """(output path, source file), sorted."""
    headers: Path | None = None


def content_static_files(root: Path) -> ContentStatic:
    """The files of ``root``/static to publish. Raises SiteError for a file or the folder that
    links outside the content folder, or a file name no web address can name."""
    static_dir = root / "static"
    if not static_dir.is_dir():
        return ContentStatic()
    # The folder itself may be a symlink; everything copied must really lie inside content/.
    inside = root.resolve()
    if not static_dir.resolve().is_relative_to(inside):
        raise SiteError("this folder links to a place outside the content folder", path=static_dir)
    files: list[tuple[str, Path]] = []
    headers: Path | None = None
    for path in sorted(static_dir.rglob("*")):
        if path.name.startswith(".") or not path.is_file():
            continue
        if not path.resolve().is_relative_to(inside):
            raise SiteError("this file links to a place outside the content folder", path=path)
        check_file_name(path)
        name = path.relative_to(static_dir).as_posix()
        if name == HEADERS_FILE:
            headers = path
        else:
            files.append((name, path))
    return ContentStatic(files=tuple(files), headers=headers)


def plan_site(
    site: Site,
    theme_static: list[tuple[str, Path]],
    today: date,
    token: Callable[[str], str] | None = None,
    previous: SitePlan | None = None,
    content_static: ContentStatic | None = None,
    messages: Messages | None = None,
) -> SitePlan:
    """Every page and file of the site. ``token`` maps a private listing's slug to its secret
    token (secret.listing_token bound to the site secret); it is needed only when the site has
    private listings. ``previous``: the plan of the same site before some listings changed (the
    dev server); the pages of listings that are the very same objects are taken from it instead
    of being made again. ``content_static``: the maker's static files (content_static_files).
    ``messages``: the shop's words (i18n.load_messages with the theme's catalogs); None: those of
    makerfront's own catalogs and site.yaml `strings:`."""
    if messages is None:
        messages = load_messages(site.config.language, (), site.config.strings)
    public = tuple(sorted((x for x in site.listings if not x.private), key=_display_order))
    skipped: list[str] = []
    private: list[PrivateListing] = []
    if any(x.private for x in site.listings):
        if token is None:
            raise SiteError("private listings need the site secret to get their addresses")
        private, skipped = plan_private(site, today, token)
    tags = _tag_groups(public)
    static = content_static or ContentStatic()
    pages = [
        *_public_pages(site, public, tags, previous, messages),
        # Private pages come last, so no public page is rendered after one of them (a theme
        # keeping state between pages could only carry it into another private page; the leak
        # guard checks those too).
        *(_private_page(x) for x in private),
    ]
    assets, image_urls, photos = _assets(site, public, private, theme_static, static)
    return SitePlan(
        site=site,
        public_listings=public,
        tags=tags,
        menu=tuple(p for p in site.pages if p.menu),
        pages=tuple(pages),
        assets=tuple(assets),
        image_urls=image_urls,
        photos=tuple(photos),
        skipped=tuple(skipped),
        private_listings=tuple(private),
        headers_source=static.headers,
        messages=messages,
    )


def _tag_groups(public: Sequence[Listing]) -> tuple[TagGroup, ...]:
    """A group per tag slug, sorted, with the public listings that have it in display order."""
    groups: dict[str, list[Listing]] = {}
    names: dict[str, Tag] = {}
    for listing in public:
        for tag in listing.tags:
            groups.setdefault(tag.slug, []).append(listing)
            names.setdefault(tag.slug, tag)
    return tuple(
        TagGroup(tag=names[slug], listings=tuple(groups[slug]), url=tag_url(names[slug])) for slug in sorted(groups)
    )


def _page(url: str, kind: PageKind, template: str, title: str, **kw: object) -> PlannedPage:
    return PlannedPage(
        url=url,
        output=output_file(url),
        kind=kind,
        template=template,
        title=title,
        root=relative_root(url),
        **kw,  # type: ignore[arg-type]
    )


def _listed(show_sold: bool, listings: tuple[Listing, ...], keep_some: bool = True) -> tuple[Listing, ...]:
    """The listings a home or tag page lists: with `show_sold: false`, not sold work (its own
    page, the feed and the sitemap keep it). A tag with nothing but sold work keeps showing it
    (``keep_some``), as its page stays linked from those listings."""
    if show_sold:
        return listings
    unsold = tuple(x for x in listings if not x.sold)
    return unsold or (listings if keep_some else ())


def _public_pages(
    site: Site, public: tuple[Listing, ...], tags: Sequence[TagGroup], previous: SitePlan | None, t: Messages
) -> Iterator[PlannedPage]:
    cfg = site.config
    per_page = cfg.listings_per_page
    for number, url, shown, pagination in paginate("", _listed(cfg.show_sold, public, keep_some=False), per_page):
        title = (
            cfg.title
            if number == 1
            else t.tr("Page %(number)s of %(count)s", number=t.number(number), count=t.number(len(pagination.urls)))
        )
        lastmod = max([cfg.modified, site.maker.modified, *(x.modified for x in shown)])
        yield _page(url, "home", "home.html", title, lastmod=lastmod, listings=shown, pagination=pagination)
    yield _page(
        "maker/", "maker", "maker.html", t.tr("About %(name)s", name=site.maker.name), lastmod=site.maker.modified
    )
    known = {id(p.listing): p for p in previous.pages if p.kind == "listing"} if previous is not None else {}
    for listing in public:
        same = known.get(id(listing))
        # `previous` keeps its listings alive, so an id found is this very listing's.
        yield same if same is not None and same.listing is listing else listing_page(listing)
    for g in tags:
        for number, url, shown, pagination in paginate(g.url, _listed(cfg.show_sold, g.listings), per_page):
            title = (
                g.tag.name
                if number == 1
                else t.tr(
                    "%(tag)s, page %(number)s of %(count)s",
                    tag=g.tag.name,
                    number=t.number(number),
                    count=t.number(len(pagination.urls)),
                )
            )
            lastmod = max(x.modified for x in shown)
            yield _page(url, "tag", "tag.html", title, tag=g, lastmod=lastmod, listings=shown, pagination=pagination)
    for p in site.pages:
        yield _page(page_url(p), "page", "page.html", p.title, page=p, lastmod=p.modified)
    if site.maker.custom_orders.enabled and cfg.contact.form_action:
        # A form, not content: search engines would index each ?listing=... variant as a thin page.
        yield _page(
            "custom-order/", "custom_order", "custom_order.html", t.tr("Ask about a Custom Order"), indexable=False
        )
    # 404.html is served at any depth, so its links are root-absolute under base_url's path.
    yield PlannedPage(
        url="404.html",
        output="404.html",
        kind="not_found",
        template="404.html",
        title=t.tr("Page not found"),
        root=cfg.base_path,
        indexable=False,
    )


def _private_page(x: PrivateListing) -> PlannedPage:
    return PlannedPage(
        url=x.url,
        output=output_file(x.url),
        kind="private_listing",
        template="listing.html",
        title=x.listing.title,
        root=relative_root(x.url),
        listing=x.listing,
        indexable=False,
        private=x,
    )


def _assets(
    site: Site,
    public: Sequence[Listing],
    private: Sequence[PrivateListing],
    theme_static: Sequence[tuple[str, Path]],
    static: ContentStatic,
) -> tuple[list[Asset], dict[Path, str], list[PhotoJob]]:
    """The files copied as they are (theme static files, the maker's static files), where each
    public photo's files go, and every photo for the image step (originals are never copied)."""
    cfg = site.config
    assets: list[Asset] = [Asset(output=f"static/{name}", source=src) for name, src in theme_static]
    public_images: list[Image] = [img for x in public for img in x.images]
    if site.maker.photo:
        public_images.append(site.maker.photo)
    image_urls = _public_image_urls(
        sorted({img.src for img in public_images} | ({cfg.favicon} if cfg.favicon else set()))
    )
    photos = [_photo_job(site, img, image_urls[img.src]) for img in public_images]
    if cfg.favicon:
        where = SourceRef(path=cfg.source.path, line=cfg.favicon_line)
        photos.append(
            PhotoJob(
                source=site.content_root / cfg.favicon,
                prefix=image_urls[cfg.favicon],
                where=where,
                field="favicon",
                role="favicon",
            )
        )
    # Fonts (a text preview's) are published as they are: a public listing's at their path in
    # content/, a private listing's in its own folder.
    fonts = {rel: url for x in public for rel, url in public_font_urls(x).items()}
    assets += [Asset(output=url, source=site.content_root / rel) for rel, url in sorted(fonts.items())]
    for x in private:
        assets += [Asset(output=url, source=site.content_root / rel) for rel, url in x.font_urls.items()]
    for x in private:
        # A private listing's photos live in its own folder, never in the shared images folder.
        photos += [_photo_job(site, img, x.image_urls[img.src]) for img in x.listing.images]
    assets += [Asset(output=name, source=path) for name, path in static.files]
    return assets, image_urls, photos


def _photo_job(site: Site, img: Image, prefix: str) -> PhotoJob:
    where = img.where or SourceRef(path=site.content_root / img.src)
    return PhotoJob(source=site.content_root / img.src, prefix=prefix, where=where, field=img.field_name or "src")


def sitemap_pages(plan: SitePlan) -> tuple[PlannedPage, ...]:
    """Pages search engines may list: indexable ones only, never a private listing's page."""
    return tuple(p for p in plan.pages if p.indexable and not (p.listing is not None and p.listing.private))


FEED_LIMIT = 50
"""Entries in the Atom feed. Readers poll it for what is new; a shop of thousands of listings
would otherwise serve megabytes on every poll (the sitemap lists every page)."""


def feed_listings(plan: SitePlan, limit: int = FEED_LIMIT) -> tuple[Listing, ...]:
    """The newest public listings for the Atom feed: newest first by `date` (else the file's
    modification time), then by title. Built from public_listings only, so a private listing
    cannot appear."""

    def key(x: Listing) -> tuple[float, str, str]:
        return (-listing_timestamp(x), x.title.casefold(), x.slug)

    return tuple(sorted((x for x in plan.public_listings if not x.private), key=key))[:limit]


def listing_timestamp(listing: Listing) -> float:
    """When a listing was published for the feed: its `date` (midnight UTC), else its file's mtime."""
    if listing.date is not None:
        # Midnight UTC, as datetime(y, m, d, tzinfo=UTC).timestamp() gives, without building one
        # (the feed sorts every public listing by this).
        return float((listing.date.toordinal() - _EPOCH_ORDINAL) * 86400)
    return listing.modified


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
