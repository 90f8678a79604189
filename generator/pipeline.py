"""The build, step by step: load -> model -> plan -> render -> check -> (write). The only module
that knows the order of the steps."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import TypeVar

from . import buildcache, feeds, fields, parallel, text
from .config import SiteConfig, load_config
from .depends import PageKeys
from .errors import ErrorList, SiteError, display_path
from .guard import check_outputs
from .load import _list_files, load_content, load_yaml_file
from .model import Listing, Site, build_site
from .parallel import Progress
from .plan import HEADERS_FILE, PlannedPage, SitePlan, headers_rules, is_expired, plan_site, private_url
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
    renderer: Renderer | None = None
    """The renderer of this build (its theme, views and compiled templates), for an incremental
    rebuild of the same site (incremental.py)."""
    secret: Secret | None = None
    page_parts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Output path of each page -> the parts of `site` it read (render.TrackingEnvironment)."""
    digests: dict[str, bytes] = field(default_factory=dict)
    """write.content_digest of the outputs that are files the build made or checked (spooled
    pages, pages reused from the output folder), so the writer need not read them to hash them."""

    @property
    def page_count(self) -> int:
        return len(self.plan.pages)

    @property
    def private_count(self) -> int:
        """Private listing pages built (their addresses are never printed by a build)."""
        return len(self.plan.private_listings)


def load_site(
    options: BuildOptions, preloaded: Mapping[Path, Listing] | None = None, warnings: list[SiteError] | None = None
) -> Site:
    """Load and validate the content; ``preloaded`` listings (built by workers) are not re-read.
    The files' warnings are added to ``warnings`` (or to the BuildFailed raised)."""
    errors = ErrorList()
    files = load_content(options.content, errors, skip_listings=preloaded or ())
    site = build_site(files, errors, options.base_url, preloaded)
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
    return plan_site(site, theme.static_files(), options.today, token, previous)


def build(
    options: BuildOptions, site: Site | None = None, previous: Mapping[str, Content] | None = None
) -> BuildResult:
    """Build the whole site in memory. Raises BuildFailed/SiteError; never touches the output.

    Pass an already loaded `site` to re-render it after a theme change (the dev server does).

    With a build cache (options.cache) and the outputs of the previous build from the same
    cache (``previous``: a BuildResult's outputs, or build_to's view of the output folder), a
    page whose inputs are unchanged (depends.py) is taken from ``previous`` instead of rendered.
    Reused pages are checked by the leak guard like fresh ones.
    """
    return _build(options, site, previous)


def _build(options: BuildOptions, site: Site | None, previous: Mapping[str, Content] | None) -> BuildResult:
    started = time.perf_counter()
    content_warnings: list[SiteError] = []
    if site is None:
        # With a build cache, rendered descriptions stay in its text store (buildcache.TextStore):
        # the listings point into its files, and each page reads its own description back.
        store = buildcache.open_text_store(options.cache) if options.cache else None
        site = _load_site_parallel(options, store, content_warnings)
        if store is not None:
            store.save()
    theme = load_theme(site.config.theme, options.themes)
    secret = site_secret(site, options)
    plan = plan_for(site, theme, options, secret)
    renderer = Renderer(plan, theme)
    pages = plan.pages
    # Pages of a build with another secret are never reused (their private addresses differ).
    keys = PageKeys(renderer, salt=fingerprint_of(secret.value).encode() if secret else b"")
    known = buildcache.load_pages(options.cache) if options.cache and previous is not None else {}
    spool = options.spool
    rendered: list[Content | None] = [None] * len(pages)
    digests: dict[str, bytes] = {}
    entries: dict[str, buildcache.PageEntry] = {}
    for i, page in enumerate(pages):
        entry = known.get(page.output)
        if entry is None or previous is None or keys.key(page, entry[1], entry[2]) != entry[0]:
            continue
        reused = _reuse(previous, page.output, entry[3], spool is not None)
        if reused is not None:
            rendered[i] = reused
            entries[page.output] = entry
            if isinstance(reused, Path):
                digests[page.output] = entry[3]
    todo = [i for i, done in enumerate(rendered) if done is None]

    def render(i: int) -> tuple[Content, bytes, tuple[str, ...], tuple[str, ...], bytes, bytes]:
        # A listing page's cache key is made here too (in a worker, for most), from the same
        # context; with it comes the hash of its listing's view, which the pages listing many
        # listings (home, tags) hash again, so this process need not work it out a second time.
        page = pages[i]
        context = renderer.context(page)
        html, site_parts, templates = renderer.render_tracked(page, context)
        digest = content_digest(html)
        key = view_hash = b""
        if options.cache and page.listing is not None:
            key = keys.key(page, site_parts, templates, context)
            view_hash = keys.value_hash(context["listing"]) if page.private is None else b""
        if spool is None:
            return html, digest, site_parts, templates, key, view_hash
        return _spool_page(spool, page.output, html), digest, site_parts, templates, key, view_hash

    todo, fresh = _render_pages(site, pages, todo, render, options)
    page_parts = {output: entry[1] for output, entry in entries.items()}
    for i, (*_, view_hash) in zip(todo, fresh, strict=True):
        listing = pages[i].listing
        if view_hash and listing is not None:
            keys.learn(renderer.listing_view(listing), view_hash)
    for i, (page_data, digest, site_parts, templates, key, _) in zip(todo, fresh, strict=True):
        rendered[i] = page_data
        page_parts[pages[i].output] = site_parts
        if isinstance(page_data, Path):
            digests[pages[i].output] = digest
        if options.cache:
            key = key or keys.key(pages[i], site_parts, templates)
            entries[pages[i].output] = (key, site_parts, templates, digest)
    del fresh
    outputs = assemble(plan, renderer, [x for x in rendered if x is not None], secret, options)
    if options.cache:
        buildcache.save_pages(options.cache, entries)
    result = finished(plan, renderer, secret, outputs, page_parts, started, digests)
    result.content_warnings = content_warnings
    return result


def finished(
    plan: SitePlan,
    renderer: Renderer,
    secret: Secret | None,
    outputs: dict[str, Content],
    page_parts: dict[str, tuple[str, ...]],
    started: float,
    digests: dict[str, bytes] | None = None,
) -> BuildResult:
    """The BuildResult of a build (full here, or incremental.update) that started at ``started``."""
    return BuildResult(
        site=plan.site,
        plan=plan,
        outputs=outputs,
        warnings=[*(secret.notes if secret else ()), *plan.skipped],
        seconds=time.perf_counter() - started,
        renderer=renderer,
        secret=secret,
        page_parts=page_parts,
        digests=digests or {},
    )


def assemble(
    plan: SitePlan, renderer: Renderer, rendered: Sequence[Content], secret: Secret | None, options: BuildOptions
) -> dict[str, Content]:
    """Every output of the build: the rendered pages (``rendered[i]`` is ``plan.pages[i]``: bytes, or
    the file of a spooled page), the files for search engines and feed readers, the copied assets
    and _headers; then the leak guard checks all of them, before anything is written or cached."""
    pages = plan.pages
    theme = renderer.theme
    outputs: dict[str, Content] = {}
    origins: dict[str, str] = {}
    for page, data in zip(pages, rendered, strict=True):
        add_output(outputs, origins, page.output, data, _page_origin(page))
    # Search engines, feed readers and browsers: built from the plan's public pages only.
    machine_readable = {
        **feeds.sitemap_files(plan),
        feeds.ROBOTS_FILE: feeds.robots_txt(plan),
        feeds.FEED_FILE: feeds.atom_feed(plan, renderer.listing_view),
        feeds.MANIFEST_FILE: feeds.web_manifest(plan, renderer.site_view.extra.get("accent")),
    }
    own_files = {asset.output for asset in plan.assets}
    for name, data in machine_readable.items():
        if name not in own_files:  # a maker's content/static/robots.txt (etc.) replaces ours
            add_output(outputs, origins, name, data, f"generated {name}")
    for asset in plan.assets:
        add_output(outputs, origins, asset.output, asset.source, _origin(asset.source, options))
    add_output(outputs, origins, HEADERS_FILE, _headers_file(plan), "makerfront (_headers)")
    # Every output, reused pages included, before anything is written or cached.
    if options.leak_guard:
        check_outputs(plan, outputs, secret.value if secret else None, theme)
    return outputs


R = TypeVar("R")


def _render_pages(
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


def _reuse(previous: Mapping[str, Content], output: str, digest: bytes, as_file: bool) -> Content | None:
    """The previous build's ``output`` if it still is the HTML with this digest: its bytes, or
    (``as_file``, from the output folder) the file itself, so it is not held in memory."""
    if as_file and isinstance(previous, OutputFolder):
        return previous.file(output, digest)
    old = previous.get(output)
    return old if isinstance(old, bytes) and content_digest(old) == digest else None


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


def _load_site_parallel(options: BuildOptions, store: buildcache.TextStore | None, warnings: list[SiteError]) -> Site:
    """load_site, with the listings of a large site built by worker processes (parallel.py)."""
    text.use_text_store(store)
    try:
        with fields.checking_files_once():
            preloaded: dict[Path, Listing] = {}
            listing_files = _listing_files(options)
            workers = parallel.worker_count(options.jobs, len(listing_files))
            config = _site_config(options) if workers > 1 else None
            if config is not None:
                preloaded = parallel.load_listings(
                    listing_files, config, options.content, store, workers, options.progress
                )
            return load_site(options, preloaded, warnings)
    finally:
        text.use_text_store(None)


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
        result = build(replace(options, spool=spool), previous=OutputFolder(output, manifest))
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
    plan = plan_site(site, theme.static_files(), options.today, lambda slug: f"check-{slug}")
    templates = check_templates(theme)
    photos = {image.src for listing in site.listings for image in listing.images}
    return CheckReport(
        listings=len(site.listings),
        pages=len(site.pages),
        photos=len(photos),
        templates=templates,
        content_warnings=warnings,
        notes=[*notes, *plan.skipped],
    )
