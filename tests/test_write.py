"""write.py: atomic sync of the built site into the output folder."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from generator.errors import SiteError
from generator.write import MARKER, add_output, check_output_path, write_site

OLD = 1_000_000_000_000_000_000  # an mtime in 2001, in ns: anything rewritten gets a new one


def age(folder: Path) -> None:
    for path in folder.rglob("*"):
        os.utime(path, ns=(OLD, OLD), follow_symlinks=False)


def test_unchanged_files_are_not_rewritten(tmp_path: Path) -> None:
    out = tmp_path / "out"
    source = tmp_path / "photo.png"
    source.write_bytes(b"PNG!")
    stats = write_site({"index.html": b"<p>home</p>", "a/index.html": b"a", "photo.png": source}, out)
    assert (stats.written, stats.unchanged, stats.removed) == (3, 0, 0)
    age(out)
    stats = write_site({"index.html": b"<p>home</p>", "a/index.html": b"A", "photo.png": source}, out)
    assert (stats.written, stats.unchanged, stats.removed) == (1, 2, 0)
    assert (out / "index.html").stat().st_mtime_ns == OLD
    assert (out / "photo.png").stat().st_mtime_ns == OLD
    assert (out / MARKER).stat().st_mtime_ns == OLD
    assert (out / "a" / "index.html").stat().st_mtime_ns != OLD
    assert (out / "a" / "index.html").read_bytes() == b"A"


def test_written_files_are_world_readable_whatever_the_umask(tmp_path: Path) -> None:
    source = tmp_path / "src.css"
    source.write_text("body{}")
    source.chmod(0o600)
    old = os.umask(0o077)
    try:
        write_site({"index.html": b"x", "static/style.css": source}, tmp_path / "out")
    finally:
        os.umask(old)
    for rel in ("index.html", "static/style.css"):
        assert stat.S_IMODE((tmp_path / "out" / rel).stat().st_mode) == 0o644, rel
    assert not [p for p in (tmp_path / "out").rglob(".tmp-*")]  # no temporary files left behind


@pytest.mark.parametrize("bad", ["../evil.html", "/etc/passwd", "a/../../evil", "a\\..\\evil", "", "..", "./../x"])
def test_paths_outside_the_output_folder_are_refused(tmp_path: Path, bad: str) -> None:
    with pytest.raises(SiteError, match="refusing to write outside the output folder"):
        check_output_path(bad)
    out = tmp_path / "deep" / "out"
    with pytest.raises(SiteError):
        write_site({bad: b"pwned"}, out)
    assert not [p for p in tmp_path.rglob("*") if p.is_file() and p.name != MARKER]


def test_two_sources_for_one_path_name_both(tmp_path: Path) -> None:
    outputs: dict[str, bytes | Path] = {}
    origins: dict[str, str] = {}
    add_output(outputs, origins, "faq/index.html", b"1", "pages/faq.md")
    with pytest.raises(SiteError) as exc:
        add_output(outputs, origins, "faq/index.html", b"2", "static/faq/index.html")
    assert "faq/index.html: pages/faq.md and static/faq/index.html" in str(exc.value)


def test_stale_files_and_empty_folders_are_removed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_site({"index.html": b"h", "listings/a/index.html": b"a", "listings/b/index.html": b"b"}, out)
    stats = write_site({"index.html": b"h", "listings/b/index.html": b"b"}, out)
    assert stats.removed == 1
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == [
        MARKER,
        "index.html",
        "listings",
        "listings/b",
        "listings/b/index.html",
    ]


def test_stale_nested_folders_go_and_folders_of_kept_files_stay(tmp_path: Path) -> None:
    out = tmp_path / "out"
    pages = {"index.html": b"h", "tags/a/page/2/index.html": b"2", "tags/b/index.html": b"b"}
    write_site({**pages, "tags/c/page/2/index.html": b"c2", "tags/c/index.html": b"c"}, out)
    (out / "empty" / "deeper").mkdir(parents=True)
    (out / "tags" / "a" / "index.html").write_text("old")  # beside a kept folder
    (out / "tags" / "a" / "page" / "b").mkdir()  # named like a kept folder elsewhere
    stats = write_site(pages, out)
    assert stats.removed == 3
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == [
        MARKER,
        "index.html",
        "tags",
        "tags/a",
        "tags/a/page",
        "tags/a/page/2",
        "tags/a/page/2/index.html",
        "tags/b",
        "tags/b/index.html",
    ]


def test_a_file_and_a_folder_may_swap_places(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_site({"faq": b"file", "shop/index.html": b"page"}, out)
    write_site({"faq/index.html": b"page", "shop": b"file"}, out)
    assert (out / "faq" / "index.html").read_bytes() == b"page"
    assert (out / "shop").read_bytes() == b"file"


def test_symlinks_in_the_output_are_removed_not_followed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "keep.txt").write_text("keep")
    write_site({"index.html": b"h"}, out)
    (out / "link").symlink_to(precious, target_is_directory=True)
    write_site({"index.html": b"h"}, out)
    assert not (out / "link").exists()
    assert (precious / "keep.txt").read_text() == "keep"


def test_symlinks_where_output_goes_are_replaced_never_written_through(tmp_path: Path) -> None:
    out = tmp_path / "out"
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "keep.txt").write_text("keep")
    (tmp_path / "secret.txt").write_text("secret")
    write_site({"index.html": b"h"}, out)
    (out / "listings").symlink_to(precious, target_is_directory=True)  # a folder we write into
    (out / "faq").symlink_to(precious, target_is_directory=True)  # a path that becomes a file
    (out / "index.html").unlink()
    (out / "index.html").symlink_to(tmp_path / "secret.txt")
    write_site({"index.html": b"new", "listings/a/index.html": b"a", "faq": b"file"}, out)
    assert sorted(p.name for p in precious.iterdir()) == ["keep.txt"]
    assert (precious / "keep.txt").read_text() == "keep"
    assert (tmp_path / "secret.txt").read_text() == "secret"
    assert not any(p.is_symlink() for p in out.rglob("*"))
    assert (out / "listings" / "a" / "index.html").read_bytes() == b"a"
    assert (out / "faq").read_bytes() == b"file"
    assert (out / "index.html").read_bytes() == b"new"


@pytest.mark.parametrize("order", [("faq", "faq/index.html"), ("faq/index.html", "faq")])
def test_a_file_and_a_folder_of_the_same_name_are_refused(order: tuple[str, str]) -> None:
    outputs: dict[str, bytes | Path] = {}
    origins: dict[str, str] = {}
    sources = {"faq": "static/faq", "faq/index.html": "pages/faq.md"}
    add_output(outputs, origins, order[0], b"1", sources[order[0]])
    with pytest.raises(SiteError) as exc:
        add_output(outputs, origins, order[1], b"2", sources[order[1]])
    assert str(exc.value).startswith(
        f"faq would be both a file and a folder: {sources[order[0]]} and {sources[order[1]]}"
    )
    add_output(outputs, origins, "faq2/index.html", b"3", "pages/faq2.md")
    add_output(outputs, origins, "faq2/more.html", b"3", "static/faq2/more.html")


def _snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file (bytes) and folder (None) under ``folder``, hidden ones included."""
    return {p.relative_to(folder).as_posix(): (None if p.is_dir() else p.read_bytes()) for p in folder.rglob("*")}


def _first_site(out: Path) -> dict[str, bytes]:
    files = {"index.html": b"home v1", "a/index.html": b"a v1", "b/index.html": b"b v1", "old/index.html": b"old"}
    write_site(files, out)
    return files


def test_a_write_error_part_way_leaves_the_output_exactly_as_it_was(tmp_path: Path, monkeypatch) -> None:
    from generator import write

    out = tmp_path / "out"
    _first_site(out)
    before = _snapshot(out)
    real_stage = write._stage
    calls: list[Path] = []

    def failing_stage(folder: Path, data: bytes) -> Path:
        if len(calls) == 3:  # three files already staged (one in a new folder), then the disk is full
            raise OSError(28, "No space left on device")
        calls.append(real_stage(folder, data))
        return calls[-1]

    monkeypatch.setattr(write, "_stage", failing_stage)
    new = {"index.html": b"home v2", "a/index.html": b"a v2", "new/deep/index.html": b"new", "b/index.html": b"b v2"}
    with pytest.raises(OSError, match="No space left"):
        write_site(new, out)
    assert len(calls) == 3 and not any(p.exists() for p in calls)
    assert _snapshot(out) == before  # no new file, no temp file, no new folder, nothing removed

    monkeypatch.setattr(write, "_stage", real_stage)
    stats = write_site(new, out)
    assert (stats.written, stats.unchanged, stats.removed) == (4, 0, 1)
    assert {k: v for k, v in _snapshot(out).items() if v is not None} == {**new, MARKER: b""}


def test_a_source_file_that_vanished_leaves_the_output_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _first_site(out)
    before = _snapshot(out)
    with pytest.raises(OSError):
        write_site({"index.html": b"home v2", "zz/photo.png": tmp_path / "gone.png"}, out)
    assert _snapshot(out) == before


def test_a_file_in_the_way_is_only_removed_once_everything_is_staged(tmp_path: Path, monkeypatch) -> None:
    from generator import write

    out = tmp_path / "out"
    write_site({"faq": b"a file", "index.html": b"h"}, out)
    before = _snapshot(out)
    real_stage = write._stage
    calls: list[Path] = []

    def failing_stage(folder: Path, data: bytes) -> Path:
        if calls:
            raise OSError(13, "Permission denied")
        calls.append(real_stage(folder, data))
        return calls[-1]

    monkeypatch.setattr(write, "_stage", failing_stage)
    with pytest.raises(OSError):
        write_site({"faq/index.html": b"page", "index.html": b"h2"}, out)
    assert _snapshot(out) == before
    monkeypatch.setattr(write, "_stage", real_stage)
    write_site({"faq/index.html": b"page", "index.html": b"h2"}, out)
    assert (out / "faq" / "index.html").read_bytes() == b"page"


def test_the_cli_says_truthfully_that_a_failed_write_left_the_output(make_site, tmp_path: Path, monkeypatch, capsys):
    from generator import write
    from generator.cli import main

    content = make_site()
    out = tmp_path / "out"
    args = ["build", "--content", str(content), "--themes", str(tmp_path / "themes"), "--output", str(out)]
    assert main(args) == 0
    before = _snapshot(out)
    mug = content / "listings" / "blue-mug.yaml"
    mug.write_text(mug.read_text().replace("price: 28", "price: 31"))
    (content / "pages").mkdir(exist_ok=True)
    (content / "pages" / "care.md").write_text("---\ntitle: Care\n---\nWash by hand.\n")
    real_stage = write._stage
    staged: list[Path] = []

    def failing_stage(folder: Path, data: bytes) -> Path:
        if len(staged) == 2:
            raise PermissionError(13, "Permission denied", str(folder))
        staged.append(real_stage(folder, data))
        return staged[-1]

    monkeypatch.setattr(write, "_stage", failing_stage)
    capsys.readouterr()
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "cannot write the site" in err and "out/ was left as it was." in err
    assert _snapshot(out) == before
    monkeypatch.setattr(write, "_stage", real_stage)
    assert main(args) == 0  # the next build is not fooled by the failed one
    assert "$31.00" in (out / "listings" / "blue-mug" / "index.html").read_text()
    assert (out / "care" / "index.html").is_file()


def _entries(out: Path) -> dict[str, object]:
    """Every entry under ``out``: a file's bytes, a link's target, or 'folder'."""
    found: dict[str, object] = {}
    for path in sorted(out.rglob("*")):
        rel = path.relative_to(out).as_posix()
        if path.is_symlink():
            found[rel] = ("link", os.readlink(path))
        elif path.is_dir():
            found[rel] = "folder"
        else:
            found[rel] = path.read_bytes()
    return found


@pytest.mark.parametrize("failing", range(1, 7))
def test_a_failure_while_files_are_moved_into_place_leaves_the_output_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: int
) -> None:
    out = tmp_path / "out"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    write_site({"index.html": b"home", "a/index.html": b"a", "faq": b"file", "shop/index.html": b"shop"}, out)
    (out / "links").symlink_to(elsewhere, target_is_directory=True)
    before = _entries(out)
    new = {
        "index.html": b"home 2",  # replaces a file
        "a/index.html": b"a 2",
        "faq/index.html": b"faq",  # a file is in the way of its folder
        "shop": b"now a file",  # a folder is in the way
        "links/index.html": b"links",  # a symlink is in the way
        "b/c/index.html": b"new",  # new folders
    }
    real_replace = os.replace
    calls = 0

    def replace(src: str | Path, dst: str | Path) -> None:
        nonlocal calls
        calls += 1
        if calls == failing:
            raise OSError(28, "No space left on device (test)")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OSError, match="test"):
        write_site(new, out)
    monkeypatch.setattr(os, "replace", real_replace)
    assert _entries(out) == before
    assert sorted(p.name for p in elsewhere.iterdir()) == []
    # And with nothing failing, the same sync gives the new site.
    write_site(new, out)
    assert (out / "shop").read_bytes() == b"now a file"
    assert (out / "faq" / "index.html").read_bytes() == b"faq"
    assert not (out / "links").is_symlink()
    assert not any(p.name.startswith(".makerfront-undo-") for p in out.iterdir())
