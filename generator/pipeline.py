"""The build, step by step: load -> model -> plan -> render -> (write). The only module that knows
the order of the steps."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path

from . import feeds
from .errors import ErrorList, SiteError
from .guard import check_outputs
from .load import load_content
from .model import Site, build_site
from .plan import HEADERS_FILE, SitePlan, headers_rules, is_expired, plan_site, private_url
from .render import Renderer
from .secret import Secret, listing_token, resolve_secret, secret_file_for
from .theme import Theme, load_theme
from .write import Content, WriteStats, add_output, write_site


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildOptions:
    content: Path
    themes: Path
    base_url: str | None = None
    """Overrides site.yaml base_url for this build (preview deploys)."""
    today: date | None = None
    """The build date (expiry of private listings); passed in so builds are reproducible."""
    secret: str | None = None
    """Site secret for private listing addresses; None: MAKERFRONT_SECRET or the secret file
    (see secret.py), looked up only when the site has private listings."""
    leak_guard: bool = True
    """Check every output for private listings outside their own folder (guard.py). Only tests
    turn it off, to show that a leaky theme really leaks."""


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

    @property
    def private_count(self) -> int:
        """Private listing pages built (their addresses are never printed by a build)."""
        return len(self.plan.private_listings)


def load_site(options: BuildOptions) -> Site:
    errors = ErrorList()
    files = load_content(options.content, errors)
    site = build_site(files, errors, options.base_url)
    errors.raise_if_any()
    assert site is not None
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


def plan_for(site: Site, theme: Theme, options: BuildOptions, secret: Secret | None) -> SitePlan:
    token = partial(listing_token, secret.value) if secret is not None else None
    return plan_site(site, theme.static_files(), options.today or date.today(), token)


def build(options: BuildOptions, site: Site | None = None) -> BuildResult:
    """Build the whole site in memory. Raises BuildFailed/SiteError; never touches the output.

    Pass an already loaded `site` to re-render it after a theme change (the dev server does).
    """
    started = time.perf_counter()
    if site is None:
        site = load_site(options)
    theme = load_theme(site.config.theme, options.themes)
    secret = site_secret(site, options)
    plan = plan_for(site, theme, options, secret)
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
    add_output(outputs, origins, HEADERS_FILE, _headers_file(plan), "makerfront (_headers)")
    if options.leak_guard:
        check_outputs(plan, outputs, secret.value if secret else None, theme)
    return BuildResult(
        site=site,
        plan=plan,
        outputs=outputs,
        warnings=[*(secret.notes if secret else ()), *plan.skipped],
        seconds=time.perf_counter() - started,
    )


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


def build_to(options: BuildOptions, output: Path) -> tuple[BuildResult, WriteStats]:
    secret_path = secret_file_for(options.content)
    if secret_path.is_relative_to(output.resolve()):
        # The stale-file sweep would delete it, and the next build would make a new secret.
        raise SiteError(
            "the content folder is inside the output folder, so the secret file would be too",
            path=output,
            hint="build into a folder outside the project, e.g. --output output",
        )
    result = build(options)
    try:
        stats = write_site(result.outputs, output)
    except OSError as exc:
        raise SiteError(f"cannot write the site: {exc}", path=output) from exc
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
    today = options.today or date.today()
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
