"""One freshness rule: a page is rendered again when anything its render receives changed, also a
field a later feature adds to the planned page, from the command line and in the dev server."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from conftest import MUG_YAML, options, write_files

from generator import pipeline
from generator.plan import PlannedPage
from generator.render import Renderer


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class FeaturedPage(PlannedPage):
    """A planned page with a field makerfront does not have today (say, a featured note)."""

    featured: str = ""


def _with_feature(monkeypatch: pytest.MonkeyPatch, note: list[str]) -> None:
    """The plan gives the maker page the note note[0]; its render prints it."""
    real_plan, real_render = pipeline.plan_site, Renderer.render_page

    def plan(*args, **kw):  # type: ignore[no-untyped-def]
        result = real_plan(*args, **kw)
        pages = tuple(
            FeaturedPage(**{f.name: getattr(p, f.name) for f in dataclasses.fields(p)}, featured=note[0])
            if p.kind == "maker"
            else p
            for p in result.pages
        )
        return dataclasses.replace(result, pages=pages)

    def render(self, page, context=None):  # type: ignore[no-untyped-def]
        html = real_render(self, page, context)
        return html.replace(b"</main>", f"<p>{getattr(page, 'featured', '')}</p></main>".encode())

    monkeypatch.setattr(pipeline, "plan_site", plan)
    monkeypatch.setattr(Renderer, "render_page", render)


def test_a_new_planned_field_re_renders_its_page_from_the_command_line(
    make_site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    note = ["Kiln opening on Saturday"]
    _with_feature(monkeypatch, note)
    content = make_site()
    out = tmp_path / "out"
    pipeline.build_to(options(content), out)
    assert "Kiln opening on Saturday" in (out / "maker" / "index.html").read_text()
    note[0] = "Studio closed in August"
    write_files(content, {"listings/blue-mug.yaml": MUG_YAML.replace("price: 28", "price: 29")})
    pipeline.build_to(options(content), out)  # a cached, incremental build
    assert "Studio closed in August" in (out / "maker" / "index.html").read_text()


def test_a_new_planned_field_re_renders_its_page_in_the_dev_server(make_site, monkeypatch: pytest.MonkeyPatch) -> None:
    note = ["Kiln opening on Saturday"]
    _with_feature(monkeypatch, note)
    content = make_site()
    first = pipeline.build(options(content, jobs=1))
    assert b"Kiln opening on Saturday" in first.outputs["maker/index.html"]  # type: ignore[operator]
    note[0] = "Studio closed in August"
    write_files(content, {"listings/blue-mug.yaml": MUG_YAML.replace("price: 28", "price: 29")})
    edited = [content / "listings" / "blue-mug.yaml"]
    again = pipeline.build(options(content, jobs=1), first.reuse(content=True, theme=True, edited=edited))
    assert b"Studio closed in August" in again.outputs["maker/index.html"]  # type: ignore[operator]
    assert "maker/index.html" in again.rendered
