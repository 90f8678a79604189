"""The benchmark's corpus (benchmarks/corpus.py): its makerfront sites build, and the minimal theme
makes the pages Hugo's templates make, so the clean-build ratio compares like with like."""

from __future__ import annotations

from pathlib import Path

import corpus  # benchmarks/ is on sys.path (conftest.py)
import lxml.html
import pytest

from generator.pipeline import BuildOptions, build_to

from .conftest import BUILD_DATE

N = 100  # three pages of 48 on the home page


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return corpus.write_corpus(tmp_path_factory.mktemp("bench"), N)


def _build(site: Path, themes: Path) -> Path:
    out = site / "output"
    build_to(BuildOptions(content=site / "content", themes=themes, secret="bench-test", today=BUILD_DATE), out)
    return out


def _page(out: Path, url: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((out / url / "index.html").read_bytes())


def test_the_minimal_theme_builds_the_pages_of_the_hugo_templates(root: Path) -> None:
    site = root / "makerfront-minimal"
    out = _build(site, site / "themes")
    item = corpus.items(N)[7]

    page = _page(out, f"listings/{item.slug}")
    assert page.findtext(".//h1") == item.title
    assert page.find_class("price")[0].text_content() == f"${item.price}"
    options = [o.get("value") for o in page.findall(".//select/option")]
    assert options == item.glazes
    assert page.find(".//input").get("maxlength") == "3"
    assert page.find(".//form/a").get("href").startswith("mailto:hello@bench.example?subject=Order")
    assert [a.text for a in page.find_class("tags")[0].findall(".//a")] == item.tags
    assert page.find(".//section/p") is not None  # the rendered description
    assert page.find(".//meta[@name='description']").get("content")
    assert b"application/ld+json" not in (out / f"listings/{item.slug}/index.html").read_bytes()

    # 48 listings a page, with previous and next links, as Hugo's paginate = 48 and Pelican's
    # DEFAULT_PAGINATION = 48.
    home = _page(out, ".")
    assert len(home.find_class("card")) == 48
    assert [a.get("rel") for a in home.findall(".//nav/a")] == ["next"]
    last = _page(out, "page/3")
    assert len(last.find_class("card")) == N - 2 * 48
    assert [a.get("rel") for a in last.findall(".//nav/a")] == ["prev"]
    tag = corpus.TAGS[0]
    tagged = sum(tag in x.tags for x in corpus.items(N))
    tag_page = _page(out, f"tags/{tag}")
    assert tag_page.findtext(".//h1") == tag
    assert tag_page.findtext(".//main/p") == f"{tagged} pieces"
    assert len(tag_page.find_class("card")) == min(tagged, 48)
    assert (out / "maker/index.html").exists()


def test_the_templates_of_the_three_generators_are_paginated_alike() -> None:
    assert "paginate = 48" in corpus.HUGO_CONFIG
    assert ".Paginate" in corpus.HUGO_HOME and ".Paginate" in corpus.HUGO_TERM
    assert "DEFAULT_PAGINATION = 48" in corpus.PELICAN_CONF
    assert "articles_page.object_list" in corpus.PELICAN_INDEX


def test_the_default_theme_site_is_the_same_content(root: Path) -> None:
    default, minimal = root / "makerfront/content", root / "makerfront-minimal/content"
    listings = sorted(p.name for p in (default / "listings").iterdir())
    assert len(listings) == N
    assert listings == sorted(p.name for p in (minimal / "listings").iterdir())
    for name in listings[:5]:
        assert (default / "listings" / name).read_bytes() == (minimal / "listings" / name).read_bytes()
    assert (minimal / "site.yaml").read_text() == (default / "site.yaml").read_text() + "theme: minimal\n"
    out = _build(root / "makerfront", root / "no-themes")  # the built-in theme
    assert b"application/ld+json" in (out / "listings/piece-00007/index.html").read_bytes()


def test_a_corpus_from_another_version_is_written_again(tmp_path: Path) -> None:
    root = corpus.write_corpus(tmp_path, 3)
    (root / ".complete").write_text("1")
    (root / "makerfront/content/site.yaml").write_text("stale")
    assert corpus.write_corpus(tmp_path, 3) == root
    assert (root / "makerfront/content/site.yaml").read_text().startswith("title: Bench Pottery")
    assert (root / ".complete").read_text() == corpus.CORPUS_VERSION
