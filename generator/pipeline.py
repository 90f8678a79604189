"""The build, step by step: load -> model -> plan -> images -> render -> guard -> (write). The
only module that knows the order of the steps (`build`; `build_to` writes its result)."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import TypeVar

from . import buildcache, feeds, images, parallel
from .config import SiteConfig, load_config
from .depends import PageInputs, PageKeys
from .errors import ErrorList, SiteError, display_path
from .guard import check_image_metadata, check_outputs
from .i18n import Messages, load_messages
from .load import _list_files, load_content, load_yaml_file, outside_error
from .model import Listing, Reading, Site, build_site, load_listing, merge_listings
from .parallel import Progress
from .plan import (
    HEADERS_FILE,
    PlannedPage,
    SitePlan,
    content_static_files,
    headers_rules,
    is_expired,
    plan_site,
    private_url,
)
from .render import Renderer, check_templates
from .secret import Secret, fingerprint_of, listing_token, resolve_secret, secret_file_for, secret_fingerprint
from .theme import Theme, load_theme
from .write import (
    Content,
    Manifest,
    WriteStats,
    add_output,
    check_output_path,
    content_digest,
    finish_interrupted,
    new_spool,
    sync_site,
    write_file,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildOptions:
    content: Path
    themes: Path
    base_url: str | None = None
    """Overrides site.yaml base_url for this build (preview deploys)."""
    today: date
    """The build date (expiry of private listings). Always passed in, so the same content builds
    the same site on any day: only the command line reads the clock (cli.build_date)."""
    jobs: int | None = None
    """Worker processes for Markdown and rendering; None: one per CPU when the site is large
    enough to gain from it, else 1. A caller that runs threads (the dev server) must pass 1:
    forking a process with other threads running can deadlock the child."""
    cache: Path | None = None
    """Folder of the persistent build cache (rendered Markdown, page keys); None: no cache.
    build_to uses `.makerfront-cache/` next to the output unless given one here."""
    progress: Progress | None = None
    """Called as pages are rendered (the command line's progress bar on a terminal)."""
    secret: str | None = None
    """Site secret for private listing addresses; None: MAKERFRONT_SECRET or the secret file
    (see secret.py), looked up only when the site has private listings."""
    leak_guard: bool = True
    """Check every output for private listings outside their own folder (guard.py). Only tests
    turn it off, to show that a leaky theme really leaks."""
    spool: Path | None = None
    """An empty folder outside the output folder, on the same disk (build_to makes one in the
    build cache): each rendered page is written there as a file instead of being kept in memory,
    and BuildResult.outputs maps it to that file's Path (BuildResult.digests has its hash). The
    caller moves the files into place (write.sync_site) and removes the folder. None: pages are
    kept as bytes (tests, the dev server)."""


@dataclass(frozen=True, slots=True)
class PageRecord:
    """What a build knows of a page it made, for the next build's freshness check (depends.py)."""

    key: bytes | None
    """The hash of the page's inputs (depends.PageKeys.key), or None until it is asked for (a
    page reading `site.listings` hashes every listing's view: the dev server never needs it)."""
    site_parts: tuple[str, ...]
    """The parts of `site` (and of a tag page's `tag`) its render read."""
    templates: tuple[str, ...]
    """The templates its render loaded."""
    digest: bytes
    """write.content_digest of its HTML: the last output is reused only if it still is that HTML."""
    inputs: PageInputs | None = None
    """The inputs themselves, while the build is in memory (the dev server); None when read back
    from the build cache, which keeps only the key."""

    def entry(self, keys: PageKeys) -> buildcache.PageEntry:
        """The record as the build cache keeps it (the key made now if it was not yet)."""
        key = self.key
        if key is None:
            assert self.inputs is not None
            key = keys.key(self.inputs)
        return (key, self.site_parts, self.templates, self.digest)


@dataclass(frozen=True, slots=True, kw_only=True)
class Reuse:
    """What an earlier build of the same content left, for this build to take instead of making it
    again. It only ever saves work: a build gives byte for byte the same result with or without it
    (tests/test_incremental*.py compare them)."""

    pages: Mapping[str, PageRecord] = field(default_factory=dict)
    """Output path -> that build's record of the page: a page whose inputs are unchanged is taken
    from ``outputs`` instead of rendered."""
    outputs: Mapping[str, Content] = field(default_factory=dict)
    """That build's outputs: in memory (the dev server) or the output folder (OutputFolder)."""
    site: Site | None = None
    """The content as that build loaded it, when no content file has changed since but the
    ``edited`` listing files; None: load all of it."""
    edited: tuple[Path, ...] = ()
    """Listing files (options.content/listings/*.yaml) created, changed or deleted since: read
    again, on top of ``site``."""
    theme: Theme | None = None
    """That build's theme, when no theme file has changed since; None: load it."""
    plan: SitePlan | None = None
    """That build's plan: the pages of listings that are the very same objects are taken from it."""
    renderer: Renderer | None = None
    """That build's renderer: its compiled templates and the views of unchanged listings are
    reused when the theme, settings and maker are the very same objects."""
    image_cache: images.ImageCache | None = None
    """Photos that build made, kept in memory (the dev server, which has no build cache on disk)."""


@dataclass(slots=True, kw_only=True)
class BuildResult:
    site: Site
    plan: SitePlan
    outputs: dict[str, Content]
    """Output path -> bytes (rendered) or Path (copied file)."""
    warnings: list[str] = field(default_factory=list)
    content_warnings: list[SiteError] = field(default_factory=list)
    """Likely mistakes in the content files that did not fail the build (load.RawDoc.warnings),
    each with its file and line; the command line prints them as 'warning: ...'."""
    seconds: float = 0.0
    theme: Theme
    renderer: Renderer
    secret: Secret | None = None
    pages: dict[str, PageRecord] = field(default_factory=dict)
    """Output path of each page -> what the next build needs to tell whether it is still fresh."""
    rendered: tuple[str, ...] = ()
    """Output paths of the pages this build rendered (the others were reused)."""
    digests: dict[str, bytes] = field(default_factory=dict)
    """write.content_digest of the outputs that are files the build made or checked (spooled
    pages, pages reused from the output folder), so the writer need not read them to hash them."""
    page_keys: PageKeys | None = None
    """What made the pages' inputs: it hashes them for the build cache (cache_entries)."""
    photos: images.ImageSet = field(default_factory=images.ImageSet)
    """What the image step made of every photo."""
    image_cache: images.ImageCache | None = None
    """Where those photos are kept for the next build (see Reuse.image_cache)."""

    def cache_entries(self) -> dict[str, buildcache.PageEntry]:
        """The page records as the build cache keeps them."""
        keys = self.page_keys or PageKeys(self.renderer)
        return {rel: record.entry(keys) for rel, record in self.pages.items()}

    @property
    def page_count(self) -> int:
        return len(self.plan.pages)

    @property
    def private_count(self) -> int:
        """Private listing pages built (their addresses are never printed by a build)."""
        return len(self.plan.private_listings)

    def reuse(self, *, content: bool = False, theme: bool = False, edited: Sequence[Path] = ()) -> Reuse:
        """What the next build of the same content may take from this one (the dev server): always
        its pages; its content, but for the ``edited`` listing files, when ``content`` (no other
        content file changed); its theme when ``theme`` (no theme file changed)."""
        return Reuse(
            pages=self.pages,
            outputs=self.outputs,
            site=self.site if content else None,
            edited=tuple(edited),
            theme=self.theme if theme else None,
            plan=self.plan,
            renderer=self.renderer,
            image_cache=self.image_cache,
        )


def load_site(
    options: BuildOptions,
    preloaded: Mapping[Path, Listing] | None = None,
    warnings: list[SiteError] | None = None,
    reading: Reading | None = None,
) -> Site:
    """Load and validate the content; ``preloaded`` listings (built by workers) are not re-read.
    The files' warnings are added to ``warnings`` (or to the BuildFailed raised)."""
    errors = ErrorList()
    files = load_content(options.content, errors, skip_listings=preloaded or ())
    site = build_site(files, errors, options.base_url, preloaded, reading)
    errors.raise_if_any()
    assert site is not None
    if warnings is not None:
        warnings.extend(errors.warnings)
    return site


def site_secret(site: Site, options: BuildOptions) -> Secret | None:
    """The site secret, when the site has private listings (the secret file is created only then)."""
    if not any(x.private for x in site.listings):
        return None
    if options.secret is not None:
        if not options.secret.strip():
            raise SiteError("the site secret for private listings must not be empty")
        return Secret(value=options.secret, source="build options")
    return resolve_secret(options.content)


def plan_for(
    site: Site, theme: Theme, options: BuildOptions, secret: Secret | None, previous: SitePlan | None = None
) -> SitePlan:
    token = partial(listing_token, secret.value) if secret is not None else None
    static = content_static_files(site.content_root)
    messages = theme_messages(site, theme)
    return plan_site(site, theme.static_files(), options.today, token, previous, static, messages)


def theme_messages(site: Site, theme: Theme) -> Messages:
    """The shop's words: site.yaml `strings:` over the theme's catalogs over makerfront's."""
    cfg = site.config
    return load_messages(cfg.language, theme.locale_dirs, cfg.strings)


def build(options: BuildOptions, reuse: Reuse | None = None) -> BuildResult:
    """Build the whole site in memory: load -> model -> plan -> render -> guard. Raises
    BuildFailed/SiteError; never touches the output folder (build_to writes the result).

    ``reuse``: what an earlier build of the same content left (BuildResult.reuse, or build_to's
    build cache and output folder), so that only what changed is read and rendered again.
    """
    reuse = reuse or Reuse()
    started = time.perf_counter()
    content_warnings: list[SiteError] = []
    site = _load(options, reuse, content_warnings)
    theme = reuse.theme or load_theme(site.config.theme, options.themes)
    secret = site_secret(site, options)
    plan = plan_for(site, theme, options, secret, reuse.plan)
    image_cache = _image_cache(options, reuse)
    photos = make_photos(plan, options, image_cache)
    renderer = Renderer(plan, theme, photos, reuse=reuse.renderer)
    pages = render_pages(plan, renderer, secret, reuse, options)
    outputs = assemble(plan, renderer, pages.outputs, options, photos)
    guard(plan, outputs, secret, theme, options, photos)
    if options.cache is None:  # else build_to, once the site is written
        image_cache.finish(photos.keys)
    return BuildResult(
        site=site,
        plan=plan,
        outputs=outputs,
        warnings=[*(secret.notes if secret else ()), *plan.skipped],
        content_warnings=content_warnings,
        seconds=time.perf_counter() - started,
        theme=theme,
        renderer=renderer,
        secret=secret,
        pages=pages.records,
        rendered=pages.rendered,
        digests={**pages.digests, **photos.digests},
        page_keys=pages.keys,
        photos=photos,
        image_cache=image_cache,
    )


def _image_cache(options: BuildOptions, reuse: Reuse) -> images.ImageCache:
    """The build cache's photos on disk, or else those the last build kept in memory."""
    if options.cache is not None:
        return buildcache.ImageCache(options.cache)
    return reuse.image_cache or images.MemoryImageCache()


def make_photos(plan: SitePlan, options: BuildOptions, cache: images.ImageCache | None) -> images.ImageSet:
    """The image step: every photo of the plan, upright, resized and without metadata; those
    not in ``cache`` made by worker processes."""

    def run(task: Callable[[int], object], count: int) -> list[object]:
        return parallel.map_photos(task, count, parallel.photo_workers(options.jobs, count), options.progress)

    return images.make_images(plan.photos, plan.site.config.images, cache, run)


def _load(options: BuildOptions, reuse: Reuse, warnings: list[SiteError]) -> Site:
    """The load and model steps: the whole content, or only the edited listing files on top of
    the content an earlier build loaded."""
    if reuse.site is None:
        return _load_site_parallel(options, warnings)
    if not reuse.edited:
        return reuse.site
    errors = ErrorList()
    read = read_listings(reuse.site, reuse.edited, options, errors)
    by_path = {x.source.path: x for x in reuse.site.listings}
    for path, listing in read.items():
        by_path.pop(path, None)
        if listing is not None:
            by_path[path] = listing
    listings = merge_listings(by_path.items(), errors)
    errors.raise_if_any()
    return replace(reuse.site, listings=listings)


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


@dataclass(slots=True)
class RenderedPages:
    """The render step's result: every page of the plan, rendered or reused."""

    outputs: list[Content]
    """``outputs[i]`` is ``plan.pages[i]``: its HTML, or the file holding it (a spooled page, or
    the last build's page in the output folder)."""
    records: dict[str, PageRecord]
    rendered: tuple[str, ...]
    digests: dict[str, bytes]
    """Output path -> content_digest, for the pages that are files."""
    keys: PageKeys


def render_pages(
    plan: SitePlan, renderer: Renderer, secret: Secret | None, reuse: Reuse, options: BuildOptions
) -> RenderedPages:
    """Render every page of the plan whose inputs (depends.py) differ from the ones it had in the
    build ``reuse`` comes from; take the others from that build's outputs."""
    pages = plan.pages
    # Pages of a build with another secret are never reused (their private addresses differ).
    keys = PageKeys(renderer, salt=fingerprint_of(secret.value).encode() if secret else b"")
    spool = options.spool
    done: list[Content | None] = [None] * len(pages)
    records: dict[str, PageRecord] = {}
    digests: dict[str, bytes] = {}
    for i, page in enumerate(pages):
        last = reuse.pages.get(page.output)
        if last is None:
            continue
        inputs = keys.inputs(page, last.site_parts, last.templates)
        if not (inputs == last.inputs if last.inputs is not None else keys.key(inputs) == last.key):
            continue
        data = _reuse(reuse.outputs, page.output, last, spool is not None)
        if data is not None:
            done[i] = data
            records[page.output] = replace(last, inputs=inputs)
            if isinstance(data, Path):
                digests[page.output] = last.digest

    def render(i: int) -> tuple[Content, bytes, tuple[str, ...], tuple[str, ...], bytes, bytes]:
        # A listing page's key is made here too (in a worker, for most), from the same context;
        # with it comes the hash of its listing's view, which the pages listing many listings
        # (home, tags) hash again, so this process need not work it out a second time.
        page = pages[i]
        context = renderer.context(page)
        html, site_parts, templates = renderer.render_tracked(page, context)
        digest = content_digest(html)
        key = view_hash = b""
        if page.listing is not None:
            key = keys.key(keys.inputs(page, site_parts, templates, context))
            view_hash = keys.value_hash(context["listing"]) if page.private is None else b""
        data = html if spool is None else _spool_page(spool, page.output, html)
        return data, digest, site_parts, templates, key, view_hash

    todo, fresh = _render_in_order(plan.site, pages, [i for i, x in enumerate(done) if x is None], render, options)
    for i, (*_, view_hash) in zip(todo, fresh, strict=True):
        listing = pages[i].listing
        if view_hash and listing is not None:
            keys.learn(renderer.listing_view(listing), view_hash)
    for i, (data, digest, site_parts, templates, key, _) in zip(todo, fresh, strict=True):
        page = pages[i]
        done[i] = data
        inputs = keys.inputs(page, site_parts, templates)
        records[page.output] = PageRecord(key or None, site_parts, templates, digest, inputs)
        if isinstance(data, Path):
            digests[page.output] = digest
    outputs = [x for x in done if x is not None]
    assert len(outputs) == len(pages)
    return RenderedPages(outputs, records, tuple(pages[i].output for i in todo), digests, keys)


def assemble(
    plan: SitePlan, renderer: Renderer, rendered: Sequence[Content], options: BuildOptions, photos: images.ImageSet
) -> dict[str, Content]:
    """Every output of the build: the rendered pages (``rendered[i]`` is ``plan.pages[i]``: bytes, or
    the file of a spooled page), the files for search engines and feed readers, the copied assets
    and _headers."""
    pages = plan.pages
    outputs: dict[str, Content] = {}
    origins: dict[str, str] = {}
    for page, data in zip(pages, rendered, strict=True):
        add_output(outputs, origins, page.output, data, _page_origin(page))
    # Search engines, feed readers and browsers: built from the plan's public pages only.
    machine_readable = {
        **feeds.sitemap_files(plan),
        feeds.ROBOTS_FILE: feeds.robots_txt(plan),
        feeds.FEED_FILE: feeds.atom_feed(plan, renderer.listing_view, photos.favicon),
        feeds.MANIFEST_FILE: feeds.web_manifest(plan, renderer.site_view.extra.get("accent"), photos.favicon),
    }
    own_files = {asset.output for asset in plan.assets}
    for name, data in machine_readable.items():
        if name not in own_files:  # a maker's content/static/robots.txt (etc.) replaces ours
            add_output(outputs, origins, name, data, f"generated {name}")
    for asset in plan.assets:
        add_output(outputs, origins, asset.output, asset.source, _origin(asset.source, options))
    for name, data in sorted(photos.files.items()):
        add_output(outputs, origins, name, data, "a photo")
    add_output(outputs, origins, HEADERS_FILE, _headers_file(plan), "makerfront (_headers)")
    return outputs


def guard(
    plan: SitePlan,
    outputs: Mapping[str, Content],
    secret: Secret | None,
    theme: Theme,
    options: BuildOptions,
    photos: images.ImageSet,
) -> None:
    """The leak guard (guard.py) on every output, reused pages included, before anything is
    written or cached: raises BuildFailed if one outside ``p/<token>/`` shows a private listing,
    or if an image would publish a GPS position or a camera serial number."""
    if options.leak_guard:
        check_outputs(plan, outputs, secret.value if secret else None, theme)
        check_image_metadata(plan, outputs, photos.cached)


R = TypeVar("R")


def _render_in_order(
    site: Site, pages: Sequence[PlannedPage], todo: list[int], render: Callable[[int], R], options: BuildOptions
) -> tuple[list[int], list[R]]:
    """Render the pages ``todo`` (indices into ``pages``): (the indices in the order rendered,
    their results). In each process public pages are rendered before private ones, as in plan
    order (a theme that kept state from page to page could only carry it into another private
    page; the leak guard checks every page anyway). The one exception: a page a worker failed on
    is rendered again here, to raise its error as a serial build would (parallel.render_pages).

    With worker processes, a worker that reads an object it shares with the parent gets its own
    copy of that memory. So the workers take only the listing pages, each of which reads its own
    listing, in file order (the order in which the listings were loaded and their views made):
    each worker reads a few stretches of memory instead of a little of everything. The pages
    that show many listings (home, tags) are rendered here once the workers are gone: rendered
    while they run, they would make this process copy every listing view it shares with them
    (reading an object writes its reference count), about 15 MB more at 10,000 listings for a
    second less. One listing page is rendered here before they start, so what rendering one
    loads (templates, formatting data) is shared instead of loaded again by each worker.
    """
    in_file_order = {x.slug: n for n, x in enumerate(site.listings)}

    def listing_order(i: int) -> tuple[bool, int]:
        listing = pages[i].listing
        assert listing is not None
        return (pages[i].private is not None, in_file_order[listing.slug])

    listing_pages = sorted((i for i in todo if pages[i].listing is not None), key=listing_order)
    others = [i for i in todo if pages[i].listing is None]
    workers = parallel.worker_count(options.jobs, len(todo))
    if workers < 2 or len(listing_pages) < 2:
        order = others + listing_pages
        return order, parallel.render_pages(len(order), lambda j: render(order[j]), 1, options.progress)
    warm_up = listing_pages[:1] if pages[listing_pages[0]].private is None else []
    rest = listing_pages[len(warm_up) :]
    # Through render_pages, one process, for its time limit (parallel.PageTimer).
    results = parallel.render_pages(len(warm_up), lambda j: render(warm_up[j]), 1)
    results += parallel.render_pages(len(rest), lambda j: render(rest[j]), workers, options.progress)
    results += parallel.render_pages(len(others), lambda j: render(others[j]), 1)
    return warm_up + rest + others, results


def _reuse(previous: Mapping[str, Content], output: str, last: PageRecord, as_file: bool) -> Content | None:
    """The previous build's ``output`` if it still is the HTML ``last`` describes: its bytes, or
    (``as_file``, from the output folder) the file itself, so it is not held in memory."""
    if as_file and isinstance(previous, OutputFolder):
        return previous.file(output, last.digest)
    old = previous.get(output)
    if not isinstance(old, bytes):
        return None
    # A record that has its inputs is of the very build these outputs are from (BuildResult.reuse).
    return old if last.inputs is not None or content_digest(old) == last.digest else None


def _spool_page(spool: Path, output: str, html: bytes) -> Path:
    """Write one rendered page into the spool folder, at its place in the output (``output``): on
    a clean build the spool becomes the output folder by one rename (write.sync_site), so the
    workers that render the pages also make their folders."""
    check_output_path(output)  # checked again with every output before anything is published
    path = spool / output
    try:
        write_file(path, html)  # readable by web servers: sync_site moves it into place as it is
    except OSError as exc:
        raise SiteError(f"cannot write a rendered page: {exc}", path=spool) from exc
    return path


def _load_site_parallel(options: BuildOptions, warnings: list[SiteError]) -> Site:
    """load_site, with the listings of a large site built by worker processes (parallel.py).
    With a build cache, rendered descriptions stay in its text store (buildcache.TextStore): the
    listings point into its files, and each page reads its own description back."""
    store = buildcache.open_text_store(options.cache) if options.cache else None
    reading = Reading(texts=store)
    preloaded: dict[Path, Listing] = {}
    listing_files = _listing_files(options)
    workers = parallel.worker_count(options.jobs, len(listing_files))
    config = _site_config(options) if workers > 1 else None
    if config is not None:
        preloaded = parallel.load_listings(listing_files, config, options.content, reading, workers, options.progress)
    site = load_site(options, preloaded, warnings, reading)
    if store is not None:
        store.save()
    return site


def _listing_files(options: BuildOptions) -> list[Path]:
    # The same files, in the same order, as load_content reads (its errors are reported there).
    root = options.content
    return _list_files(root, root / "listings", ".yaml", ErrorList(), ())


def _site_config(options: BuildOptions) -> SiteConfig | None:
    """site.yaml, for worker processes that build listings; None if it has any problem (the
    serial model step then reports it)."""
    errors = ErrorList()
    try:
        doc = load_yaml_file(options.content / "site.yaml")
    except SiteError:
        return None
    config = load_config(doc, errors, options.content, options.base_url)
    return None if errors else config


def _page_origin(page: PlannedPage) -> str:
    if page.page:
        return page.page.source.path.name
    return page.listing.source.path.name if page.listing else page.kind


def _headers_file(plan: SitePlan) -> bytes:
    """The maker's own content/static/_headers (if any), then makerfront's rules for p/."""
    own = b""
    if plan.headers_source is not None:
        try:
            own = plan.headers_source.read_bytes().rstrip(b"\n") + b"\n\n"
        except OSError as exc:
            raise SiteError(f"cannot read this file: {exc}", path=plan.headers_source) from exc
    return own + headers_rules(plan.site.config.base_path).encode("utf-8")


def _origin(path: Path, options: BuildOptions) -> str:
    for base in (options.content, options.themes):
        try:
            return path.relative_to(base).as_posix()
        except ValueError:
            continue
    return path.as_posix()


class OutputFolder(Mapping[str, Content]):
    """The files of the last good build still in the output folder, as bytes: only those whose
    size, mtime and hash are as the output manifest recorded (anything else counts as absent)."""

    def __init__(self, folder: Path, manifest: Manifest) -> None:
        self.folder = folder
        self.manifest = manifest

    def __getitem__(self, rel: str) -> bytes:
        size, mtime_ns, digest = self.manifest[rel]
        path = self.folder / rel
        try:
            st = os.stat(path)
            if (st.st_size, st.st_mtime_ns) != (size, mtime_ns):
                raise KeyError(rel)
            data = path.read_bytes()
        except OSError as exc:
            raise KeyError(rel) from exc
        if content_digest(data) != digest:
            raise KeyError(rel)
        return data

    def file(self, rel: str, digest: bytes) -> Path | None:
        """``rel``'s file, if the manifest recorded it with ``digest`` and its size and mtime are
        still as recorded. Not read back: sync_site trusts the manifest the same way, and the leak
        guard reads every output, reused or not, before anything is published."""
        known = self.manifest.get(rel)
        if known is None or known[2] != digest:
            return None
        path = self.folder / rel
        try:
            st = os.stat(path)
        except OSError:
            return None
        return path if (st.st_size, st.st_mtime_ns) == known[:2] else None

    def __iter__(self) -> Iterator[str]:
        return iter(self.manifest)

    def __len__(self) -> int:
        return len(self.manifest)


def build_key(options: BuildOptions) -> buildcache.BuildKey:
    """What, besides the files, decides the output: a fingerprint of the secret (never the
    secret itself) so a rotated secret is never answered with the old private addresses."""
    secret = fingerprint_of(options.secret) if options.secret is not None else secret_fingerprint(options.content)
    return buildcache.BuildKey(
        content=options.content,
        themes=options.themes,
        base_url=options.base_url,
        today=options.today,
        secret=secret,
    )


def build_to(
    options: BuildOptions,
    output: Path,
    *,
    wait: bool = False,
    on_wait: Callable[[int | None], None] | None = None,
    clear_cache: bool = False,
) -> tuple[BuildResult, WriteStats]:
    """Build, then bring ``output`` in line with the result (only after the whole build succeeded).

    Uses and updates the build cache next to the output folder (never inside it: the cache names
    private p/<token>/ paths): rendered Markdown, page keys, the manifest of written files, and
    the fingerprint of the inputs that lets the command line skip a build when nothing changed
    (buildcache.unchanged_since_last_build).

    One build of an output folder runs at a time (buildcache.BuildLock): while another one runs,
    this raises SiteError, or with ``wait`` waits for it (``on_wait`` is told first, with its
    process id). Then, before anything else, what a killed build of this output left is finished
    or deleted (write.finish_interrupted). ``clear_cache``: start from an empty cache.
    """
    secret_path = secret_file_for(options.content)
    if secret_path.is_relative_to(output.resolve()):
        # The stale-file sweep would delete it, and the next build would make a new secret.
        raise SiteError(
            "the content folder is inside the output folder, so the secret file would be too",
            path=output,
            hint="build into a folder outside the project, e.g. --output output",
        )
    cache = options.cache or buildcache.cache_dir_for(output)
    if cache.resolve().is_relative_to(output.resolve()):
        raise SiteError(
            "the build cache would be inside the output folder (it names private listing addresses)",
            path=cache,
            hint="give a cache folder outside the output folder",
        )
    buildcache.make_private(cache)
    try:
        lock = buildcache.BuildLock.acquire(cache, wait=wait, on_wait=on_wait)
    except buildcache.BuildLocked as exc:
        holder = f" (pid {exc.pid})" if exc.pid else ""
        raise SiteError(
            f"another build of {display_path(output)}/ is running{holder}",
            hint="wait for it to finish, or build with --wait to have this build wait for it",
        ) from None
    with lock:
        try:
            finish_interrupted(output, cache)
        except OSError as exc:
            raise SiteError(f"cannot finish writing the site of a build that was stopped: {exc}", path=output) from exc
        if clear_cache:
            buildcache.clear(cache)
        return _build_to(replace(options, cache=cache), output, cache)


def _build_to(options: BuildOptions, output: Path, cache: Path) -> tuple[BuildResult, WriteStats]:
    key = build_key(options)
    taken_at = buildcache.now()
    inputs = buildcache.inputs_seen(buildcache.fingerprint(key.roots()))
    manifest = buildcache.load_outputs(cache)
    # Rendered pages wait as files in the cache folder (outside the output, which is never
    # touched before the build succeeded; on the same disk): the new site is made there.
    spool = new_spool(cache)
    try:
        last = {rel: PageRecord(*entry) for rel, entry in buildcache.load_pages(cache).items()}
        result = build(replace(options, spool=spool), Reuse(pages=last, outputs=OutputFolder(output, manifest)))
        buildcache.save_pages(cache, result.cache_entries())
        buildcache.forget_inputs(cache)
        try:
            stats, manifest = sync_site(result.outputs, output, manifest, result.digests, spool, work=cache)
        except OSError as exc:
            raise SiteError(f"cannot write the site: {exc}", path=output) from exc
    finally:
        shutil.rmtree(spool, ignore_errors=True)
    # The pages are now files in the output folder; the result points at those.
    result.outputs.update({rel: output / rel for rel in result.digests})
    buildcache.save_outputs(cache, manifest)
    if result.image_cache is not None:
        result.image_cache.finish(result.photos.keys)
    summary = buildcache.Summary(pages=result.page_count, files=len(result.outputs), notes=list(result.warnings))
    if not result.content_warnings:  # else the next build runs again, and shows them again
        buildcache.record_inputs(cache, key, inputs, taken_at, summary, manifest)
    return result, stats


@dataclass(frozen=True, slots=True, kw_only=True)
class PrivateLink:
    """One private listing for `build.py links`."""

    slug: str
    title: str
    buyer: str | None
    expires: date | None
    expired: bool
    url: str
    """Full address: base_url + p/<token>/."""
    source: Path

    def as_json(self) -> dict[str, object]:
        return {
            "slug": self.slug,
            "title": self.title,
            "buyer": self.buyer,
            "expires": self.expires.isoformat() if self.expires else None,
            "expired": self.expired,
            "url": self.url,
            "file": self.source.as_posix(),
        }


def private_links(options: BuildOptions) -> tuple[list[PrivateLink], list[str]]:
    """Every private listing with its full address (expired ones too, marked), and notes about
    the secret. Loads and validates the content like a build, but renders and writes nothing."""
    site = load_site(options)
    secret = site_secret(site, options)
    today = options.today
    links: list[PrivateLink] = []
    for listing in site.listings:
        if not listing.private:
            continue
        assert secret is not None
        links.append(
            PrivateLink(
                slug=listing.slug,
                title=listing.title,
                buyer=listing.buyer,
                expires=listing.expires,
                expired=is_expired(listing, today),
                url=site.config.base_url + private_url(listing_token(secret.value, listing.slug)),
                source=listing.source.path,
            )
        )
    return links, list(secret.notes if secret else ())


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckReport:
    """What `makerfront check` looked at, when it found no mistake."""

    listings: int
    pages: int
    photos: int
    templates: int
    content_warnings: list[SiteError]
    notes: list[str]
    language: str = "en"
    untranslated: tuple[str, ...] = ()
    """The shop's texts that have no translation in its language (shown in English)."""


def check_site(options: BuildOptions) -> CheckReport:
    """Every check of a build that needs no rendering: the content and its photos (load, model),
    the pages and addresses (plan) and every template of the theme (compiled, not run). Raises
    BuildFailed/SiteError like build(); reads the site secret only if it exists, and writes nothing."""
    warnings: list[SiteError] = []
    site = load_site(options, warnings=warnings)
    theme = load_theme(site.config.theme, options.themes)
    # The secret is looked up as a build would (an empty MAKERFRONT_SECRET, or none on a CI
    # host, is the same error), but never created: planning uses stand-in addresses.
    notes: list[str] = []
    if any(x.private for x in site.listings) and options.secret is None:
        notes += resolve_secret(options.content, create=False).notes
    static = content_static_files(site.content_root)
    plan = plan_site(
        site,
        theme.static_files(),
        options.today,
        lambda slug: f"check-{slug}",
        content_static=static,
        messages=theme_messages(site, theme),
    )
    templates = check_templates(theme)
    photos = {image.src for listing in site.listings for image in listing.images}
    return CheckReport(
        listings=len(site.listings),
        pages=len(site.pages),
        photos=len(photos),
        templates=templates,
        content_warnings=warnings,
        notes=[*notes, *plan.skipped],
        language=site.config.language,
        untranslated=plan.messages.missing,
    )
