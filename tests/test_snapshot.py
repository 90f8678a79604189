"""The sample shop's whole build, file by file, against tests/snapshots/shop/ (a golden copy).

A change to what makerfront publishes shows up here as a diff to review. When the change is
meant, write the new copy with `.venv/bin/python -m pytest tests/test_snapshot.py
--update-snapshots` and commit it with the change: the diff of tests/snapshots/ is what every
buyer-facing page now looks like. Photos and other binary files are compared by their SHA-256
(tests/snapshots/shop.binary.txt). The build is made reproducible, not normalised afterwards:
fixed secret (conftest), fixed date, and every content file given the same modification time
(sitemap and feed dates come from those)."""

from __future__ import annotations

import difflib
import hashlib
import os
import shutil
from pathlib import Path

import pytest
from conftest import REPO, build_into

SNAPSHOT = REPO / "tests" / "snapshots" / "shop"
BINARY = REPO / "tests" / "snapshots" / "shop.binary.txt"
MTIME = 1_795_000_000  # 2026-11-18, any fixed moment
TEXT = {".html", ".xml", ".txt", ".css", ".js", ".json", ".webmanifest", ".svg", ""}


def _build_sample(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    for path in [content, *content.rglob("*")]:
        os.utime(path, (MTIME, MTIME))
    out = tmp_path / "output"
    build_into(content, out, themes=tmp_path / "themes")
    return out


def _files(root: Path) -> dict[str, Path]:
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}


def _is_text(name: str) -> bool:
    return Path(name).suffix in TEXT or name.startswith("_")


def test_the_sample_shop_builds_exactly_the_golden_copy(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    built = _files(_build_sample(tmp_path))
    text = {name: path for name, path in built.items() if _is_text(name)}
    binary = "".join(
        f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {name}\n"
        for name, path in built.items()
        if not _is_text(name)
    )
    if request.config.getoption("--update-snapshots"):
        shutil.rmtree(SNAPSHOT, ignore_errors=True)
        for name, path in text.items():
            (SNAPSHOT / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, SNAPSHOT / name)
        BINARY.write_text(binary, encoding="utf-8")
        pytest.skip("snapshot written: review `git diff tests/snapshots/` and commit it")
    assert SNAPSHOT.is_dir(), "no snapshot yet: run pytest tests/test_snapshot.py --update-snapshots"
    golden = _files(SNAPSHOT)
    added, gone = sorted(set(text) - set(golden)), sorted(set(golden) - set(text))
    assert not added and not gone, f"published text files changed: new {added}, gone {gone}"
    differences = []
    for name, path in text.items():
        new, old = path.read_text(encoding="utf-8"), golden[name].read_text(encoding="utf-8")
        if new != old:
            diff = difflib.unified_diff(
                old.splitlines(), new.splitlines(), f"snapshot/{name}", f"built/{name}", lineterm=""
            )
            differences.append("\n".join(list(diff)[:40]))
    assert not differences, "\n\n".join(differences) + "\n\n(meant? run with --update-snapshots and commit)"
    assert binary == BINARY.read_text(encoding="utf-8"), "a published photo or binary file changed"


def test_the_build_is_byte_identical_when_run_again(tmp_path: Path) -> None:
    first = {name: path.read_bytes() for name, path in _files(_build_sample(tmp_path / "a")).items()}
    second = {name: path.read_bytes() for name, path in _files(_build_sample(tmp_path / "b")).items()}
    assert first == second
