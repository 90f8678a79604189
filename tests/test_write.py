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
