"""benchmarks/bench.py warns when the outputs it set aside (--keep-trash) crowd the disk."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import bench  # benchmarks/ is on sys.path (conftest.py)
import pytest

GIB = 1 << 30


def _free(monkeypatch: pytest.MonkeyPatch, free: int) -> None:
    monkeypatch.setattr(bench.shutil, "disk_usage", lambda path: SimpleNamespace(total=100 * GIB, used=0, free=free))


def test_no_note_without_trash_or_while_the_disk_has_room(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench, "TRASH", tmp_path / "trash")
    _free(monkeypatch, 1 * GIB)
    assert bench.trash_note(tmp_path) is None  # nothing set aside yet
    kept = tmp_path / "trash" / "tmp1" / "output" / "listings" / "mug"
    kept.mkdir(parents=True)
    (kept / "index.html").write_bytes(b"x" * 1000)
    _free(monkeypatch, 50 * GIB)
    assert bench.trash_note(tmp_path) is None


def test_note_names_the_folder_its_size_and_the_free_space(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    trash = tmp_path / "trash"
    monkeypatch.setattr(bench, "TRASH", trash)
    kept = trash / "tmp1" / "output"
    kept.mkdir(parents=True)
    with (kept / "big").open("wb") as fh:
        fh.truncate(3 * GIB // 2)  # sparse: its size counts, not its blocks
    _free(monkeypatch, 50 * GIB)
    assert bench.trash_note(tmp_path) == (
        f"note: {trash} holds 1.5 GiB of earlier builds (50.0 GiB free on its disk); "
        f"delete it between series (rm -rf {trash}), not just before a run"
    )
    (kept / "big").unlink()
    (kept / "small").write_bytes(b"x")
    _free(monkeypatch, 2 * GIB)  # little of it, but the disk is nearly full
    note = bench.trash_note(tmp_path)
    assert note is not None and "holds 0.0 GiB" in note and "(2.0 GiB free" in note
