"""Inputs that once gave tracebacks or hung, outside content fields: worker counts, templates that
loop for ever, huge photos, file names that are not UTF-8. (Content files' values are in
tests/sites_invalid/ and tests/test_fuzz_fields.py.)"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import pytest
from conftest import MUG_YAML, REPO, build_site, default_files, png_bytes, write_files
from PIL import Image as PILImage

from generator import parallel
from generator.cli import main
from generator.errors import BuildFailed, SiteError
from generator.images import MAX_PHOTO_PIXELS
from generator.render import TemplateTimeout

LOOP = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"


# -- --jobs ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("jobs", ["0", "-3", "many"])
def test_jobs_below_one_is_a_usage_error(jobs: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["build", "--jobs", jobs])
    assert exc.value.code == 2
    assert f"argument --jobs: expected a number of worker processes, 1 or more, got '{jobs}'" in capsys.readouterr().err


def test_jobs_are_capped_at_two_per_cpu_and_the_number_of_items(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    if parallel.worker_count(2, 2) < 2:
        pytest.skip("needs worker processes (fork)")
    assert parallel.max_workers() == 4
    assert parallel.worker_count(300, 12) == 4
    assert parallel.worker_count(300, 3) == 3
    assert parallel.worker_count(3, 12) == 3
    assert parallel.worker_count(300, 0) == 1


def test_a_build_with_too_many_jobs_says_how_many_it_uses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_files(tmp_path / "content", default_files())
    monkeypatch.chdir(tmp_path)
    assert main(["--jobs", "300"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"note: --jobs 300: using at most {parallel.max_workers()} worker processes (two per CPU)\n")


# -- a template that loops ---------------------------------------------------------------------------


def test_the_page_timer_interrupts_a_render_and_leaves_no_alarm_behind() -> None:
    before = signal.getsignal(signal.SIGALRM)
    with parallel.PageTimer(0.05) as timer:
        assert timer.run(lambda i: i * 2, 21) == 42
        with pytest.raises(TemplateTimeout):
            timer.run(lambda i: time.sleep(5), 0)
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is before


def test_the_page_timer_does_nothing_outside_the_main_thread() -> None:
    armed: list[bool] = []

    def render() -> None:
        with parallel.PageTimer(0.01) as timer:
            armed.append(timer.armed)
            timer.run(lambda i: time.sleep(0.05), 0)

    thread = threading.Thread(target=render)
    thread.start()
    thread.join()
    assert armed == [False]


def test_a_page_time_limit_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert parallel.page_time_limit() == parallel.PAGE_TIME_LIMIT
    for value, limit in (("0.25", 0.25), ("0", parallel.PAGE_TIME_LIMIT), ("soon", parallel.PAGE_TIME_LIMIT)):
        monkeypatch.setenv(parallel.PAGE_TIME_LIMIT_VARIABLE, value)
        assert parallel.page_time_limit() == limit


@pytest.mark.skipif(parallel.worker_count(2, 2) < 2, reason="needs worker processes (fork)")
def test_a_listing_template_that_loops_fails_the_build_with_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(parallel.PAGE_TIME_LIMIT_VARIABLE, "0.3")
    files: dict[str, str | bytes] = dict(default_files())
    for n in range(3):
        files[f"listings/mug-{n}.yaml"] = MUG_YAML.replace("Blue Mug", f"Mug {n}")
    write_files(tmp_path / "content", files)
    listing = (REPO / "generator" / "themes" / "default" / "templates" / "listing.html").read_text()
    write_files(
        tmp_path / "themes" / "default" / "templates",
        {"listing.html": listing.replace("{% block", LOOP + "{% block", 1)},
    )
    started = time.monotonic()
    with pytest.raises((BuildFailed, SiteError)) as exc:
        build_site(tmp_path / "content", jobs=2)
    assert time.monotonic() - started < 30
    errors = exc.value.errors if isinstance(exc.value, BuildFailed) else [exc.value]
    assert [(Path(str(e.path)).name, e.message) for e in errors] == [
        ("listing.html", "this template ran for more than 0.3 s on listings/blue-mug/index.html: does it loop forever?")
    ]


# -- photos ---------------------------------------------------------------------------------------


def test_a_photo_over_pillows_warning_limit_is_read_without_a_warning(make_site) -> None:  # type: ignore[no-untyped-def]
    # 9,600 x 9,600 is 92 megapixels: above Pillow's 89, below makerfront's 100.
    side = 9600
    assert PILImage.MAX_IMAGE_PIXELS is not None and PILImage.MAX_IMAGE_PIXELS < side * side <= MAX_PHOTO_PIXELS
    big = io.BytesIO()
    PILImage.new("1", (side, side)).save(big, format="PNG")
    content = make_site({"images/mug.png": big.getvalue()})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = build_site(content)
    assert [w for w in caught if issubclass(w.category, PILImage.DecompressionBombWarning)] == []
    assert result.page_count


# -- file names that are not UTF-8 ---------------------------------------------------------------------


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS file names are always UTF-8")
def test_a_note_about_a_file_name_that_is_not_utf8_prints_on_a_strict_terminal(tmp_path: Path) -> None:
    write_files(tmp_path / "content", default_files())
    old = MUG_YAML.replace("Blue Mug", "Old Cup") + "private: true\nexpires: 2026-01-01\n"
    # The bytes of a Latin-1 name: Python sees them as the text caf\udce9.
    (tmp_path / "content" / "listings" / os.fsdecode(b"caf\xe9.yaml")).write_text(old)
    (tmp_path / "content" / "images" / os.fsdecode(b"caf\xe9.png")).write_bytes(png_bytes())
    env = dict(os.environ, PYTHONIOENCODING="utf-8:strict")
    proc = subprocess.run(
        [sys.executable, str(REPO / "build.py")], cwd=tmp_path, capture_output=True, timeout=60, env=env
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert b"Traceback" not in proc.stderr
    assert b"note: listing caf\\udce9.yaml expired on 2026-01-01 and was not built\n" in proc.stdout
    assert b"Built 5 pages" in proc.stdout


@pytest.mark.parametrize("folder", ["content/static", "themes/default/static"])
def test_a_static_file_whose_name_is_not_utf8_is_refused_by_name(tmp_path: Path, folder: str) -> None:
    """Such a name (from an old archive) can be neither linked to nor served: a message naming
    the file, on a strict-UTF-8 terminal too, and no traceback."""
    write_files(tmp_path / "content", default_files())
    (tmp_path / folder).mkdir(parents=True, exist_ok=True)
    with open(os.fsencode(tmp_path / folder) + b"/caf\xe9.txt", "wb") as f:
        f.write(b"x")
    env = dict(os.environ, PYTHONIOENCODING="utf-8:strict")
    proc = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "--content", "content", "--output", "out"],
        cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 1
    assert f"error: {folder}/caf\\udce9.txt: this file's name is not UTF-8 text, so no web address can name it" in (
        proc.stderr
    )
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("output", ["o" * 300, "/proc/makerfront-output"], ids=["300-character name", "under /proc"])
def test_an_output_folder_the_disk_refuses_is_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], output: str
) -> None:
    write_files(tmp_path / "content", default_files())
    monkeypatch.chdir(tmp_path)
    assert main(["build", "--output", output]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "cannot write here: " in err
    assert "hint: build into a folder you can write to, with a short name, e.g. --output output" in err
    assert err.splitlines()[-1].startswith("Build failed with 1 error; ")
