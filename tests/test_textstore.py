"""Rendered descriptions stay in the build cache's text store (buildcache.TextStore), not in the
build process: listings point into its files, and each page reads its own description back. The
output must be exactly that of an in-memory build, through edits, duplicates and a damaged cache."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import MUG_YAML, build_into, build_site, options

from generator import buildcache
from generator.model import StoredHTML
from generator.pipeline import build_to
from generator.write import read_content


def _listings(n: int, description: str | None = None) -> dict[str, str]:
    out = {}
    for i in range(n):
        text = description if description is not None else f"Mug **number {i}**, thrown by hand."
        out[f"listings/mug-{i:03d}.yaml"] = MUG_YAML.replace("Blue Mug", f"Mug {i}").replace(
            "description: A sturdy **mug**.", f"description: {text}"
        )
    return out


def _same_as_in_memory(content: Path, out: Path) -> None:
    in_memory = build_site(content, jobs=1)
    for rel, data in in_memory.outputs.items():
        assert (out / rel).read_bytes() == read_content(data), rel


def _text_files(out: Path) -> list[Path]:
    return sorted(buildcache.cache_dir_for(out).glob("text-*.html"))


@pytest.mark.parametrize("jobs", [1, 2])
def test_descriptions_are_read_back_from_the_store(make_site, tmp_path: Path, jobs: int) -> None:
    content = make_site(_listings(12))
    out = tmp_path / "out"
    result = build_into(content, out, jobs=jobs)
    assert all(isinstance(x.description, StoredHTML) for x in result.site.listings)
    views = [result.renderer.listing_view(x) for x in result.site.listings] if result.renderer else []
    assert views and all(isinstance(v.description, StoredHTML) for v in views)
    by_slug = {x.slug: x for x in result.site.listings}
    assert "<strong>number 3</strong>" in str(by_slug["mug-003"].description)
    _same_as_in_memory(content, out)
    # An in-memory build (the dev server's) keeps them in memory.
    assert not any(isinstance(x.description, StoredHTML) for x in build_site(content, jobs=jobs).site.listings)


def test_listings_with_the_same_description_rendered_by_two_workers(make_site, tmp_path: Path) -> None:
    # Each worker renders the shared text and writes it to its own file; the listings of both
    # point into their worker's file, so both files must outlive the build.
    content = make_site(_listings(12, description="The *same* words for every mug."))
    out = tmp_path / "out"
    build_into(content, out, jobs=2)
    _same_as_in_memory(content, out)
    mug = content / "listings" / "mug-004.yaml"
    mug.write_text(mug.read_text().replace("price: 28", "price: 30"))
    build_into(content, out, jobs=2)
    _same_as_in_memory(content, out)


def test_a_deleted_or_cut_data_file_only_costs_rendering_again(make_site, tmp_path: Path) -> None:
    content = make_site(_listings(12))
    out = tmp_path / "out"
    build_into(content, out, jobs=2)
    files = _text_files(out)
    assert files
    files[0].unlink()
    for other in files[1:]:
        other.write_bytes(other.read_bytes()[:10])
    for i in (2, 7):  # and something to build
        mug = content / "listings" / f"mug-{i:03d}.yaml"
        mug.write_text(mug.read_text().replace("price: 28", "price: 29"))
    build_into(content, out, jobs=2)
    _same_as_in_memory(content, out)


def test_text_no_longer_used_is_dropped(make_site, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(buildcache, "COMPACT_SLACK", 0)
    long = "Long words about clay and glaze, " * 40
    content = make_site({k: v.replace("thrown by hand.", long) for k, v in _listings(12).items()})
    out = tmp_path / "out"
    build_into(content, out, jobs=2)
    for i in (n for n in range(12) if n % 4):  # most of them, much shorter: each file keeps some in use
        mug = content / "listings" / f"mug-{i:03d}.yaml"
        mug.write_text(_listings(12, description=f"Short, mug {i}.")[f"listings/mug-{i:03d}.yaml"])
    build_into(content, out, jobs=2)
    _same_as_in_memory(content, out)
    store = buildcache.open_text_store(buildcache.cache_dir_for(out))  # compacts: mostly unused
    used = sum(length for _, _, length in store.index.values())
    on_disk = sum(p.stat().st_size for p in _text_files(out))
    assert len(store.index) == 13  # 12 mugs and the base shop's listing (the maker's bio stays in memory)
    assert 0 < used <= on_disk <= 2 * used
    build_into(content, out, jobs=2)
    _same_as_in_memory(content, out)


def test_a_stored_description_prints_as_safe_html_and_compares_by_key(tmp_path: Path) -> None:
    store = buildcache.open_text_store(tmp_path)
    a = store.add(b"k" * 16, '<p>a <a href="x">link</a></p>')
    b = store.find(b"k" * 16)
    assert a == b and hash(a) == hash(b) and repr(a) == repr(b) == f"StoredHTML({(b'k' * 16).hex()})"
    from markupsafe import Markup, escape

    assert escape(a) == Markup('<p>a <a href="x">link</a></p>')  # not escaped again
    assert a == '<p>a <a href="x">link</a></p>' and len(a) == 29 and a
    empty = store.add(b"e" * 16, "")
    assert not empty


def test_the_build_cache_holds_the_store_and_clean_builds_start_afresh(make_site, tmp_path: Path) -> None:
    content = make_site(_listings(3))
    out = tmp_path / "out"
    build_to(options(content, jobs=1), out)
    assert _text_files(out) and not any(p.is_relative_to(out) for p in _text_files(out))
    assert not list(out.rglob("text-*"))  # never in the published folder
