"""What each page is made from, so a rebuild renders again only the pages whose inputs changed.

A page's HTML is a pure function of its render's inputs: its plan entry, the views of the listing,
tag and listings it shows, the site settings and maker, the parts of `site` (and of a tag page's
`tag`) its templates read and the templates themselves, and the site secret's fingerprint.
render.TrackingEnvironment records the `site` and `tag` parts and the templates while a page
renders; `PageKeys.inputs` gathers those inputs as they are now into one `PageInputs` value.

That value is the one freshness rule, for the command line and the dev server alike. A page is
taken from the last build when its inputs are equal to the last ones: compared whole when the last
build is still in memory (the dev server), or hashed whole (`PageKeys.key`) when only its key was
kept (the build cache of the command line). A field added to the plan or to a view is part of
`PageInputs` at once: no list of fields to keep up to date.

A private listing's page has a view made for it alone: its inputs hold its page view. The keys in
the cache are dropped whenever makerfront's code or the libraries that shape a page change
(buildcache._pages_version).

Reads are recorded through Jinja's attribute and item lookups (`site.x`, `site["x"]`, also inside
macros and `{% set %}` aliases); a template that printed `site` itself or handed it whole to a
filter would escape the tracking (no theme does; `site` has no useful string form).

So a listing edit re-renders its own page, the tag pages that show it and the pages that read
`site.listings` or `site.tags` (the home page); a template edit re-renders the pages that loaded
that template; an edit to site.yaml or maker.yaml re-renders every page.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from .plan import PlannedPage
from .render import TAG_PART, Renderer
from .views import ListingView, PageContext, TagView

_BY_VIEW = frozenset({"listing", "tag", "listings", "private"})
"""Fields of a PlannedPage that hold model objects: a page's inputs hold their views instead (what
the templates receive)."""

_TAG_LISTINGS = TAG_PART + "listings"


@dataclass(frozen=True, slots=True)
class PageInputs:
    """Everything one page's HTML is made from (see the module docstring). Two pages with equal
    inputs have the same HTML."""

    shared: tuple[object, ...]
    """What every page of the build reads: the secret's fingerprint, the site settings, the maker
    and its view, the translations in use (i18n.Messages.fingerprint)."""
    own: tuple[object, ...]
    """The planned page's own fields (a public page), or its page view (a private listing's)."""
    listing: ListingView | None
    tag: tuple[object, ...] | None
    """The tag view's fields; its listings only if the page read them, else their count."""
    listings: tuple[ListingView, ...]
    site: tuple[tuple[str, object], ...]
    """Each part of `site` the page read, with its value."""
    templates: tuple[tuple[str, str, str], ...]
    """Each template the page loaded: name, file and source."""


def _h(*parts: bytes) -> bytes:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    return h.digest()


def _own_fields(page: PlannedPage) -> tuple[str, ...]:
    if type(page) is PlannedPage:
        return _PLANNED_PAGE_FIELDS
    return tuple(f.name for f in dataclasses.fields(page) if f.name not in _BY_VIEW)


_PLANNED_PAGE_FIELDS = tuple(f.name for f in dataclasses.fields(PlannedPage) if f.name not in _BY_VIEW)
_TAG_FIELDS = tuple(f.name for f in dataclasses.fields(TagView) if f.name != "listings")


class PageKeys:
    """The inputs of the current build's pages, and their keys: each view, `site` part and
    template is looked up (and hashed) once per build, however many pages share it."""

    def __init__(self, renderer: Renderer, salt: bytes = b"") -> None:
        self.renderer = renderer
        site = renderer.site
        self.shared: tuple[object, ...] = (
            salt,
            site.config,
            site.maker,
            renderer.site_view.maker,
            renderer.messages.fingerprint,
        )
        self._hashes: dict[int, tuple[object, bytes]] = {}
        """id -> (the value, kept alive so its id cannot be reused; its hash)."""
        self._parts: dict[str, tuple[str, object]] = {}
        self._templates: dict[str, tuple[str, str, str]] = {}

    def inputs(
        self,
        page: PlannedPage,
        site_parts: Iterable[str],
        templates: Iterable[str],
        context: PageContext | None = None,
    ) -> PageInputs:
        """The page's inputs, given the parts of `site` and `tag` and the templates its render used.
        ``context``: a private listing's page's render context, when the caller has it already (a
        public page's inputs need none)."""
        renderer = self.renderer
        site_parts = tuple(site_parts)
        parts = tuple(self._site_part(p) for p in site_parts if not p.startswith(TAG_PART))
        used = tuple(self._template(t) for t in templates)
        if page.private is not None:
            ctx = context or renderer.context(page)
            own: tuple[object, ...] = (dataclasses.replace(ctx["page"], listings=()),)
            return PageInputs(self.shared, own, ctx["listing"], None, (), parts, used)
        listing = renderer.listing_view(page.listing) if page.listing is not None else None
        tag = renderer.tag_view(page)
        return PageInputs(
            self.shared,
            tuple(getattr(page, name) for name in _own_fields(page)),
            listing,
            None if tag is None else _tag_inputs(tag, _TAG_LISTINGS in site_parts),
            tuple(renderer.listing_view(x) for x in page.listings),
            parts,
            used,
        )

    def key(self, inputs: PageInputs) -> bytes:
        """The hash of ``inputs``, kept in the build cache between command-line builds."""
        return _h(
            *(self._value(getattr(inputs, f)) for f in ("shared", "own", "listing", "tag", "listings")),
            *(self._value(part) for part in inputs.site),
            b"templates",
            *(self._value(template) for template in inputs.templates),
        )

    def _value(self, value: object) -> bytes:
        # Views, `site` parts and templates are shared by many pages: each is hashed once (by
        # identity, the value kept alive so its id cannot be reused). Dataclass reprs list every
        # field, so equal reprs mean equal view data.
        if not isinstance(value, tuple | ListingView | TagView):
            return _h(repr(value).encode())
        known = self._hashes.get(id(value))
        if known is None:
            if isinstance(value, tuple):
                digest = _h(b"tuple", *(self._value(x) for x in value))
            elif isinstance(value, TagView):  # its listings one view at a time
                digest = _h(repr(_tag_inputs(value, False)).encode(), self._value(value.listings))
            else:
                digest = _h(repr(value).encode())
            known = self._hashes[id(value)] = (value, digest)
        return known[1]

    def value_hash(self, value: object) -> bytes:
        """The hash a key takes of ``value`` (a listing view: made once per view and build)."""
        return self._value(value)

    def learn(self, view: ListingView, digest: bytes) -> None:
        """``view``'s hash, as value_hash made it for the same view in a worker process (the
        worker's view is this process's view, inherited when it was forked)."""
        self._hashes.setdefault(id(view), (view, digest))

    def _site_part(self, name: str) -> tuple[str, object]:
        found = self._parts.get(name)
        if found is None:
            found = self._parts[name] = (name, getattr(self.renderer.site_view, name, None))
        return found

    def _template(self, name: str) -> tuple[str, str, str]:
        found = self._templates.get(name)
        if found is None:
            env = self.renderer.env
            try:
                assert env.loader is not None
                source, filename, _ = env.loader.get_source(env, name)
                found = (name, filename or "", source)
            except Exception:  # gone or unreadable now: never equal to what a page loaded
                found = (name, "", "\0missing")
            self._templates[name] = found
        return found


def _tag_inputs(tag: TagView, read_listings: bool) -> tuple[object, ...]:
    """A tag page's `tag` as its render receives it. Unless the page read `tag.listings`, only how
    many there are counts (the listings it shows are page.listings, among its own inputs)."""
    head = tuple(getattr(tag, name) for name in _TAG_FIELDS)
    return (*head, tag.listings if read_listings else len(tag.listings))
