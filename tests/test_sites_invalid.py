"""Every kind of content mistake from the issue fails the build with exact file:line:col messages.

Each folder in tests/sites_invalid/ holds a few files that replace or add to the small valid shop
of conftest.default_files(); expected.txt holds the build's error output, one line per error
(without the leading "error: ") followed by its indented hint line, if any. The build must exit 1,
print exactly those lines and nothing else, and leave the output folder as it was. Warnings found
in the same run come first, as "warning: " lines. Files under themes/ in a case folder go into the
themes folder beside content/; a file named environment holds NAME=value lines set for the build.

The folders in tests/sites_warnings/ are likely mistakes that do not fail the build: it must
succeed and print exactly the warnings of expected.txt (without "warning: "), every time it runs.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import build_site, default_files, write_files

from generator import parallel
from generator.cli import main

CASES_DIR = Path(__file__).parent / "sites_invalid"
CASES = sorted(p.name for p in CASES_DIR.iterdir() if p.is_dir())
WARNING_CASES_DIR = Path(__file__).parent / "sites_warnings"
WARNING_CASES = sorted(p.name for p in WARNING_CASES_DIR.iterdir() if p.is_dir())


NOT_CONTENT = ("expected.txt", "environment")


def case_files(case: str, cases_dir: Path = CASES_DIR) -> dict[str, str | bytes | None]:
    folder = cases_dir / case
    files: dict[str, str | bytes | None] = dict(default_files())
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name not in NOT_CONTENT:
            files[path.relative_to(folder).as_posix()] = path.read_bytes()
    return files


def write_case(root: Path, case: str, monkeypatch: pytest.MonkeyPatch, cases_dir: Path = CASES_DIR) -> None:
    """The case's shop in root/content, its themes in root/themes, its environment set."""
    files = case_files(case, cases_dir)
    write_files(root / "content", {k: v for k, v in files.items() if not k.startswith("themes/")})
    write_files(root, {k: v for k, v in files.items() if k.startswith("themes/")})
    environment = cases_dir / case / "environment"
    if environment.is_file():
        for line in environment.read_text(encoding="utf-8").splitlines():
            name, _, value = line.partition("=")
            monkeypatch.setenv(name.strip(), value.strip())


def run_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    """Run the CLI from tmp_path, so error paths print as content/...; returns (code, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)
    code = main(["--content", "content", "--output", "out"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def error_report(stderr: str) -> tuple[list[str], str]:
    """(error and hint lines, without 'error: ', the final summary line)."""
    lines = stderr.rstrip("\n").split("\n")
    body = [line.removeprefix("error: ") for line in lines[:-1]]
    return body, lines[-1]


def check_failure(code: int, out: str, err: str, expected: list[str]) -> None:
    body, summary = error_report(err)
    assert code == 1
    assert out == ""
    assert "Traceback" not in err
    assert body == expected
    n = sum(1 for line in expected if not line.startswith((" ", "warning: ")))
    assert summary == f"Build failed with {n} error{'s' if n != 1 else ''}; out/ was left as it was."


@pytest.mark.parametrize("case", CASES)
def test_invalid_site_reports_exact_errors(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_case(tmp_path, case, monkeypatch)
    code, out, err = run_build(tmp_path, monkeypatch, capsys)
    expected = (CASES_DIR / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    check_failure(code, out, err, expected)
    assert not (tmp_path / "out").exists()


def test_every_case_has_expected_output() -> None:
    assert len(CASES) >= 20
    for case in CASES:
        assert (CASES_DIR / case / "expected.txt").is_file(), case
    assert WARNING_CASES
    for case in WARNING_CASES:
        assert (WARNING_CASES_DIR / case / "expected.txt").is_file(), case


@pytest.mark.parametrize("case", WARNING_CASES)
def test_site_with_warnings_builds_and_reports_exact_warnings(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_case(tmp_path, case, monkeypatch, WARNING_CASES_DIR)
    expected = (WARNING_CASES_DIR / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    # The second build has nothing to do, but must not skip the warnings of the first.
    for _ in range(2):
        code, out, err = run_build(tmp_path, monkeypatch, capsys)
        assert code == 0
        assert out.startswith("Built "), out
        assert [line.removeprefix("warning: ") for line in err.splitlines()] == expected
        assert all(line.startswith(("warning: ", "  hint: ")) for line in err.splitlines())
    assert (tmp_path / "out" / "index.html").is_file()


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlinks_pointing_outside_content_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    content = tmp_path / "content"
    files = default_files()
    files["listings/blue-mug.yaml"] = str(files["listings/blue-mug.yaml"]).replace("images/mug.png", "images/evil.png")
    write_files(content, files)
    secret = tmp_path / "elsewhere"
    secret.mkdir()
    (secret / "photo.png").write_bytes(bytes(files["images/mug.png"]))  # type: ignore[arg-type]
    (secret / "listing.yaml").write_text("title: Secret\nprice: 1\nimages: []\n")
    (content / "images" / "evil.png").symlink_to(secret / "photo.png")
    (content / "listings" / "stolen.yaml").symlink_to(secret / "listing.yaml")
    code, out, err = run_build(tmp_path, monkeypatch, capsys)
    check_failure(
        code,
        out,
        err,
        [
            "content/listings/blue-mug.yaml:4:11: images[0].src: the file links to a place outside the content folder",
            "content/listings/stolen.yaml: this file links to a place outside the content folder",
            "  hint: copy the file into the content folder instead of linking to it",
        ],
    )


def test_symlinked_static_folder_outside_content_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    content = tmp_path / "content"
    write_files(content, default_files())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "id_rsa").write_text("PRIVATE KEY")
    (content / "static").symlink_to(elsewhere, target_is_directory=True)
    code, out, err = run_build(tmp_path, monkeypatch, capsys)
    check_failure(code, out, err, ["content/static: this folder links to a place outside the content folder"])
    (content / "static").unlink()
    (content / "static").mkdir()
    (content / "static" / "key").symlink_to(elsewhere / "id_rsa")
    code, out, err = run_build(tmp_path, monkeypatch, capsys)
    check_failure(code, out, err, ["content/static/key: this file links to a place outside the content folder"])


def test_symlinked_listings_folder_outside_content_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Files inside a linked folder are plain files: the folder itself must be checked.
    content = tmp_path / "content"
    files = default_files()
    mug = files.pop("listings/blue-mug.yaml")
    write_files(content, files)
    elsewhere = tmp_path / "elsewhere"
    write_files(elsewhere, {"blue-mug.yaml": mug})
    (content / "listings").symlink_to(elsewhere, target_is_directory=True)
    code, out, err = run_build(tmp_path, monkeypatch, capsys)
    check_failure(
        code,
        out,
        err,
        [
            "content/listings/blue-mug.yaml: this file links to a place outside the content folder",
            "  hint: copy the file into the content folder instead of linking to it",
        ],
    )


@pytest.mark.skipif(parallel.worker_count(2, 2) < 2, reason="needs worker processes (fork)")
def test_warnings_of_listings_read_by_worker_processes_are_reported(tmp_path: Path) -> None:
    files = default_files()
    files["listings/green-bowl.yaml"] = str(files["listings/blue-mug.yaml"]).replace("Blue Mug", "Bowl #2")
    write_files(tmp_path / "content", files)
    result = build_site(tmp_path / "content", jobs=2)
    assert [(w.path.name, w.line, w.message) for w in result.content_warnings] == [
        ("green-bowl.yaml", 1, 'title: the text after "#" was read as a comment, so the title is "Bowl"')
    ]
