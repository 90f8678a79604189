"""Shared fixtures: write a small storefront into tmp_path and build it."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from PIL import Image

from generator.pipeline import BuildOptions, BuildResult, Renderer, build, build_to
from generator.theme import BUILTIN_THEMES

# Tests never depend on the machine's speed: no property test fails for taking long on a busy
# machine (hypothesis's per-example deadline and its too-slow check are off for every test).
settings.register_profile("makerfront", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("makerfront")

REPO = Path(__file__).resolve().parent.parent
BUILD_DATE = date(2026, 11, 27)


TEST_SECRET = "test-suite-secret-not-for-real-shops-0123456789"


@pytest.fixture(autouse=True, scope="session")
def _site_secret_and_date() -> Iterator[None]:
    """Every test (module-scoped builds and every build.py it runs included) gets a fixed site
    secret and a fixed build date from the environment: no test creates or reads a
    .makerfront-secret file next to the repository's content/, and none depends on the real date
    (the suite passes with the clock in 2019 or 2031). Tests of the secret file itself remove the
    variable with monkeypatch.delenv; tests of other dates pass --today."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MAKERFRONT_SECRET", TEST_SECRET)
        mp.setenv("MAKERFRONT_TODAY", BUILD_DATE.isoformat())
        yield


def png_bytes(color: tuple[int, int, int] = (180, 90, 60), size: tuple[int, int] = (800, 600)) -> bytes:
    """A plain photo, as wide as a listing photo needs to be (a narrower one is warned about)."""
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format="PNG")
    return buf.getvalue()


SITE_YAML = """\
title: Test Studio
base_url: https://shop.example/
contact:
  email: hello@shop.example
"""

MAKER_YAML = """\
name: Ada Potter
location: Portland, Oregon
bio: I make *mugs*.
custom_orders:
  enabled: true
  accepts: Mugs with your own drawing
  production_time: 2-3 weeks
"""

MUG_YAML = """\
title: Blue Mug
price: 28
images:
  - {src: images/mug.png, alt: A blue mug}
description: A sturdy **mug**.
tags: [mugs]
customizations:
  - name: Colour
    type: choice
    options:
      - Blue
      - label: Yellow
        price: 4
"""


def default_files() -> dict[str, str | bytes]:
    return {
        "site.yaml": SITE_YAML,
        "maker.yaml": MAKER_YAML,
        "listings/blue-mug.yaml": MUG_YAML,
        "images/mug.png": png_bytes(),
    }


def write_files(root: Path, files: Mapping[str, str | bytes | None]) -> None:
    for rel, content in files.items():
        path = root / rel
        if content is None:
            path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")


MakeSite = Callable[..., Path]


@pytest.fixture
def make_site(tmp_path: Path) -> MakeSite:
    """make_site({"listings/x.yaml": "...", "images/y.png": None}) -> content folder.

    Starts from a small valid shop; entries override its files, None deletes one.
    """

    def _make(files: Mapping[str, str | bytes | None] | None = None, *, base: bool = True) -> Path:
        content = tmp_path / "content"
        merged: dict[str, str | bytes | None] = dict(default_files()) if base else {}
        merged.update(files or {})
        write_files(content, merged)
        return content

    return _make


def options(content: Path, **kw: object) -> BuildOptions:
    themes = kw.pop("themes", content.parent / "themes")
    return BuildOptions(content=content, themes=themes, today=BUILD_DATE, **kw)  # type: ignore[arg-type]


def build_site(content: Path, **kw: object) -> BuildResult:
    return build(options(content, **kw))


def build_into(content: Path, out: Path, **kw: object) -> BuildResult:
    result, _ = build_to(options(content, **kw), out)
    return result


def text_of(result: BuildResult, path: str) -> str:
    data = result.outputs[path]
    if isinstance(data, Path):  # build_to: a page written to the output folder, or a copied file
        assert path in result.digests, f"{path} is a copied file"
        data = data.read_bytes()
    return data.decode("utf-8")


def leak_private_listings_into_public_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a theme that read the listing files itself did before themes were sandboxed: every
    page gets each private listing's title, buyer and photo file names."""
    real = Renderer.render_tracked

    def leaky(self, page, context=None):  # type: ignore[no-untyped-def]
        html, parts, templates = real(self, page, context)
        catalog = "".join(
            f"<li>{x.title} for {x.buyer} {' '.join(i.src.name for i in x.images)}</li>"
            for x in self.plan.site.listings
            if x.private
        )
        html = html.replace(b"</footer>", f"<ul>{catalog}</ul></footer>".encode())
        return html, parts, templates

    monkeypatch.setattr(Renderer, "render_tracked", leaky)


__all__ = ["BUILTIN_THEMES", "REPO", "TEST_SECRET", "build_into", "build_site", "options", "png_bytes", "text_of"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-snapshots",
        action="store_true",
        help="write the sample shop's build into tests/snapshots/shop/ instead of comparing with it",
    )
