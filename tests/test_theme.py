"""Theme overrides: a maker's theme replaces single templates or static files of `default`,
can extend the template it replaces with `theme:`, and a missing template names where it looked."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import BUILTIN_THEMES, build_into, build_site, default_files, text_of, write_files

from generator.errors import BuildFailed, SiteError
from generator.write import MARKER


def with_theme(make_site, tmp_path: Path, theme: str, files: dict[str, str]) -> Path:
    write_files(tmp_path / "themes", files)
    site = str(default_files()["site.yaml"]) + f"theme: {theme}\n"
    return make_site({"site.yaml": site})


def test_theme_overrides_one_template_and_one_stylesheet(make_site, tmp_path: Path) -> None:
    content = with_theme(
        make_site,
        tmp_path,
        "mytheme",
        {
            "mytheme/theme.yaml": "extends: default\n",
            "mytheme/templates/partials/footer.html": '<footer class="mine">Made by {{ site.maker.name }}</footer>\n',
            "mytheme/static/style.css": "body { color: rebeccapurple; }\n",
        },
    )
    out = tmp_path / "out"
    result = build_into(content, out)
    for page in ("index.html", "maker/index.html", "listings/blue-mug/index.html", "404.html"):
        html = text_of(result, page)
        assert '<footer class="mine">Made by Ada Potter</footer>' in html, page
        assert "site-footer" not in html
        assert '<header class="site-header">' in html  # everything else still comes from default
    assert (out / "static" / "style.css").read_text() == "body { color: rebeccapurple; }\n"
    default_js = (BUILTIN_THEMES / "default" / "static" / "listing.js").read_bytes()
    assert (out / "static" / "listing.js").read_bytes() == default_js
    assert sorted(p.name for p in (tmp_path / "themes" / "mytheme").rglob("*") if p.is_file()) == [
        "footer.html",
        "style.css",
        "theme.yaml",
    ]
    assert (out / MARKER).exists()


def test_a_themes_default_folder_beside_content_overrides_the_built_in_theme_file_by_file(
    make_site, tmp_path: Path
) -> None:
    """No `theme:` line: the maker's themes/default/ holds only the files it changes."""
    write_files(tmp_path / "themes", {"default/templates/partials/footer.html": '<footer class="mine">Mine</footer>\n'})
    result = build_into(make_site(), tmp_path / "out")
    html = text_of(result, "listings/blue-mug/index.html")
    assert '<footer class="mine">Mine</footer>' in html
    assert '<header class="site-header">' in html  # the rest is the built-in default
    assert (tmp_path / "out" / "static" / "style.css").read_bytes() == (
        BUILTIN_THEMES / "default" / "static" / "style.css"
    ).read_bytes()


def test_override_extends_the_template_it_replaces(make_site, tmp_path: Path) -> None:
    content = with_theme(
        make_site,
        tmp_path,
        "mytheme",
        {
            "mytheme/theme.yaml": "extends: default\n",
            "mytheme/templates/listing.html": '{% extends "theme:listing.html" %}\n'
            '{% block listing_banner %}<p class="banner">Only {{ listing.price }}!</p>{% endblock %}\n',
        },
    )
    html = text_of(build_site(content), "listings/blue-mug/index.html")
    assert '<p class="banner">Only $28.00!</p>' in html
    assert html.index('class="banner"') < html.index("<h1>Blue Mug</h1>")
    assert 'id="order-form"' in html  # the rest of default's listing page is still there


def test_parent_theme_overrides_chain_with_theme_prefix(make_site, tmp_path: Path) -> None:
    """grand -> mid -> default, both overriding listing.html with `theme:`: each extends the next."""
    content = with_theme(
        make_site,
        tmp_path,
        "grand",
        {
            "mid/theme.yaml": "extends: default\nextra: {accent: blue, size: big}\n",
            "mid/templates/listing.html": '{% extends "theme:listing.html" %}'
            '{% block listing_banner %}<p class="mid">mid</p>{% endblock %}',
            "grand/theme.yaml": "extends: mid\nextra: {accent: red}\n",
            "grand/templates/listing.html": '{% extends "theme:listing.html" %}'
            '{% block listing_banner %}<p class="grand">grand {{ site.extra.accent }} {{ site.extra.size }}</p>'
            "{{ super() }}{% endblock %}",
        },
    )
    html = text_of(build_site(content), "listings/blue-mug/index.html")
    assert '<p class="grand">grand red big</p><p class="mid">mid</p>' in html
    assert "<h1>Blue Mug</h1>" in html


def test_missing_template_names_the_folders_searched(make_site, tmp_path: Path) -> None:
    content = with_theme(
        make_site,
        tmp_path,
        "mytheme",
        {
            "mytheme/templates/home.html": '{% extends "base.html" %}{% block main %}{% include "partials/hero.html" %}'
            "{% endblock %}"
        },
    )
    with pytest.raises(SiteError) as exc:
        build_site(content)
    message = str(exc.value)
    mine = (tmp_path / "themes" / "mytheme" / "templates").as_posix()
    default = (BUILTIN_THEMES / "default" / "templates").as_posix()
    assert f"template 'partials/hero.html' not found; searched {mine}, {default}." in message
    assert f"Create {mine}/partials/hero.html" in message


def test_unknown_theme_and_theme_loops_are_errors(make_site, tmp_path: Path) -> None:
    content = with_theme(make_site, tmp_path, "nosuch", {})
    with pytest.raises(SiteError, match="theme 'nosuch' not found"):
        build_site(content)
    content = with_theme(make_site, tmp_path, "a", {"a/theme.yaml": "extends: b\n", "b/theme.yaml": "extends: a\n"})
    with pytest.raises(SiteError, match="themes extend each other in a loop"):
        build_site(content)
    content = with_theme(make_site, tmp_path, "typo", {"typo/theme.yaml": "extend: default\n"})
    with pytest.raises(BuildFailed, match="did you mean 'extends'"):
        build_site(content)


def test_template_syntax_error_names_file_and_line(make_site, tmp_path: Path) -> None:
    content = with_theme(
        make_site,
        tmp_path,
        "mytheme",
        {"mytheme/templates/partials/footer.html": "<footer>\n{% if site.title %}\n</footer>\n"},
    )
    with pytest.raises(SiteError) as exc:
        build_site(content)
    assert exc.value.path == tmp_path / "themes" / "mytheme" / "templates" / "partials" / "footer.html"
    assert exc.value.line == 3
    assert exc.value.message.startswith("template error: Unexpected end of template")
