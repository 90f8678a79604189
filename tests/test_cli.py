"""`python build.py`: options, summary line and exit codes (0 ok, 1 content errors, 2 usage)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, default_files, write_files

from generator import __version__
from generator.cli import main

SUMMARY = re.compile(
    r"^Built (\d+) pages \((\d+) files\) into (\S+)/ in \d+\.\d\d s: (\d+) written, (\d+) unchanged, (\d+) removed\.$"
)


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "build.py"), *args], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )


def test_build_py_builds_default_folders(tmp_path: Path) -> None:
    write_files(tmp_path / "content", default_files())
    proc = run(tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    match = SUMMARY.match(proc.stdout.strip())
    assert match, proc.stdout
    pages, files, out, written, unchanged, removed = match.groups()
    assert out == "output"
    assert (int(pages), int(unchanged), int(removed)) == (5, 0, 0)
    built = [p for p in (tmp_path / "output").rglob("*") if p.is_file() and p.name != ".makerfront-output"]
    assert int(files) == int(written) == len(built)
    assert (tmp_path / "output" / "listings" / "blue-mug" / "index.html").is_file()


def test_help_and_version(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    proc = run(tmp_path, "--help")
    assert proc.returncode == 0
    assert "usage: build.py" in proc.stdout  # what the maker typed
    for command in ("build", "serve", "check", "init", "new", "schema", "links"):
        assert command in proc.stdout
    with pytest.raises(SystemExit) as exc:
        main(["build", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for option in ("--content DIR", "--output DIR", "--base-url URL", "--themes DIR", "--debug"):
        assert option in out
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"makerfront {__version__}"
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)


@pytest.mark.parametrize("args", [["--bogus"], ["build", "--bogus"], ["--content"], ["serve", "--nope"]])
def test_usage_errors_exit_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "usage: makerfront" in err  # in-process, as the `makerfront` command
    assert "error:" in err


def test_build_subcommand_is_the_default(tmp_path: Path, monkeypatch, capsys) -> None:
    write_files(tmp_path / "content", default_files())
    monkeypatch.chdir(tmp_path)
    assert main(["--content", "content", "--output", "a"]) == 0
    assert main(["build", "--content", "content", "--output", "b"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and all(SUMMARY.match(line) for line in out)
    a = {p.relative_to(tmp_path / "a"): p.read_bytes() for p in (tmp_path / "a").rglob("*") if p.is_file()}
    b = {p.relative_to(tmp_path / "b"): p.read_bytes() for p in (tmp_path / "b").rglob("*") if p.is_file()}
    assert a == b


def test_content_errors_exit_1_without_traceback(tmp_path: Path) -> None:
    files = default_files()
    files["listings/blue-mug.yaml"] = "title: Blue Mug\nprice: twelve\nimages: []\n"
    write_files(tmp_path / "content", files)
    proc = run(tmp_path)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert proc.stderr.splitlines() == [
        'error: content/listings/blue-mug.yaml:2:8: price: expected a price such as 12 or 12.50, got "twelve"',
        "error: content/listings/blue-mug.yaml:3:9: images: a listing needs at least one photo",
        "Build failed with 2 errors; output/ was left as it was.",
    ]
    assert not (tmp_path / "output").exists()


def test_python_m_generator_exits_with_the_build_status_and_all_its_output(tmp_path: Path) -> None:
    # What was printed to a pipe (block-buffered, unless PYTHONUNBUFFERED is set, as it is on
    # some machines) must arrive, and the status.
    files = default_files()
    write_files(tmp_path / "content", files)
    cmd = [sys.executable, "-m", "generator"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"} | {"PYTHONPATH": str(REPO)}
    ok = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=60, env=env)
    assert ok.returncode == 0, ok.stderr
    assert SUMMARY.match(ok.stdout.strip()), ok.stdout
    files["listings/blue-mug.yaml"] = "title: Blue Mug\nprice: twelve\nimages: []\n"
    write_files(tmp_path / "content", files)
    bad = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=60, env=env)
    assert bad.returncode == 1
    assert bad.stdout == ""
    assert bad.stderr.splitlines()[-1] == "Build failed with 2 errors; output/ was left as it was."


def test_debug_shows_the_traceback(tmp_path: Path, monkeypatch, capsys) -> None:
    write_files(tmp_path / "content", {**default_files(), "site.yaml": "title: [\n"})
    monkeypatch.chdir(tmp_path)
    assert main(["--debug"]) == 1
    err = capsys.readouterr().err
    assert "error: content/site.yaml:2:1: YAML syntax error" in err
    assert "Traceback" in err


def test_missing_content_folder_exits_1(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["--content", "nowhere", "--output", "out"]) == 1
    err = capsys.readouterr().err
    assert err.splitlines()[0] == "error: nowhere: the content folder does not exist"
    assert not (tmp_path / "out").exists()


def test_missing_site_and_maker_files_are_both_reported(tmp_path: Path, monkeypatch, capsys) -> None:
    files = default_files()
    write_files(tmp_path / "content", {"listings/blue-mug.yaml": files["listings/blue-mug.yaml"]})
    write_files(tmp_path / "content", {"images/mug.png": files["images/mug.png"]})
    monkeypatch.chdir(tmp_path)
    assert main(["--content", "content", "--output", "out"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "error: content/maker.yaml: missing file: maker.yaml is required",
        "error: content/site.yaml: missing file: site.yaml is required",
        "Build failed with 2 errors; out/ was left as it was.",
    ]


def test_base_url_option_overrides_site_yaml(tmp_path: Path, monkeypatch, capsys) -> None:
    write_files(tmp_path / "content", default_files())
    monkeypatch.chdir(tmp_path)
    assert main(["--content", "content", "--output", "out", "--base-url", "https://preview.example/pr-7/"]) == 0
    page = (tmp_path / "out" / "listings" / "blue-mug" / "index.html").read_text()
    assert "https%3A%2F%2Fpreview.example%2Fpr-7%2Flistings%2Fblue-mug%2F" in page
    assert "shop.example/listings" not in page
    assert 'href="/pr-7/static/style.css"' in (tmp_path / "out" / "404.html").read_text()


PRIVATE_UNTIL_NEW_YEAR = """\
title: Heron Jug
price: 90
private: true
expires: 2026-12-31
images:
  - {src: images/mug.png, alt: A jug}
"""


def test_today_option_decides_what_has_expired(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    """--today (and $MAKERFRONT_TODAY) is the build's date: a maker can see what a later day builds."""
    write_files(tmp_path / "content", {**default_files(), "listings/heron.yaml": PRIVATE_UNTIL_NEW_YEAR})
    monkeypatch.chdir(tmp_path)
    assert main(["build", "--today", "2026-12-31"]) == 0
    assert "1 private listing written" in capsys.readouterr().out
    assert main(["build", "--today", "2027-01-01"]) == 0
    out = capsys.readouterr().out
    assert "note: listing heron.yaml expired on 2026-12-31 and was not built" in out
    assert "private listing written" not in out
    monkeypatch.setenv("MAKERFRONT_TODAY", "2026-12-30")
    assert main(["links"]) == 0
    assert "expires: 2026-12-31\n" in capsys.readouterr().out
    assert main(["links", "--today", "2027-02-01"]) == 0
    assert "expires: 2026-12-31 (expired: no longer built)" in capsys.readouterr().out


@pytest.mark.parametrize("value", ["2027-02-30", "tomorrow", "31.12.2026"])
def test_a_wrong_today_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, value: str) -> None:
    write_files(tmp_path / "content", default_files())
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exc:
        main(["build", "--today", value])
    assert exc.value.code == 2
    assert (
        f"--today: expected a date written as YYYY-MM-DD, such as 2027-03-01, got '{value}'" in capsys.readouterr().err
    )
    monkeypatch.setenv("MAKERFRONT_TODAY", value)
    with pytest.raises(SystemExit) as exc:
        main(["build"])
    assert exc.value.code == 2
    assert f"$MAKERFRONT_TODAY: expected a date written as YYYY-MM-DD, got '{value}'" in capsys.readouterr().err
    assert not (tmp_path / "output").exists()
