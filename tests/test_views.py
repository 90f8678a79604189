"""What templates receive (generator/views.py) is documented field by field, and docs/themes.md,
the theme author's reference, is generated from it and up to date."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

from conftest import REPO

from generator import views
from generator.render import VIEW_TYPES


def test_every_view_field_is_documented() -> None:
    reference = views.theme_reference()
    for view in VIEW_TYPES:
        assert view.__doc__ and not view.__doc__.startswith(view.__name__ + "("), f"{view.__name__} has no docstring"
        for field in dataclasses.fields(view):
            row = next(line for line in reference.splitlines() if line.startswith(f"| `{field.name}` |"))
            assert not row.endswith("|  |"), f"{view.__name__}.{field.name} has no docstring"
        assert f"## `{view.__name__}`" in reference


def test_docs_themes_md_is_generated_from_the_views() -> None:
    check = subprocess.run(
        [sys.executable, str(REPO / "tools" / "make_theme_docs.py"), "--check"], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr
    assert (REPO / "docs" / "themes.md").read_text(encoding="utf-8") == views.theme_reference()


def test_html_in_the_reference_is_shown_as_code_not_rendered_by_github() -> None:
    import re

    reference = views.theme_reference()
    for line in reference.splitlines():
        if line.startswith("| `"):
            assert not re.search(r"[<>]", re.sub(r"`[^`]*`", "", line)), line
    assert "(for `<label for>`)" in reference and "(`tags/<slug>/`)" in reference
    assert 'Plain text for `<meta name="description">`, og:description' in reference
    assert views._markdown_text("a < b, `<kept>`, x > y") == "a &lt; b, `<kept>`, x &gt; y"


def test_make_theme_docs_refuses_unknown_arguments_and_writes_nothing(tmp_path) -> None:
    docs = REPO / "docs" / "themes.md"
    before = docs.stat().st_mtime_ns
    for argument in ("--help", "--chek", "extra"):
        run = subprocess.run(
            [sys.executable, str(REPO / "tools" / "make_theme_docs.py"), argument], capture_output=True, text=True
        )
        assert run.returncode == 2 and run.stderr.startswith("usage: python tools/make_theme_docs.py [--check]")
        assert run.stdout == ""
    assert docs.stat().st_mtime_ns == before
