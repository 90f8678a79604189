"""Worker processes (parallel.py): what they hand back is what a serial build makes."""

from __future__ import annotations

from pathlib import Path

from conftest import BUILD_DATE, SITE_YAML

from generator import parallel, pipeline
from generator.errors import ErrorList
from generator.load import load_yaml_file
from generator.model import Reading, load_listing
from generator.pipeline import BuildOptions, build_to


def test_listings_from_workers_equal_serial_ones(make_site, tmp_path: Path) -> None:
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
    from_workers = parallel.load_listings(paths, config, content, Reading(), 2)
    assert set(from_workers) == set(paths)
    for path in paths:
        assert from_workers[path] == load_listing(load_yaml_file(path), ErrorList(), config, content)


def test_prices_of_listings_loaded_by_workers_are_written_in_the_shops_language(make_site, tmp_path: Path) -> None:
    files: dict[str, str | bytes | None] = {
        f"listings/item-{i:02d}.yaml": f"title: Item {i}\nprice: {1234 + i}.50\nimages:\n  - {{src: images/mug.png, alt: Mug}}\n"
        for i in range(6)
    }
    content = make_site({**files, "site.yaml": SITE_YAML + "language: de\ncurrency: EUR\n"})
    build_to(BuildOptions(content=content, themes=tmp_path / "themes", jobs=2, today=BUILD_DATE), tmp_path / "out")
    page = (tmp_path / "out" / "listings" / "item-03" / "index.html").read_text(encoding="utf-8")
    assert "1.237,50\xa0€" in page  # German: a dot between thousands, a comma before the cents
