"""The build, step by step: load -> model -> plan -> render -> (write). The only module that knows
the order of the steps."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from . import feeds
from .errors import ErrorList, SiteError
from .load import load_content
from .model import Site, build_site
from .plan import SitePlan, plan_site
from .render import Renderer
from .theme import load_theme
from .write import Content, WriteStats, add_output, write_site


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildOptions:
    content: Path
    themes: Path
    base_url: str | None = None
    """Overrides site.yaml base_url for this build (preview deploys)."""
    today: date | None = None
    """The build date (expiry of private listings); passed in so builds are reproducible."""


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


def load_site(options: BuildOptions) -> Site:
    errors = ErrorList()
    files = load_content(options.content, errors)
    site = build_site(files, errors, options.base_url)
    errors.raise_if_any()
    assert site is not None
    return site


def build(options: BuildOptions, site: Site | None = None) -> BuildResult:
    """Build the whole site in memory. Raises BuildFailed/SiteError; never touches the output.

    Pass an already loaded `site` to re-render it after a theme change (the dev server does).
    """
    started = time.perf_counter()
    if site is None:
        site = load_site(options)
    theme = load_theme(site.config.theme, options.themes)
    plan = plan_site(site, theme.static_files(), options.today or date.today())
    renderer = Renderer(plan, theme)
    outputs: dict[str, Content] = {}
    origins: dict[str, str] = {}
    for page in plan.pages:
        origin = (
            page.page.source.path.name if page.page else (page.listing.source.path.name if page.listing else page.kind)
        )
        add_output(outputs, origins, page.output, renderer.render_page(page), origin)
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
    return BuildResult(
        site=site,
        plan=plan,
        outputs=outputs,
        warnings=list(plan.skipped),
        seconds=time.perf_counter() - started,
    )


def _origin(path: Path, options: BuildOptions) -> str:
    for base in (options.content, options.themes):
        try:
            return path.relative_to(base).as_posix()
        except ValueError:
            continue
    return path.as_posix()


def build_to(options: BuildOptions, output: Path) -> tuple[BuildResult, WriteStats]:
    result = build(options)
    try:
        stats = write_site(result.outputs, output)
    except OSError as exc:
        raise SiteError(f"cannot write the site: {exc}", path=output) from exc
    return result, stats
