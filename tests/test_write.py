"""write.py: atomic sync of the built site into the output folder."""

from __future__ import annotations

import os
import shutil
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


def _fail_at(monkeypatch: pytest.MonkeyPatch, owner: object, name: str, at: int, error: OSError) -> list[int]:
    """Make ``owner.name`` raise ``error`` on its ``at``-th call (the calls before go through)."""
    real = getattr(owner, name)
    calls = [0]

    def failing(*args: object, **kwargs: object) -> object:
        calls[0] += 1
        if calls[0] == at:
            raise error
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, failing)
    return calls


def _ours_inside(out: Path) -> list[str]:
    """Files and folders of makerfront's inside the output that are not part of any site."""
    return [
        p.relative_to(out).as_posix()
        for p in out.rglob("*")
        if p.name != MARKER and (p.name.startswith((".tmp-", ".makerfront")) or "makerfront" in p.name)
    ]


def test_a_write_error_part_way_leaves_the_output_exactly_as_it_was(tmp_path: Path, monkeypatch) -> None:
    from generator import write

    out = tmp_path / "out"
    _first_site(out)
    before = _snapshot(out)
    new = {"index.html": b"home v2", "a/index.html": b"a v2", "new/deep/index.html": b"new", "b/index.html": b"b v2"}
    # Three files written beside the output (one in a new folder), then the disk is full.
    calls = _fail_at(monkeypatch, write, "write_file", 4, OSError(28, "No space left on device"))
    with pytest.raises(OSError, match="No space left"):
        write_site(new, out)
    assert calls[0] == 4
    assert _snapshot(out) == before  # no new file, no temporary file, no new folder, nothing removed
    monkeypatch.undo()
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


def test_a_file_in_the_way_of_a_folder_goes_only_with_the_swap(tmp_path: Path, monkeypatch) -> None:
    from generator import write

    out = tmp_path / "out"
    write_site({"faq": b"a file", "index.html": b"h"}, out)
    before = _snapshot(out)
    _fail_at(monkeypatch, write, "write_file", 2, OSError(13, "Permission denied"))
    with pytest.raises(OSError):
        write_site({"faq/index.html": b"page", "index.html": b"h2"}, out)
    assert _snapshot(out) == before
    monkeypatch.undo()
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
    _fail_at(monkeypatch, write, "_put", 3, PermissionError(13, "Permission denied", str(out)))
    capsys.readouterr()
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "cannot write the site" in err and "out/ was left as it was." in err
    assert _snapshot(out) == before
    monkeypatch.undo()
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


FAILURES = [
    # (what fails, at which call, whether the sync before left a standby to make the site in)
    ("write_file", 1, False),  # a changed file
    ("write_file", 3, False),
    ("_link", 1, False),  # an unchanged file
    ("_link", 2, False),
    ("mkdir", 3, False),  # a folder of the new site
    ("exchange", 1, False),  # the swap itself
    ("write_file", 1, True),
    ("write_file", 4, True),
    ("unlink", 2, True),  # a file the site no longer has, taken out of the standby
    ("mkdir", 2, True),  # the private folder
    ("mkdir", 4, True),
    ("exchange", 1, True),
]


@pytest.mark.parametrize(("step", "at", "standby"), FAILURES)
def test_a_failure_at_any_step_leaves_the_output_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str, at: int, standby: bool
) -> None:
    from generator import write

    out = tmp_path / "out"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    first = {"index.html": b"home", "a/index.html": b"a", "faq": b"file", "shop/index.html": b"shop", "c.css": b"c"}
    write_site(first, out)
    if standby:  # a sync before, so the output swapped out then is made into this one's site
        write_site({**first, "index.html": b"home 1"}, out)
        write_site(first, out)
    (out / "links").symlink_to(elsewhere, target_is_directory=True)
    before = _entries(out)
    new = {
        "index.html": b"home 2",  # replaces a file
        "a/index.html": b"a",  # unchanged
        "c.css": b"c",  # unchanged
        "faq/index.html": b"faq",  # a file is in the way of its folder
        "shop": b"now a file",  # a folder is in the way
        "links/index.html": b"links",  # a symlink is in the way
        "b/c/index.html": b"new",  # new folders
    }
    owner = os if step in ("mkdir", "unlink") else write
    _fail_at(monkeypatch, owner, step, at, OSError(5, "Input/output error (test)"))
    with pytest.raises(OSError, match="test"):
        write_site(new, out)
    monkeypatch.undo()
    assert _entries(out) == before
    assert sorted(p.name for p in elsewhere.iterdir()) == []
    # And with nothing failing, the same sync gives the new site.
    write_site(new, out)
    assert {k: v for k, v in _entries(out).items() if isinstance(v, bytes)} == {**new, MARKER: b""}
    assert not (out / "links").is_symlink()
    assert _ours_inside(out) == []


def test_unchanged_files_keep_their_inode_and_mtime_while_the_folder_is_swapped(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_site({"index.html": b"home", "a/index.html": b"a", "b/index.html": b"b"}, out)
    age(out)
    for round in range(3):  # the second sync on uses the standby
        folder = os.stat(out).st_ino
        inodes = {rel: os.stat(out / rel).st_ino for rel in ("index.html", "a/index.html", "b/index.html")}
        stats = write_site({"index.html": f"home {round}".encode(), "a/index.html": b"a", "b/index.html": b"b"}, out)
        assert (stats.written, stats.unchanged, stats.removed) == (1, 2, 0)
        assert os.stat(out).st_ino != folder  # a new folder, swapped in whole
        for rel in ("a/index.html", "b/index.html"):
            assert os.stat(out / rel).st_ino == inodes[rel]  # the same file: bytes and mtime kept
            assert os.stat(out / rel).st_mtime_ns == OLD
        assert (out / MARKER).stat().st_mtime_ns == OLD
        assert os.stat(out / "index.html").st_ino != inodes["index.html"]
    # The old output kept beside it for the next sync holds nothing the output does not.
    work = tmp_path / ".out.makerfront-work"
    assert stat.S_IMODE(work.stat().st_mode) == 0o700
    output_files = {os.stat(p).st_ino for p in out.rglob("*") if p.is_file()}
    kept = [p for p in (work / "standby").rglob("*") if p.is_file()]
    assert kept and all(os.stat(p).st_ino in output_files for p in kept)


def test_a_file_changed_after_syncs_that_kept_it_is_never_written_through_its_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator import write

    out = tmp_path / "out"
    write_site({"a.html": b"a1", "b.html": b"b1"}, out)
    write_site({"a.html": b"a2", "b.html": b"b1"}, out)  # the standby keeps b.html: a link to the output's
    before = _snapshot(out)
    _fail_at(monkeypatch, write, "exchange", 1, OSError(5, "Input/output error (test)"))
    with pytest.raises(OSError, match="test"):
        write_site({"a.html": b"a2", "b.html": b"b3"}, out)
    assert _snapshot(out) == before


def test_an_output_file_replaced_by_hand_with_what_the_build_makes_is_not_undone(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_site({"a.html": b"a1", "b.html": b"old"}, out)
    write_site({"a.html": b"a2", "b.html": b"old"}, out)  # the standby keeps a link to b.html's file
    (out / "b.html").unlink()
    (out / "b.html").write_bytes(b"new")  # another file, with what the next build makes
    stats = write_site({"a.html": b"a3", "b.html": b"new"}, out)
    assert stats.unchanged == 1
    assert (out / "b.html").read_bytes() == b"new"


@pytest.mark.parametrize("umask", [0o077, 0o002])
def test_folders_are_0755_and_files_0644_whatever_the_umask(tmp_path: Path, umask: int) -> None:
    out = tmp_path / "out"
    old = os.umask(umask)
    try:
        for round in range(3):  # a first sync, a new folder tree, then the standby
            write_site({"index.html": f"h{round}".encode(), f"l/{round}/index.html": b"x", "a/b/c.css": b"c"}, out)
    finally:
        os.umask(old)
    folders = [out, *(p for p in out.rglob("*") if p.is_dir())]
    assert len(folders) == 5 and all(stat.S_IMODE(p.stat().st_mode) == 0o755 for p in folders)
    files = [p for p in out.rglob("*") if p.is_file()]
    assert len(files) == 4 and all(stat.S_IMODE(p.stat().st_mode) == 0o644 for p in files)


def test_folders_an_older_makerfront_made_with_the_umasks_mode_become_0755(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_site({"index.html": b"h", "a/b/index.html": b"b", "c/index.html": b"c"}, out)
    shutil.rmtree(tmp_path / ".out.makerfront-work")  # as an older makerfront left it: no standby
    for folder in [out, *(p for p in out.rglob("*") if p.is_dir())]:
        folder.chmod(0o700)
    for round in range(3):  # then the old output, swapped out, is the next one's standby
        write_site({"index.html": f"h{round}".encode(), "a/b/index.html": b"b", "c/index.html": b"c"}, out)
        assert _modes_of_folders(out) == {0o755}, round


def _modes_of_folders(out: Path) -> set[int]:
    return {stat.S_IMODE(p.stat().st_mode) for p in [out, *out.rglob("*")] if p.is_dir()}


SITES = [
    {"index.html": b"home", "a/index.html": b"a", "faq": b"file", "shop/index.html": b"shop", "x/y/z.css": b"z"},
    {"index.html": b"home 2", "a/index.html": b"a", "faq/index.html": b"faq", "shop": b"file", "n/index.html": b"n"},
    {"index.html": b"home 3", "a/index.html": b"a 3", "faq/index.html": b"faq", "x/y/z.css": b"z"},
]


@pytest.mark.parametrize("why", ["no exchange on this system", "the disk refuses it", "a mount point"])
def test_where_the_output_cannot_be_swapped_files_are_moved_in_by_a_journal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, why: str
) -> None:
    from generator import write

    out = tmp_path / "out"
    write_site(SITES[0], out)
    if why == "no exchange on this system":
        monkeypatch.setattr(write, "can_exchange", lambda: False)
    elif why == "the disk refuses it":
        monkeypatch.setattr(write, "exchange", lambda a, b: False)
    else:
        real_ismount = os.path.ismount
        monkeypatch.setattr(os.path, "ismount", lambda p: os.path.abspath(p) == str(out) or real_ismount(p))
    folder = os.stat(out).st_ino
    for site in SITES[1:]:
        write_site(site, out)
        assert {k: v for k, v in _snapshot(out).items() if v is not None} == {**site, MARKER: b""}
    assert os.stat(out).st_ino == folder  # updated where it is
    work = tmp_path / ".out.makerfront-work"
    assert not any(p.name.startswith("write-journal") for p in work.iterdir())
    assert _ours_inside(out) == []


class _Stop(BaseException):
    """Stands in for SIGKILL: nothing catches it, and the test skips every clean-up but Python's."""


def test_a_sync_stopped_part_way_through_its_journal_is_completed_by_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator import write

    monkeypatch.setattr(write, "can_exchange", lambda: False)
    out = tmp_path / "out"
    expected = {**SITES[1], MARKER: b""}
    checkpoints: list[str] = []
    real_call = write._Checkpoints.__call__
    monkeypatch.setattr(write._Checkpoints, "__call__", lambda self, label: checkpoints.append(label))
    write_site(SITES[0], out)
    checkpoints.clear()
    write_site(SITES[1], out)
    total = len(checkpoints)
    assert total > 5 and checkpoints[0] == "journal"
    for stop_at in range(1, total + 1):
        shutil.rmtree(out)
        shutil.rmtree(tmp_path / ".out.makerfront-work", ignore_errors=True)
        monkeypatch.setattr(write._Checkpoints, "__call__", real_call)
        write_site(SITES[0], out)

        def stop(self: write._Checkpoints, label: str, stop_at: int = stop_at) -> None:
            self.passed += 1
            if self.passed == stop_at:
                raise _Stop

        monkeypatch.setattr(write._Checkpoints, "__call__", stop)
        with pytest.raises(_Stop):
            write_site(SITES[1], out)
        monkeypatch.setattr(write._Checkpoints, "__call__", real_call)
        write.finish_interrupted(out)  # what the next sync does first
        assert {k: v for k, v in _snapshot(out).items() if v is not None} == expected, stop_at
        assert write_site(SITES[1], out).written == 0


def test_a_symlinked_output_stays_a_link_to_a_folder_swapped_whole(tmp_path: Path) -> None:
    real = tmp_path / "www" / "shop"
    real.parent.mkdir()
    out = tmp_path / "out"
    out.symlink_to(real, target_is_directory=True)
    for site in SITES:
        folder = os.stat(real).st_ino if real.exists() else None
        write_site(site, out)
        assert out.is_symlink() and os.readlink(out) == str(real)
        assert {k: v for k, v in _snapshot(real).items() if v is not None} == {**site, MARKER: b""}
        assert os.stat(real).st_ino != folder
    # The new site is made beside the folder the link leads to (the same disk), in private.
    assert stat.S_IMODE((tmp_path / "www" / ".shop.makerfront-work").stat().st_mode) == 0o700


def test_what_a_stopped_sync_left_is_deleted_by_the_next(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_site(SITES[0], out)
    write_site(SITES[1], out)
    work = tmp_path / ".out.makerfront-work"
    for name in ("new-0123456789abcdef", "spool-0123456789abcdef"):  # a new site never swapped in
        (work / name / "p" / "token").mkdir(parents=True)
        (work / name / "p" / "token" / "index.html").write_text("a private page")
    write_site(SITES[2], out)
    assert sorted(p.name for p in work.iterdir()) == ["standby", "standby-files"]
