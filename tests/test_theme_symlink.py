"""A theme's static file that is a symlink to somewhere else on disk is refused, not published."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import build_site, write_files

from generator.errors import SiteError

SITE = "title: Test Studio\nbase_url: https://shop.example/\ntheme: leaky\ncontact:\n  email: a@shop.example\n"


def test_symlink_out_of_a_theme_static_folder_fails_the_build(make_site, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    themes = tmp_path / "themes"
    write_files(themes, {"leaky/theme.yaml": "extends: default\n", "leaky/static/ok.css": "a{}"})
    (themes / "leaky" / "static" / "leak.txt").symlink_to(secret)
    content = make_site({"site.yaml": SITE})
    with pytest.raises(SiteError, match="outside the theme's static folder") as info:
        build_site(content, themes=themes)
    assert info.value.path is not None and info.value.path.name == "leak.txt"
    (themes / "leaky" / "static" / "leak.txt").unlink()
    assert "static/ok.css" in build_site(content, themes=themes).outputs


def test_symlink_inside_the_static_folder_is_fine(make_site, tmp_path: Path) -> None:
    themes = tmp_path / "themes"
    write_files(themes, {"leaky/theme.yaml": "extends: default\n", "leaky/static/real.css": "a{}"})
    (themes / "leaky" / "static" / "alias.css").symlink_to(themes / "leaky" / "static" / "real.css")
    result = build_site(make_site({"site.yaml": SITE}), themes=themes)
    assert {"static/real.css", "static/alias.css"} <= set(result.outputs)
