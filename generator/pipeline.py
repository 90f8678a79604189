"""The build, step by step: load -> model -> plan -> render -> check -> (write). The only module
that knows the order of the steps."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from . import buildcache, parallel, text
from .config import SiteConfig, load_config
from .depends import PageKeys
from .errors import ErrorList, SiteError
from .load import _list_files, load_content, load_yaml_file
from .model import Listing, Site, build_site
from .parallel import Progress
from .plan import PlannedPage, SitePlan, plan_site
from .render import Renderer
from .theme import load_theme
from .write import Content, Manifest, WriteStats, add_output, sync_site


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildOptions:
    content: Path
    themes: Path
    base_url: str | None = None
    """Overrides site.yaml base_url for this build (preview deploys)."""
    today: date | None = None
    """The build date (expiry of private listings); passed in so builds are reproducible."""
    jobs: int | None = None
    """Worker processes for Markdown and rendering; None: one per CPU when the site is large
    enough to gain from it, else 1. A caller that runs threads (the dev server) may pass 1."""
    cache: Path | None = None
    """Folder of the persistent build cache (rendered Markdown); None: no cache. build_to uses
    `.makerfront-cache/` next to the output unless given one here."""
    progress: Progress | None = None
    """Called as pages are rendered (the command line's progress bar on a terminal)."""


@dataclass(slots=True, kw_only=True)
class BuildResult:
    site: Site
    plan: SitePlan
    outputs: dict[str, Content]
    """Output path -> bytes (rendered) or Path (copied file)."""
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def page_count(self) -> int:
        return len(self.plan.pages)


def load_site(options: BuildOptions, preloaded: Mapping[Path, Listing] | None = None) -> Site:
    """Load and validate the content; ``preloaded`` listings (built by workers) are not re-read."""
    errors = ErrorList()
    files = load_content(options.content, errors, skip_listings=preloaded or ())
    site = build_site(files, errors, options.base_url, preloaded)
    errors.raise_if_any()
    assert site is not None
    return site


def build(options: BuildOptions, previous: Mapping[str, Content] | None = None) -> BuildResult:
    """Build the whole site in memory. Raises BuildFailed/SiteError; never touches the output.

    With a build cache (options.cache) and the outputs of the previous build from the same
    cache (``previous``: a BuildResult's outputs, or build_to's view of the output folder), a
    page whose inputs are unchanged (depends.py) is taken from ``previous`` instead of rendered.
    """
    started = time.perf_counter()
    markdown = buildcache.load_markdown(options.cache) if options.cache else buildcache.MarkdownCache({})
    text.use_markdown_cache(markdown)
    try:
        preloaded: dict[Path, Listing] = {}
        listing_files = _listing_files(options)
        workers = parallel.worker_count(options.jobs, len(listing_files))
        config = _site_config(options) if workers > 1 else None
        if config is not None:
            preloaded = parallel.load_listings(
                listing_files, config, options.content, markdown, workers, options.progress
            )
        site = load_site(options, preloaded)
    finally:
        text.use_markdown_cache(None)
    theme = load_theme(site.config.theme, options.themes)
    plan = plan_site(site, theme.static_files(), options.today or date.today())
    renderer = Renderer(plan, theme)
    pages = plan.pages
    keys = PageKeys(renderer)
    known = buildcache.load_pages(options.cache) if options.cache and previous is not None else {}
    rendered: list[bytes | None] = [None] * len(pages)
    entries: dict[str, buildcache.PageEntry] = {}
    for i, page in enumerate(pages):
        entry = known.get(page.output)
        if entry is None or previous is None:
            continue
        old = previous.get(page.output)
        if isinstance(old, bytes) and keys.key(page, entry[1], entry[2]) == entry[0] and _digest(old) == entry[3]:
            rendered[i] = old
            entries[page.output] = entry
    todo = [i for i, done in enumerate(rendered) if done is None]
    fresh = parallel.render_pages(
        len(todo),
        lambda j: renderer.render_tracked(pages[todo[j]]),
        parallel.worker_count(options.jobs, len(todo)),
        options.progress,
    )
    for i, (html, site_parts, templates) in zip(todo, fresh, strict=True):
        rendered[i] = html
        if options.cache:
            entries[pages[i].output] = (keys.key(pages[i], site_parts, templates), site_parts, templates, _digest(html))
    outputs: dict[str, Content] = {}
    origins: dict[str, str] = {}
    for page, data in zip(pages, rendered, strict=True):
        assert data is not None
        add_output(outputs, origins, page.output, data, _page_origin(page))
    for asset in plan.assets:
        add_output(outputs, origins, asset.output, asset.source, _origin(asset.source, options))
    # The finished outputs, before anything is written; checks over every output go here.
    if options.cache:
        buildcache.save_markdown(options.cache, markdown)
        buildcache.save_pages(options.cache, entries)
    return BuildResult(
        site=site,
        plan=plan,
        outputs=outputs,
        warnings=list(plan.skipped),
        seconds=time.perf_counter() - started,
    )


def _listing_files(options: BuildOptions) -> list[Path]:
    # The same files, in the same order, as load_content reads (its errors are reported there).
    return _list_files(options.content / "listings", ".yaml", ErrorList(), ())


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


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def _page_origin(page: PlannedPage) -> str:
    if page.page:
        return page.page.source.path.name
    return page.listing.source.path.name if page.listing else page.kind


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
        if _digest(data) != digest:
            raise KeyError(rel)
        return data

    def __iter__(self) -> Iterator[str]:
        return iter(self.manifest)

    def __len__(self) -> int:
        return len(self.manifest)


def build_key(options: BuildOptions) -> buildcache.BuildKey:
    return buildcache.BuildKey(
        content=options.content, themes=options.themes, base_url=options.base_url, today=options.today or date.today()
    )


def build_to(options: BuildOptions, output: Path) -> tuple[BuildResult, WriteStats]:
    """Build, then bring ``output`` in line with the result (only after the whole build succeeded).

    Uses and updates the build cache next to the output folder: rendered Markdown, the manifest
    of written files, and the fingerprint of the inputs that lets the command line skip a build
    when nothing changed (buildcache.unchanged_since_last_build).
    """
    cache = options.cache or buildcache.cache_dir_for(output)
    if options.cache is None:
        from dataclasses import replace

        options = replace(options, cache=cache)
    key = build_key(options)
    taken_at = buildcache.now()
    inputs = buildcache.fingerprint(key.roots())
    manifest = buildcache.load_outputs(cache)
    result = build(options, OutputFolder(output, manifest))
    buildcache.forget_inputs(cache)
    try:
        stats, manifest = sync_site(result.outputs, output, manifest)
    except OSError as exc:
        raise SiteError(f"cannot write the site: {exc}", path=output) from exc
    buildcache.save_outputs(cache, manifest)
    summary = buildcache.Summary(pages=result.page_count, files=len(result.outputs), notes=list(result.warnings))
    buildcache.record_inputs(cache, key, inputs, taken_at, summary, manifest)
    return result, stats
