"""Worker processes (parallel.py): what they hand back is what a serial build makes, shared as
one instance per distinct value, and they leave the garbage collector as they found it."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import pytest
from conftest import BUILD_DATE, SITE_YAML

from generator import parallel, pipeline
from generator.errors import BuildFailed, ErrorList
from generator.load import load_yaml_file
from generator.model import load_listing
from generator.pipeline import BuildOptions, build_to


def test_listings_from_workers_equal_serial_ones_and_share_what_is_equal(make_site, tmp_path: Path) -> None:
    files: dict[str, str | bytes | None] = {}
    for i in range(12):
        files[f"listings/item-{i:02d}.yaml"] = (
            f"title: Item {i}\nprice: {10 + i}\nimages:\n  - {{src: images/mug.png, alt: Mug}}\n"
            f"tags: [blue, t{i % 3}]\ncustomizations:\n  - name: Glaze\n    type: choice\n"
            f"    options: [Blue, {{label: Green, price: 4}}]\ndescription: Item *{i}*.\n"
        )
    content = make_site(files)
    opts = BuildOptions(content=content, themes=tmp_path / "themes", today=BUILD_DATE)
    paths = pipeline._listing_files(opts)
    config = pipeline._site_config(opts)
    assert config is not None
    from_workers = parallel.load_listings(paths, config, content, None, 2)
    assert set(from_workers) == set(paths)
    for path in paths:
        assert from_workers[path] == load_listing(load_yaml_file(path), ErrorList(), config, content)
    items = [from_workers[p] for p in paths if p.name.startswith("item-")]
    first, *rest = items
    for other in rest:
        assert other.tags[0] is first.tags[0]  # "blue"
        assert other.customizations[0] is first.customizations[0]
        assert other.images[0] is first.images[0]
    assert items[0].tags[1] is items[3].tags[1] and items[0].tags[1] is not items[1].tags[1]


def test_a_worker_slice_runs_without_the_collector_and_leaves_no_cycles() -> None:
    class Node:
        pass

    refs: list[weakref.ref[Node]] = []

    @parallel._collected_after
    def make_cycles(part: range) -> bool:
        for _ in part:
            node = Node()
            node.me = node  # type: ignore[attr-defined]  # garbage only a collection frees
            refs.append(weakref.ref(node))
        return gc.isenabled()

    assert gc.isenabled()
    assert make_cycles(range(50)) is False
    assert gc.isenabled()
    assert refs and all(ref() is None for ref in refs)


def test_the_collector_is_on_again_after_a_build_that_worked_or_failed(make_site, tmp_path: Path) -> None:
    content = make_site()
    assert gc.isenabled()
    build_to(BuildOptions(content=content, themes=tmp_path / "themes", jobs=2, today=BUILD_DATE), tmp_path / "a")
    assert gc.isenabled()
    (content / "listings/broken.yaml").write_text("title: Broken\nprice: twelve\n")
    with pytest.raises(BuildFailed):
        build_to(BuildOptions(content=content, themes=tmp_path / "themes", jobs=2, today=BUILD_DATE), tmp_path / "b")
    assert gc.isenabled()
    gc.disable()
    try:  # a caller that turned it off keeps it off
        with pytest.raises(BuildFailed):
            build_to(
                BuildOptions(content=content, themes=tmp_path / "themes", jobs=2, today=BUILD_DATE), tmp_path / "b"
            )
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_what_a_paused_block_keeps_is_not_walked_by_the_next_collection() -> None:
    # Left in the youngest generation, what a build keeps would be walked by the first
    # collection after it (0.09 s at 10,000 listings) and found alive.
    runs: list[int] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            runs.append(info["generation"])

    assert gc.isenabled()
    gc.callbacks.append(seen)
    try:
        with parallel.collector_paused():
            kept = [[i] for i in range(20_000)]  # far over the youngest generation's threshold
        after = [[], [], []]  # allocations that would start a collection of all of it
    finally:
        gc.callbacks.remove(seen)
    assert runs == []
    assert gc.isenabled() and len(kept) == 20_000 and after


def test_a_paused_block_leaves_what_others_froze_frozen() -> None:
    gc.freeze()  # as the dev server freezes its built site
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        with parallel.collector_paused():
            kept = [[i] for i in range(1000)]
        assert gc.get_freeze_count() == frozen and kept
    finally:
        gc.unfreeze()


def _loaded_in_worker(_: int) -> tuple[int, int]:
    from generator import text

    return text._cmark_engine.cache_info().currsize, text._key_seed.cache_info().currsize


def test_workers_start_with_the_markdown_engine_loaded() -> None:
    from generator import text

    text._cmark_engine.cache_clear()
    text._key_seed.cache_clear()
    with parallel._pool(2) as pool:
        assert set(pool.map(_loaded_in_worker, range(4))) == {(0, 0)}
    parallel._load_once_for_all()
    with parallel._pool(2) as pool:
        assert set(pool.map(_loaded_in_worker, range(4))) == {(1, 1)}


def test_workers_format_the_prices_of_the_listings_they_load(make_site, tmp_path: Path, monkeypatch) -> None:
    from babel.numbers import format_currency

    from generator import render

    files: dict[str, str | bytes | None] = {
        f"listings/item-{i:02d}.yaml": f"title: Item {i}\nprice: {1234 + i}.50\nimages:\n  - {{src: images/mug.png, alt: Mug}}\n"
        for i in range(6)
    }
    content = make_site({**files, "site.yaml": SITE_YAML + "language: de\n"})
    opts = BuildOptions(content=content, themes=tmp_path / "themes", today=BUILD_DATE)
    config = pipeline._site_config(opts)
    assert config is not None
    monkeypatch.setattr(render, "_money", {})
    listings = parallel.load_listings(pipeline._listing_files(opts), config, content, None, 2)
    # Known here without formatting them again: this process never called Babel for them.
    keys = {(x.price, x.currency, "de") for x in listings.values()}
    assert len(keys) == 7 and keys <= set(render._money)
    monkeypatch.setattr(render, "format_currency", lambda *a, **k: pytest.fail("formatted again"))
    for minor, currency, language in keys:
        expected = format_currency(minor / 100, currency, locale=language)
        assert render.format_money(minor, currency, language) == expected  # "1.234,50 $" for USD in German
