"""What each page depends on, so an incremental build re-renders only the pages whose inputs
changed.

A page's HTML is a pure function of the templates it loaded, its render context and the parts of
`site` its templates read (`site.title`, `site.listings`, ...). render.TrackingEnvironment records
the templates and `site` parts while a page renders; this module turns them into a key: a hash of
exactly those inputs as they are now. When a page's key equals the one stored after the last
build, its previous bytes are reused.

A public page's context is made by Renderer.context from its plan entry, the views of the listing,
tag and listings it shows, the site settings and the maker, so its key hashes those (each view
once per build), not the context itself: deciding that 10,000 pages are unchanged then needs no
context at all. A private listing's page has a view made for it alone: its key hashes its context.
The cache these keys are stored in is dropped whenever makerfront's code or the libraries that
shape a page change (buildcache._pages_version).

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

from .plan import PlannedPage
from .render import TAG_PART, Renderer
from .views import ListingView, PageContext, TagView

_BY_VIEW = frozenset({"listing", "tag", "listings", "private"})
"""Fields of a PlannedPage that hold model objects: a public page's key hashes their views
instead (what the templates receive), each once per build."""


def _own_fields(page: PlannedPage) -> tuple[str, ...]:
    """Every other field of a planned page, hashed as it is: a field added to the plan is part of
    every key at once, so no page can stay stale for want of listing it here."""
    if type(page) is PlannedPage:
        return _PLANNED_PAGE_FIELDS
    return tuple(f.name for f in dataclasses.fields(page) if f.name not in _BY_VIEW)


def _h(*parts: bytes) -> bytes:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    return h.digest()


_PLANNED_PAGE_FIELDS = tuple(f.name for f in dataclasses.fields(PlannedPage) if f.name not in _BY_VIEW)


class PageKeys:
    """Hashes of the current build's inputs, computed once each and shared by every page."""

    def __init__(self, renderer: Renderer, salt: bytes = b"") -> None:
        self.renderer = renderer
        self.salt = salt
        """Hashed into every key: what decides every page without being view data (the secret's
        fingerprint)."""
        self._views: dict[int, tuple[object, bytes]] = {}
        """id -> (the view, kept alive so its id cannot be reused; its hash)."""
        self._parts: dict[str, bytes] = {}
        self._templates: dict[str, bytes] = {}
        self._site_inputs: bytes | None = None

    def _value(self, value: object) -> bytes:
        # Listing views are shared by many pages and tags: hash each once. Dataclass reprs list
        # every field, so equal reprs mean equal view data.
        if isinstance(value, ListingView):
            known = self._views.get(id(value))
            if known is None:
                known = self._views[id(value)] = (value, _h(repr(value).encode()))
            return known[1]
        if isinstance(value, TagView):
            # Each of a tag's pages has the same TagView: hash it (and its listings) once.
            known = self._views.get(id(value))
            if known is None:
                digest = _h(
                    repr((value.name, value.slug, value.url, value.count)).encode(),
                    *(self._value(x) for x in value.listings),
                )
                known = self._views[id(value)] = (value, digest)
            return known[1]
        if isinstance(value, tuple):
            return _h(b"tuple", *(self._value(x) for x in value))
        return _h(repr(value).encode())

    def value_hash(self, value: object) -> bytes:
        """The hash a key takes of ``value`` (a listing view: made once per view and build)."""
        return self._value(value)

    def learn(self, view: ListingView, digest: bytes) -> None:
        """``view``'s hash, as value_hash made it for the same view in a worker process (the
        worker's view is this process's view, inherited when it was forked)."""
        self._views.setdefault(id(view), (view, digest))

    def _site_part(self, name: str) -> bytes:
        found = self._parts.get(name)
        if found is None:
            value = getattr(self.renderer.site_view, name, None)
            found = self._parts[name] = _h(name.encode(), self._value(value))
        return found

    def _template(self, name: str) -> bytes:
        found = self._templates.get(name)
        if found is None:
            env = self.renderer.env
            try:
                assert env.loader is not None
                source, filename, _ = env.loader.get_source(env, name)
                found = _h(name.encode(), (filename or "").encode(), source.encode())
            except Exception:  # gone or unreadable now: never equal to a stored key
                found = _h(b"missing", name.encode())
            self._templates[name] = found
        return found

    def key(
        self,
        page: PlannedPage,
        site_parts: Iterable[str],
        templates: Iterable[str],
        context: PageContext | None = None,
    ) -> bytes:
        """The page's key. ``context``: a private listing's page's render context, when the caller
        has it already (a public page's key needs none)."""
        if page.private is None:
            return self._public_key(page, site_parts, templates)
        ctx = context or self.renderer.context(page)
        page_view = ctx["page"]
        return _h(
            self.salt,
            b"private",
            repr(dataclasses.replace(page_view, listings=())).encode(),
            self._value(ctx["listing"]),
            *(self._site_part(p) for p in site_parts if not p.startswith(TAG_PART)),
            b"templates",
            *(self._template(t) for t in templates),
        )

    def _public_key(self, page: PlannedPage, site_parts: Iterable[str], templates: Iterable[str]) -> bytes:
        renderer = self.renderer
        if self._site_inputs is None:
            # Everything Renderer.context reads besides the page and the views hashed below.
            site = renderer.site
            self._site_inputs = _h(repr((site.config, site.maker, renderer.site_view.maker)).encode())
        own = tuple(getattr(page, name) for name in _own_fields(page))
        return _h(
            self.salt,
            b"public",
            repr(own).encode(),
            self._site_inputs,
            self._value(renderer.listing_view(page.listing) if page.listing is not None else None),
            # The listings a page shows are hashed one view at a time (each once per build), and
            # the tag view whole: its recorded reads (TAG_PART) add nothing.
            self._value(renderer.tag_view(page)),
            self._value(tuple(renderer.listing_view(x) for x in page.listings)),
            *(self._site_part(p) for p in site_parts if not p.startswith(TAG_PART)),
            b"templates",
            *(self._template(t) for t in templates),
        )
