"""Deploy anywhere: a build under a subpath base_url (a GitHub Pages project site) and at a
domain root is crawled, and every internal link resolves to a file in the output. Plus the
--base-url flag (preview deploys) and base_url validation."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html
import pytest
from conftest import build_into, build_site, png_bytes
from lxml import etree

from generator.cli import main
from generator.config import base_url_problem, normalize_base_url
from generator.errors import BuildFailed
from generator.theme import BUILTIN_THEMES

RICH_SHOP = {
    "maker.yaml": "name: Ada Potter\nphoto: images/ada.png\nlocation: Portland\nbio: I make *mugs*.\n"
    "links:\n  Instagram: https://instagram.example/ada\ncustom_orders:\n  enabled: true\n",
    "images/ada.png": png_bytes((9, 9, 9)),
    "images/icon.png": png_bytes(size=(16, 16)),
    "images/with space é.png": png_bytes((3, 4, 5)),
    "listings/vase.yaml": "title: Tall Vase\nprice: 60\ndate: 2026-01-01\n"
    "images:\n  - {src: 'images/with space é.png', alt: A vase}\n  - {src: images/mug.png, alt: Detail}\n"
    "description: See also [the mug](../blue-mug/).\ntags: [vases, tall things]\n",
    "pages/shipping.md": "---\ntitle: Shipping\n---\nWe ship.\n",
    "pages/faq.md": "---\ntitle: FAQ\nmenu: false\n---\nQuestions.\n",
    "static/CNAME": "shop.example\n",
}


def site_yaml(base_url: str) -> str:
    return (
        f"title: Test Studio\nbase_url: {base_url}\nfavicon: images/icon.png\n"
        "contact:\n  email: hello@shop.example\n  form_action: https://forms.example/f/abc\n"
    )


def page_address(base_url: str, rel: str) -> str:
    """The URL a static host serves output file `rel` at."""
    if rel == "404.html":
        # Hosts serve 404.html in place of any missing page, at any depth.
        return base_url + "some/deep/missing/page/"
    if rel.endswith("index.html"):
        return base_url + rel[: -len("index.html")]
    return base_url + rel


class Crawl:
    def __init__(self, out: Path, base_url: str) -> None:
        self.out = out
        self.base = urlsplit(base_url)
        self.base_url = base_url
        self.checked = 0
        self.problems: list[str] = []

    def target(self, url: str) -> Path | None:
        """Output file for an absolute URL on this site, or None for another site."""
        parts = urlsplit(url)
        if parts.netloc != self.base.netloc:
            return None
        if not parts.path.startswith(self.base.path):
            self.problems.append(f"{url} is outside the site's path {self.base.path}")
            return None
        rel = unquote(parts.path[len(self.base.path) :])
        if rel == "" or rel.endswith("/"):
            rel += "index.html"
        return self.out / rel

    def check(self, where: str, page_url: str, ref: str) -> None:
        url = urljoin(page_url, ref)
        scheme = urlsplit(url).scheme
        if scheme == "mailto":
            return
        if scheme not in ("http", "https"):
            self.problems.append(f"{where}: unexpected link {ref!r}")
            return
        path = self.target(url)
        if path is None:
            return
        self.checked += 1
        if not path.is_file():
            self.problems.append(f"{where}: {ref!r} -> {url} -> missing {path.relative_to(self.out)}")
            return
        fragment = urlsplit(url).fragment
        if fragment and path.suffix == ".html":
            ids = lxml.html.fromstring(path.read_bytes()).xpath("//@id")
            if fragment not in ids:
                self.problems.append(f"{where}: {ref!r}: no element with id {fragment!r}")

    def html(self, rel: str) -> None:
        page_url = page_address(self.base_url, rel)
        tree = lxml.html.fromstring((self.out / rel).read_bytes())
        ids = set(tree.xpath("//@id"))
        for _el, _attr, link, _pos in tree.iterlinks():
            if link.startswith("#"):  # same document, wherever it is served
                self.checked += 1
                if link != "#" and link[1:] not in ids:
                    self.problems.append(f"{rel}: {link!r}: no element with that id")
                continue
            self.check(rel, page_url, link)
        for content in tree.xpath(
            "//meta[@property='og:url' or @property='og:image' or @name='twitter:image']/@content"
        ):
            self.check(rel, page_url, content)
        for script in tree.xpath("//script[@type='application/ld+json']"):
            for url in re.findall(r'"(https?://[^"]+)"', script.text):
                self.check(f"{rel} JSON-LD", page_url, url)

    def css(self, rel: str) -> None:
        text = (self.out / rel).read_text()
        for ref in re.findall(r"url\(\s*['\"]?([^'\")]+)", text):
            if not ref.startswith("data:"):
                self.check(rel, self.base_url + rel, ref)

    def machine_readable(self) -> None:
        sitemap = etree.fromstring((self.out / "sitemap.xml").read_bytes())
        ns = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
        locs = sitemap.xpath("//sm:loc/text()", namespaces=ns)
        assert locs
        for loc in locs:
            assert loc.startswith(self.base_url)
            self.check("sitemap.xml", self.base_url, loc)
        feed = etree.fromstring((self.out / "feed.xml").read_bytes())
        atom = {"a": "http://www.w3.org/2005/Atom"}
        for href in feed.xpath("//a:link/@href | //a:icon/text() | //a:id/text()", namespaces=atom):
            assert href.startswith(self.base_url), href
            self.check("feed.xml", self.base_url, href)
        for line in (self.out / "robots.txt").read_text().splitlines():
            if line.startswith("Sitemap:"):
                self.check("robots.txt", self.base_url, line.split(":", 1)[1].strip())
        manifest = json.loads((self.out / "manifest.webmanifest").read_text())
        manifest_url = self.base_url + "manifest.webmanifest"
        for ref in [manifest["start_url"], *(icon["src"] for icon in manifest.get("icons", []))]:
            self.check("manifest.webmanifest", manifest_url, ref)

    def run(self) -> None:
        for path in sorted(self.out.rglob("*")):
            rel = path.relative_to(self.out).as_posix()
            if path.suffix == ".html":
                self.html(rel)
            elif path.suffix == ".css":
                self.css(rel)
        self.machine_readable()


@pytest.mark.parametrize(
    "base_url",
    ["https://user.github.io/shop/", "https://shop.example/", "https://example.org/stores/ada/"],
)
def test_every_internal_link_resolves_to_a_file(make_site, tmp_path: Path, base_url: str) -> None:
    content = make_site({**RICH_SHOP, "site.yaml": site_yaml(base_url)})
    out = tmp_path / "out"
    build_into(content, out, themes=BUILTIN_THEMES)
    crawl = Crawl(out, base_url)
    crawl.run()
    assert crawl.problems == []
    # The crawl really walked the site: pages, photos, scripts, the feed, the favicon...
    assert crawl.checked > 150
    for must in ("custom-order/index.html", "faq/index.html", "images/with space é-800.jpg", "CNAME"):
        assert (out / must).is_file()


def test_404_links_are_root_absolute_under_the_base_path(make_site, tmp_path: Path) -> None:
    content = make_site({**RICH_SHOP, "site.yaml": site_yaml("https://user.github.io/shop/")})
    out = tmp_path / "out"
    build_into(content, out, themes=BUILTIN_THEMES)
    tree = lxml.html.fromstring((out / "404.html").read_bytes())
    internal = [link for _e, _a, link, _p in tree.iterlinks() if not urlsplit(link).scheme and not link.startswith("#")]
    assert internal
    assert all(link.startswith("/shop/") for link in internal), internal
    # The same page works wherever the host serves it.
    for where in ("https://user.github.io/shop/missing", "https://user.github.io/shop/a/b/c/d/"):
        crawl = Crawl(out, "https://user.github.io/shop/")
        for link in internal:
            crawl.check("404.html", where, link)
        assert crawl.problems == []


def test_base_url_flag_overrides_site_yaml_for_one_build(make_site, tmp_path: Path, capsys) -> None:
    content = make_site({**RICH_SHOP, "site.yaml": site_yaml("https://shop.example/")})
    out = tmp_path / "out"
    preview = "https://deploy-preview-7--ada.netlify.example/pr/7/"
    args = ["--content", str(content), "--themes", str(BUILTIN_THEMES), "--output", str(out)]
    assert main(["build", *args, "--base-url", preview]) == 0
    listing = (out / "listings/vase/index.html").read_text()
    assert f'<link rel="canonical" href="{preview}listings/vase/">' in listing
    assert f"<loc>{preview}listings/vase/</loc>" in (out / "sitemap.xml").read_text()
    assert f"Sitemap: {preview}sitemap.xml" in (out / "robots.txt").read_text()
    assert "shop.example/" not in (out / "feed.xml").read_text()
    crawl = Crawl(out, preview)
    crawl.run()
    assert crawl.problems == []
    # Without the flag the next build is back to site.yaml's address.
    assert main(["build", *args]) == 0
    assert (
        '<link rel="canonical" href="https://shop.example/listings/vase/">'
        in (out / "listings/vase/index.html").read_text()
    )


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        ("shop.example", "https://"),
        ("ftp://shop.example/", "https://"),
        ("https://", "https://"),
        ("https://shop.example/?preview=1", "'?' or '#'"),
        ("https://shop.example/#top", "'?' or '#'"),
        ("https://shop example/", "full web address"),
        ('https://shop.example/"><script>', "full web address"),
        ("https://user:secret@shop.example/", "user name or password"),
        ("https://shop.example:port/", "full web address"),
    ],
)
def test_bad_base_url_flag_is_a_usage_error(make_site, tmp_path: Path, capsys, bad: str, says: str) -> None:
    content = make_site()
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exc:
        main(["build", "--content", str(content), "--output", str(out), "--base-url", bad])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "argument --base-url:" in err and says in err and repr(bad) in err
    assert not out.exists()


def test_base_url_problem_accepts_real_addresses() -> None:
    for good in (
        "https://shop.example",
        "https://shop.example/",
        "http://localhost:8000/",
        "https://user.github.io/shop/",
        "https://bucket.s3.eu-west-1.amazonaws.example/shop/v2/",
    ):
        assert base_url_problem(good) is None, good
    assert normalize_base_url("https://shop.example") == "https://shop.example/"
    assert normalize_base_url("HTTPS://shop.example/caf\u00e9") == "https://shop.example/caf%C3%A9/"
    assert normalize_base_url("https://shop.example/a%20b/") == "https://shop.example/a%20b/"


def test_bad_base_url_in_site_yaml_names_file_and_line(make_site) -> None:
    content = make_site(
        {"site.yaml": "title: T\nbase_url: https://shop.example/?x=1\ncontact:\n  email: a@shop.example\n"}
    )
    with pytest.raises(BuildFailed) as exc:
        build_site(content)
    (err,) = exc.value.errors
    assert "site.yaml:2:11: base_url: must not contain '?' or '#'" in str(err)


def test_bad_base_url_passed_to_the_pipeline_is_a_build_error(make_site) -> None:
    with pytest.raises(BuildFailed) as exc:
        build_site(make_site(), base_url="javascript:alert(1)//")
    assert any(str(e).startswith("--base-url: ") for e in exc.value.errors)
