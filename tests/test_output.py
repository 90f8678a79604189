"""The output folder: untouched by a failed build, no stale files, never someone else's folder,
and byte-identical for identical content."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import build_into, default_files, write_files
from sitecheck import shop_files

from generator.cli import main
from generator.write import MARKER

Snapshot = dict[str, tuple[bytes, int, int]]


def snapshot(folder: Path) -> Snapshot:
    """Every file and folder under ``folder`` with its bytes, mtime and mode."""
    snap: Snapshot = {}
    for path in sorted(folder.rglob("*")):
        st = path.lstat()
        data = path.read_bytes() if path.is_file() else b"<dir>"
        snap[path.relative_to(folder).as_posix()] = (data, st.st_mtime_ns, st.st_mode)
    return snap


def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str):
    monkeypatch.chdir(tmp_path)
    code = main(["--content", "content", "--output", "out", *args])
    return code, capsys.readouterr()


def test_failed_build_leaves_output_exactly_as_it_was(make_site, tmp_path: Path, monkeypatch, capsys) -> None:
    content = make_site(shop_files(), base=False)
    code, _ = cli(tmp_path, monkeypatch, capsys)
    assert code == 0
    before = snapshot(tmp_path / "out")
    assert "listings/eagle-mug/index.html" in before

    # A new listing, a removed one and a broken one: nothing of it may reach out/.
    write_files(
        content,
        {
            "listings/new-vase.yaml": "title: New Vase\nprice: 50\nimages:\n  - {src: images/mug.png, alt: A vase}\n",
            "listings/plate.yaml": None,
            "listings/eagle-mug.yaml": "title: Eagle Mug\nprice: twelve\nimages: []\n",
        },
    )
    code, captured = cli(tmp_path, monkeypatch, capsys)
    assert code == 1
    assert "content/listings/eagle-mug.yaml:2:8: price" in captured.err
    assert captured.err.rstrip().endswith("out/ was left as it was.")
    assert snapshot(tmp_path / "out") == before


def test_theme_error_also_leaves_output_untouched(make_site, tmp_path: Path, monkeypatch, capsys) -> None:
    make_site()
    assert cli(tmp_path, monkeypatch, capsys)[0] == 0
    before = snapshot(tmp_path / "out")
    write_files(
        tmp_path,
        {
            "themes/broken/theme.yaml": "extends: default\n",
            "themes/broken/templates/listing.html": '{% extends "theme:listing.html" %}\n'
            "{% block listing_banner %}\n<p>{{ listing.no_such_field }}</p>\n{% endblock %}\n",
            "content/site.yaml": default_files()["site.yaml"] + "theme: broken\n",  # type: ignore[operator]
        },
    )
    code, captured = cli(tmp_path, monkeypatch, capsys, "--themes", "themes")
    assert code == 1
    assert "themes/broken/templates/listing.html:3: template error:" in captured.err
    assert "no_such_field" in captured.err
    assert "Traceback" not in captured.err
    assert snapshot(tmp_path / "out") == before


def built_files(out: Path) -> set[str]:
    return {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}


def test_deleted_and_renamed_listings_leave_no_stale_files(make_site, tmp_path: Path) -> None:
    content = make_site(shop_files(), base=False)
    out = tmp_path / "out"
    build_into(content, out)
    assert {"listings/plate/index.html", "listings/tea-bowl/index.html", "tags/bowls/index.html"} <= built_files(out)

    (content / "listings" / "plate.yaml").unlink()
    (content / "listings" / "tea-bowl.yaml").rename(content / "listings" / "matcha-bowl.yaml")
    (content / "pages" / "faq.md").unlink()
    build_into(content, out)
    files = built_files(out)
    assert "listings/matcha-bowl/index.html" in files
    for gone in ("listings/plate/index.html", "listings/tea-bowl/index.html", "faq/index.html", "images/plate.png"):
        assert gone not in files, gone
    # Their now-empty folders are gone too.
    assert not (out / "listings" / "plate").exists()
    assert not (out / "faq").exists()
    assert "tea-bowl" not in (out / "index.html").read_text()

    # A tag nobody uses any more loses its page.
    write_files(content, {"listings/matcha-bowl.yaml": None})
    build_into(content, out)
    assert not (out / "tags" / "bowls").exists()


def test_refuses_a_non_empty_folder_it_did_not_create(make_site, tmp_path: Path, monkeypatch, capsys) -> None:
    make_site()
    out = tmp_path / "out"
    out.mkdir()
    (out / "thesis.docx").write_bytes(b"years of work")
    code, captured = cli(tmp_path, monkeypatch, capsys)
    assert code == 1
    assert "error: out: refusing to build into this folder: it has files makerfront did not make" in captured.err
    assert sorted(p.name for p in out.iterdir()) == ["thesis.docx"]
    assert (out / "thesis.docx").read_bytes() == b"years of work"

    # An empty existing folder is fine, and once makerfront owns it, rebuilding is fine.
    (out / "thesis.docx").unlink()
    assert cli(tmp_path, monkeypatch, capsys)[0] == 0
    assert (out / MARKER).is_file()
    (out / "leftover.txt").write_text("stale")
    assert cli(tmp_path, monkeypatch, capsys)[0] == 0
    assert not (out / "leftover.txt").exists()


def test_output_path_that_is_a_file_is_refused(make_site, tmp_path: Path, monkeypatch, capsys) -> None:
    make_site()
    (tmp_path / "out").write_text("not a folder")
    code, captured = cli(tmp_path, monkeypatch, capsys)
    assert code == 1
    assert "out: the output path exists and is not a folder" in captured.err
    assert (tmp_path / "out").read_text() == "not a folder"


def test_rebuild_of_unchanged_content_rewrites_nothing(make_site, tmp_path: Path, monkeypatch, capsys) -> None:
    make_site(shop_files(), base=False)
    code, _ = cli(tmp_path, monkeypatch, capsys)
    assert code == 0
    before = snapshot(tmp_path / "out")
    code, second = cli(tmp_path, monkeypatch, capsys)
    assert code == 0
    assert " 0 written, " in second.out and ", 0 removed." in second.out
    assert snapshot(tmp_path / "out") == before


def read_all(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_two_builds_are_byte_identical(make_site, tmp_path: Path) -> None:
    content = make_site(shop_files(form_action="https://forms.example/f"), base=False)
    build_into(content, tmp_path / "one")
    # The same content in another folder (file times kept: feeds and sitemaps date undated
    # listings by their file's modification time) must not change a byte.
    copy = tmp_path / "elsewhere" / "copy"
    shutil.copytree(content, copy)
    build_into(copy, tmp_path / "two")
    one, two = read_all(tmp_path / "one"), read_all(tmp_path / "two")
    assert sorted(one) == sorted(two)
    different = [name for name in one if one[name] != two[name]]
    assert different == []
    assert len(one) > 20
