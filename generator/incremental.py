"""The dev server's fast rebuild after edits to listing files: read only those files again and
re-render only the pages whose inputs changed, taking everything else from the last good build.

The result is what `pipeline.build` gives for the same content, byte for byte
(tests/test_incremental_dev.py compares them after random edits). It goes through the same steps:
the edited files are validated like in a full build (same messages), the site is planned again
(plan.py alone decides what is public), the outputs are assembled by `pipeline.assemble` and the
leak guard checks every one of them before the server may serve them.

Which pages are rendered again: a page is taken from the last build only if its plan entry is
equal to the last one (the same listing, tag group, title, URL...) and none of the parts of `site`
that page read while rendering (render.TrackingEnvironment) has changed. Listing views, compiled
templates and the site view of unchanged listings are reused through `Renderer(reuse=...)`.

Only edits, additions and deletions of `content/listings/*.yaml` come here; anything else
(site.yaml, maker.yaml, pages, photos, themes) needs `pipeline.build`.
"""

from __future__ import annotations

import bisect
import dataclasses
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import ErrorList, SiteError
from .load import _is_editor_junk, load_yaml_file, outside_error
from .model import Listing, Site, load_listing, merge_listings
from .pipeline import BuildOptions, BuildResult, assemble, finished, plan_for, site_secret
from .plan import PlannedPage, listing_page
from .render import TAG_PART, Renderer
from .views import SiteView


def listing_file(path: Path, options: BuildOptions) -> Path | None:
    """``path`` (absolute, as the watcher reports it) as the build names it,
    ``options.content/listings/<name>.yaml``, when it is a listing file this module can handle."""
    listings = (options.content / "listings").resolve()
    if path.parent != listings or path.suffix != ".yaml" or _is_editor_junk(path.name):
        return None
    return options.content / "listings" / path.name


def changed_parts(old: SiteView, new: SiteView) -> frozenset[str]:
    """Names of the `site` parts (SiteView fields) that differ between two builds. Views of
    unchanged listings are the same objects, so comparing 10,000 of them is quick."""
    return frozenset(f.name for f in dataclasses.fields(SiteView) if getattr(old, f.name) != getattr(new, f.name))


@dataclass(frozen=True, slots=True, kw_only=True)
class Rendered:
    """What an update rendered, for the terminal and the benchmarks."""

    pages: tuple[str, ...]
    """Output paths of the pages rendered again (the others were reused)."""


def read_listings(
    site: Site, files: Iterable[Path], options: BuildOptions, errors: ErrorList
) -> dict[Path, Listing | None]:
    """The listings in ``files`` (options.content/listings/*.yaml) as they are now, each validated
    like in a full build (problems go to ``errors``); None for a file deleted (or a folder, which
    a full build ignores too) and for one with errors."""
    read: dict[Path, Listing | None] = {}
    for path in files:
        read[path] = None
        if not path.is_file():
            continue
        if (escape := outside_error(path, options.content)) is not None:
            errors.add(escape)
            continue
        try:
            doc = load_yaml_file(path)
        except SiteError as exc:
            errors.add(exc)
            continue
        read[path] = load_listing(doc, errors, site.config, site.content_root)
    return read


def reload_listings(last: BuildResult, read: Mapping[Path, Listing | None], errors: ErrorList) -> tuple[Listing, ...]:
    """The site's listings with those ``read`` (read_listings) in place of the ones from the same
    files. Raises BuildFailed with every problem found, like a full build."""
    by_path = {x.source.path: x for x in last.site.listings}
    for path, listing in read.items():
        by_path.pop(path, None)
        if listing is not None:
            by_path[path] = listing
    listings = merge_listings(by_path.items(), errors)
    errors.raise_if_any()
    return listings


def update(
    last: BuildResult,
    files: Sequence[Path],
    options: BuildOptions,
    preview: Callable[[str, bytes], None] | None = None,
) -> tuple[BuildResult, Rendered]:
    """Rebuild after the listing ``files`` changed, reusing ``last`` (a successful build of the
    same content, theme and options).

    ``preview(output path, page)`` is given the page of each edited listing as soon as the file
    is read, before the site is planned and rendered again (Renderer.preview_page), so the dev
    server can show it at once. Only for a shop without private listings: such a page has not
    been through the leak guard, which needs the whole build.
    """
    started = time.perf_counter()
    assert last.renderer is not None, "needs a result of pipeline.build"
    errors = ErrorList()
    read = read_listings(last.site, files, options, errors)
    private = any(x is not None and x.private for x in read.values())
    if preview is not None and not errors and last.secret is None and not private:
        _preview(last, read, preview)
    site = dataclasses.replace(last.site, listings=reload_listings(last, read, errors))
    secret = site_secret(site, options)
    plan = plan_for(site, last.renderer.theme, options, secret, previous=last.plan)
    renderer = Renderer(plan, last.renderer.theme, reuse=last.renderer)
    parts = changed_parts(last.renderer.site_view, renderer.site_view)
    before = {page.output: page for page in last.plan.pages}
    rendered: list[bytes] = []
    page_parts: dict[str, tuple[str, ...]] = {}
    fresh: list[str] = []
    for page in plan.pages:
        old_page = before.get(page.output)
        old_bytes = last.outputs.get(page.output)
        used = last.page_parts.get(page.output)
        if (
            isinstance(old_bytes, bytes)
            and used is not None
            and not parts.intersection(used)
            and old_page is not None
            and _same_page(old_page, page, used)
        ):
            rendered.append(old_bytes)
            page_parts[page.output] = used
            continue
        data, used, _templates = renderer.render_tracked(page)
        rendered.append(data)
        page_parts[page.output] = used
        fresh.append(page.output)
    outputs = assemble(plan, renderer, rendered, secret, options)
    return finished(plan, renderer, secret, outputs, page_parts, started), Rendered(pages=tuple(fresh))


def _preview(last: BuildResult, read: Mapping[Path, Listing | None], preview: Callable[[str, bytes], None]) -> None:
    """The pages of the edited listings that already had one, rendered by the last build's
    renderer (see update). Only in a shop that had no private listing (``last.secret`` is None)
    and gets none from these edits: every other listing is as the last build planned it.
    Made before the new listings are merged (a few milliseconds at 10,000 listings): the file that
    had the listing's address keeps it, so no other listing can take it."""
    assert last.renderer is not None and last.secret is None
    listings = last.site.listings  # sorted by slug (model.merge_listings)
    for path, listing in read.items():
        if listing is None:
            continue
        i = bisect.bisect_left(listings, listing.slug, key=_slug)
        old = listings[i] if i < len(listings) else None
        if old is None or old.slug != listing.slug or old.source.path != path or old.private:
            continue
        page = listing_page(listing)
        preview(page.output, last.renderer.preview_page(page, listing))


def _slug(listing: Listing) -> str:
    return listing.slug


def _same_page(old: PlannedPage, new: PlannedPage, used: tuple[str, ...]) -> bool:
    """Whether the page's own inputs are unchanged. A tag page's TagGroup lists every listing with
    the tag; unless the page read `tag.listings`, only the tag, its URL and its count matter (the
    listings the page shows are compared as page.listings)."""
    if old == new:
        return True
    if old.tag is None or new.tag is None or TAG_PART + "listings" in used:
        return False
    return (
        old.tag.tag == new.tag.tag
        and old.tag.url == new.tag.url
        and len(old.tag.listings) == len(new.tag.listings)
        and dataclasses.replace(old, tag=None) == dataclasses.replace(new, tag=None)
    )
