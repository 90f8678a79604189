"""Themes are code a maker downloads: they render in Jinja's sandbox and see only views, so a theme
cannot reach the content folder, Python's modules or the site secret, whatever it tries."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import TEST_SECRET, build_into, default_files, text_of, write_files

from generator.errors import BuildFailed, SiteError

PRIVATE = """\
title: Heronsgate Commission
price: 90
private: true
buyer: Wilhelmina Quarrystone
images:
  - {src: images/mug.png, alt: A jug}
"""

# Escapes from Jinja templates published for unsandboxed (and older sandboxed) environments.
ESCAPES = {
    "content folder through the config": "{{ site.config.source.path }}",
    "os through cycler's globals": "{{ cycler.__init__.__globals__.os.listdir('.') }}",
    "os through joiner's globals": "{{ joiner.__init__.__globals__['os'] }}",
    "os through lipsum's globals": "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "every class through str's mro": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "every class through a number": "{{ (0).__class__.__base__.__subclasses__() }}",
    "attr filter": "{{ page|attr('__class__') }}",
    "str.format": "{{ '{0.__class__.__init__.__globals__}'.format(site) }}",
    "format through a filter": "{{ '%s'|format(site.__class__.__init__.__globals__) }}",
    "template internals": "{{ self._TemplateReference__context }}",
    "a Markdown object's functions": "{% if listing %}{{ listing.description.__html__.__globals__ }}{% endif %}",
    "namespace's globals": "{{ namespace.__init__.__globals__ }}",
    "changing a view": "{{ site.listings.append(site.listings[0]) }}",
    "changing extra": "{% set _ = site.extra.update({'a': 1}) %}",
    "filling the memory with text": '{{ "x" * 10**10 }}',
    "filling the memory with a list": "{{ (site.listings * 100000000)|length }}",
    "a huge power": "{{ 10 ** 10000000 }}",
}


def _shop(make_site, tmp_path: Path, template: str) -> Path:
    write_files(tmp_path / "themes", {"default/templates/partials/footer.html": f"<footer>{template}</footer>\n"})
    return make_site({"listings/heron.yaml": PRIVATE})


@pytest.mark.parametrize("template", list(ESCAPES.values()), ids=list(ESCAPES))
def test_known_sandbox_escapes_fail_the_build_and_write_nothing(make_site, tmp_path: Path, template: str) -> None:
    content = _shop(make_site, tmp_path, template)
    out = tmp_path / "out"
    with pytest.raises((BuildFailed, SiteError)) as exc:
        build_into(content, out)
    message = str(exc.value)
    assert "footer.html" in message and "template error" in message, message
    assert "Traceback" not in message
    assert not out.exists()
    assert TEST_SECRET not in message and "Quarrystone" not in message


def test_the_secret_and_private_listings_are_out_of_reach_of_public_pages(make_site, tmp_path: Path) -> None:
    """A theme that dumps everything it is given shows nothing of a private listing."""
    dump = (
        "{{ site }}|{{ site.config }}|{{ site.listings|map(attribute='title')|join(',') }}"
        "|{{ site.tags|map(attribute='listings')|list }}|{{ site.extra }}|{{ page }}"
    )
    content = _shop(make_site, tmp_path, dump)
    result = build_into(content, tmp_path / "out")
    home = text_of(result, "index.html")
    assert "Blue Mug" in home  # the dump really ran
    for page in ("index.html", "listings/blue-mug/index.html", "maker/index.html"):
        text = text_of(result, page)
        assert "Heronsgate" not in text and "Quarrystone" not in text and TEST_SECRET not in text
        assert "PosixPath" not in text and str(content) not in text


def test_a_view_offers_no_path_or_source_object(make_site, tmp_path: Path) -> None:
    content = make_site(default_files())
    write_files(
        tmp_path / "themes",
        {"default/templates/partials/footer.html": "<footer>{{ site.config.contact.email }}</footer>\n"},
    )
    result = build_into(content, tmp_path / "out")
    assert "<footer>hello@shop.example</footer>" in text_of(result, "index.html")
    for template in ("{{ site.config.source }}", "{{ site.config.favicon }}", "{{ site.config.modified }}"):
        write_files(tmp_path / "themes", {"default/templates/partials/footer.html": f"<footer>{template}</footer>\n"})
        with pytest.raises((BuildFailed, SiteError), match="has no attribute"):
            build_into(content, tmp_path / "out2")


def test_a_theme_cannot_include_a_file_from_outside_through_a_symlink(make_site, tmp_path: Path) -> None:
    """A downloaded theme with `templates/root -> /` (or a link to the secret file) includes
    nothing from outside its folder."""
    content = make_site({"listings/heron.yaml": PRIVATE})
    secret_file = content.parent / ".makerfront-secret"
    secret_file.write_text(TEST_SECRET + "\n")
    templates = tmp_path / "themes" / "default" / "templates"
    write_files(
        tmp_path / "themes",
        {"default/templates/partials/footer.html": '<footer>{% include "outside/secret.txt" %}</footer>\n'},
    )
    (templates / "outside").mkdir()
    (templates / "outside" / "secret.txt").symlink_to(secret_file)
    with pytest.raises((BuildFailed, SiteError)) as exc:
        build_into(content, tmp_path / "out")
    assert "is a link to a place outside the theme's templates folder" in str(exc.value)
    assert TEST_SECRET not in str(exc.value)
    assert not (tmp_path / "out").exists()


def test_a_description_kept_in_the_build_cache_tells_a_theme_nothing_about_the_computer(
    make_site, tmp_path: Path
) -> None:
    """With the build cache, a listing's description is read from a file in it: a theme gets
    its HTML, never that file's place (which names the maker's home folder)."""
    content = make_site(default_files())
    for attribute in ("path", "key", "_path", "offset"):
        write_files(
            tmp_path / "themes",
            {
                "default/templates/partials/footer.html": "<footer>{% if listing %}{{ listing.description."
                + attribute
                + " }}{% endif %}</footer>\n"
            },
        )
        with pytest.raises((BuildFailed, SiteError)):
            build_into(content, tmp_path / f"out-{attribute}")
