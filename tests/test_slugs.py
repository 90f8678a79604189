"""Tags and file names in every script make readable addresses: the letters are kept (tags/帽子/),
the folder on disk is the UTF-8 name, and every link, sitemap and feed entry writes the address
percent-encoded. Two names that give one address are an error naming both."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, unquote
from xml.etree import ElementTree as ET

import feedparser
import lxml.html
import pytest
import xmlschema
from conftest import TEST_SECRET, build_into, build_site, options, text_of
from sitecheck import html_pages, resolve_link

from generator import pipeline
from generator.devserver import DevServer, PipelineRebuild, watch_roots
from generator.errors import BuildFailed
from generator.guard import find_leaks
from generator.plan import href
from generator.secret import listing_token
from generator.text import slugify

SITEMAP_XSD = Path(__file__).parent / "data" / "sitemap-0.9.xsd"
SM = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
BASE = "https://shop.example/"


def old_slugify(text: str) -> str:
    """makerfront's slugify before letters of every script were kept (ASCII only)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


# -- what a slug becomes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("帽子", "帽子"),
        ("赤い帽子", "赤い帽子"),
        ("マグ", "マグ"),
        ("ﾏｸﾞ", "マグ"),  # half-width katakana: NFKC
        ("кружки", "кружки"),
        ("Кружки для чая", "кружки-для-чая"),
        ("κούπες", "κούπες"),
        ("ΚΟΎΠΕΣ", "κούπες"),  # case-folded, with the final sigma a Greek reader expects
        ("Σας", "σας"),
        ("नमस्ते दुनिया", "नमस्ते-दुनिया"),  # combining vowel signs stay with their letters
        ("한국 도자기", "한국-도자기"),
        ("帽子 / マグ!", "帽子-マグ"),
        ("Café 帽子", "cafe-帽子"),  # an accented ASCII letter loses its accent, as always
        ("Straße", "strasse"),
        ("smørrebrød", "smørrebrød"),
        ("Kırmızı", "kırmızı"),
        ("ｍｕｇ", "mug"),  # full width
        ("♥♥", ""),
    ],
)
def test_slug_keeps_the_letters_of_every_script(text: str, slug: str) -> None:
    assert slugify(text) == slug
    assert slugify(slug) == slug  # a slug is its own slug


@pytest.mark.parametrize(
    "text",
    ["Blue Mugs!", "eagle-mug", "Mug_2", "café", "Crème brûlée", "Phở", "İstanbul", "½ pint", "Tea♥Pot", "Ｍｕｇ",
     "naïve  ", "--x--", "Ǆemal", "™"],
)  # fmt: skip
def test_addresses_made_before_stay_exactly_the_same(text: str) -> None:
    """Text whose letters are all ASCII ones (perhaps accented) gets the slug it always had, so
    no published address changes."""
    assert slugify(text) == old_slugify(text)
    assert slugify(text).isascii()


def test_href_encodes_what_is_not_plain_ascii_once() -> None:
    assert href("tags/帽子/") == "tags/%E5%B8%BD%E5%AD%90/"
    assert href("listings/eagle-mug/") == "listings/eagle-mug/"
    assert href("images/50% off (1).png") == "images/50%25%20off%20%281%29.png"
    assert unquote(href("tags/κούπες/page/2/")) == "tags/κούπες/page/2/"


# -- a shop written in four scripts -----------------------------------------------------------


def listing(title: str, tags: str, extra: str = "") -> str:
    return (
        f"title: {json.dumps(title, ensure_ascii=False)}\nprice: 28\n"
        "images:\n  - {src: images/mug.png, alt: A mug}\n"
        f"description: Handmade.\ntags: {tags}\n{extra}"
    )


SCRIPTS_SHOP: dict[str, str | bytes | None] = {
    "site.yaml": f"title: Test Studio\nbase_url: {BASE}\nlistings_per_page: 1\ncontact:\n  email: hello@shop.example\n",
    "listings/blue-mug.yaml": None,
    "listings/赤い帽子.yaml": listing("赤い帽子", "[帽子, マグ, кружки, κούπες]"),
    "listings/кружка.yaml": listing("Кружка", "[Кружки, ΚΟΎΠΕΣ, 帽子]"),
    "listings/κούπα.yaml": listing("Κούπα", "[κούπες]"),
    "pages/доставка.md": "---\ntitle: Доставка\n---\nМы доставляем.\n",
}
"""Three listings and a page named in Japanese, Russian and Greek, with tags in four scripts;
one listing per page, so the tags' further pages (tags/<slug>/page/2/) are made too."""

TAG_SLUGS = ("帽子", "マグ", "кружки", "κούπες")


@pytest.fixture
def scripts_site(make_site, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    build_into(make_site(SCRIPTS_SHOP), out)
    return out


def test_pages_are_built_at_their_utf8_paths(scripts_site: Path) -> None:
    out = scripts_site
    for path in (
        "listings/赤い帽子/index.html",
        "listings/кружка/index.html",
        "listings/κούπα/index.html",
        "доставка/index.html",
        "tags/帽子/index.html",
        "tags/帽子/page/2/index.html",
        "tags/マグ/index.html",
        "tags/кружки/index.html",
        "tags/кружки/page/2/index.html",
        "tags/κούπες/index.html",
        "tags/κούπες/page/2/index.html",
    ):
        assert (out / path).is_file(), path
    # 'Кружки' and 'кружки', 'ΚΟΎΠΕΣ' and 'κούπες' are one tag each, written in other letter case.
    assert sorted(p.name for p in (out / "tags").iterdir()) == sorted(TAG_SLUGS)
    assert "<h1>Кружки</h1>" in (out / "tags/кружки/index.html").read_text(encoding="utf-8")


def test_links_are_percent_encoded_and_resolve(scripts_site: Path) -> None:
    out = scripts_site
    pages = html_pages(out)
    linked: set[str] = set()
    for rel, page in pages.items():
        for link in page.links():
            if link.startswith(("mailto:", "#")):
                continue
            assert link.isascii(), f"{rel}: link {link!r} is not percent-encoded"
            assert "%25" not in link, f"{rel}: link {link!r} is encoded twice"
            target = resolve_link(out, rel, link, "/")
            if target is None:
                continue
            assert target.is_file(), f"{rel}: link {link!r} points to missing {target.relative_to(out)}"
            linked.add(target.relative_to(out).as_posix())
    for slug in TAG_SLUGS:
        assert f"tags/{slug}/index.html" in linked
        assert (f"tags/{slug}/page/2/index.html" in linked) == (slug != "マグ")  # マグ has one listing
    assert {"listings/赤い帽子/index.html", "listings/кружка/index.html", "доставка/index.html"} <= linked
    listing_page = (out / "listings/赤い帽子/index.html").read_text(encoding="utf-8")
    assert 'href="../../tags/%E5%B8%BD%E5%AD%90/"' in listing_page
    home = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="./%D0%B4%D0%BE%D1%81%D1%82%D0%B0%D0%B2%D0%BA%D0%B0/"' in home  # the menu


def test_canonical_og_url_and_json_ld_use_the_encoded_address(scripts_site: Path) -> None:
    page = lxml.html.fromstring((scripts_site / "listings/赤い帽子/index.html").read_bytes())
    address = BASE + "listings/" + quote("赤い帽子") + "/"
    assert page.xpath('//link[@rel="canonical"]/@href') == [address]
    assert page.xpath('//meta[@property="og:url"]/@content') == [address]
    (product,) = [json.loads(s.text) for s in page.xpath('//script[@type="application/ld+json"]')]
    assert product["url"] == product["offers"]["url"] == address
    assert product["sku"] == "赤い帽子"
    tag = lxml.html.fromstring((scripts_site / "tags/κούπες/page/2/index.html").read_bytes())
    assert tag.xpath('//link[@rel="canonical"]/@href') == [BASE + "tags/" + quote("κούπες") + "/page/2/"]


def test_sitemap_is_valid_and_lists_the_encoded_addresses(scripts_site: Path) -> None:
    data = (scripts_site / "sitemap.xml").read_bytes()
    xmlschema.XMLSchema(SITEMAP_XSD).validate(data.decode("utf-8"))
    locs = [loc.text or "" for loc in ET.fromstring(data).iterfind("sm:url/sm:loc", SM)]
    assert all(loc.isascii() for loc in locs)
    for slug in TAG_SLUGS:
        assert f"{BASE}tags/{quote(slug)}/" in locs
    assert f"{BASE}{quote('доставка')}/" in locs
    for loc in locs:  # each is the address of a built page
        rel = unquote(loc.removeprefix(BASE))
        assert (scripts_site / (rel + "index.html" if rel.endswith("/") or not rel else rel)).is_file(), loc


def test_feed_parses_and_links_to_the_encoded_addresses(scripts_site: Path) -> None:
    data = (scripts_site / "feed.xml").read_bytes()
    ET.fromstring(data)  # well-formed
    feed = feedparser.parse(data)
    assert not feed.bozo, feed.get("bozo_exception")
    links = {e.link for e in feed.entries}
    assert links == {BASE + "listings/" + quote(name) + "/" for name in ("赤い帽子", "кружка", "κούπα")}
    assert all(link.isascii() for link in links)
    entry = next(e for e in feed.entries if e.title == "Кружка")
    assert {t.term for t in entry.tags} == {"кружки", "κούπες", "帽子"}


def test_dev_server_serves_the_pages_at_their_encoded_addresses(make_site, tmp_path: Path) -> None:
    content = make_site(SCRIPTS_SHOP)
    themes = tmp_path / "themes"
    themes.mkdir()
    dev = DevServer(
        PipelineRebuild(options(content, themes=themes)),
        roots=watch_roots(content, themes),
        host="127.0.0.1",
        port=0,
        say=lambda _: None,
        warn=lambda _: None,
    )
    dev.start()
    try:
        import http.client

        def get(target: str) -> tuple[int, dict[str, str], str]:
            conn = http.client.HTTPConnection("127.0.0.1", dev.port, timeout=10)
            try:
                conn.request("GET", target)
                resp = conn.getresponse()
                return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read().decode("utf-8")
            finally:
                conn.close()

        status, _, body = get("/tags/" + quote("帽子") + "/")
        assert status == 200 and "<h1>帽子</h1>" in body
        assert get("/listings/" + quote("кружка") + "/")[0] == 200
        assert "Мы доставляем." in get("/" + quote("доставка") + "/")[2]
        status, headers, _ = get("/tags/" + quote("κούπες"))
        assert status == 302 and headers["location"] == "/tags/" + quote("κούπες") + "/"
        assert get("/tags/" + quote("帽子!") + "/")[0] == 404
    finally:
        dev.stop()


# -- private listings -------------------------------------------------------------------------

PRIVATE = listing("给小明的红杯子", "[帽子, 礼物]", "private: true\nbuyer: 王小明\n")


@pytest.fixture
def private_built(make_site):
    content = make_site({**SCRIPTS_SHOP, "listings/给小明的红杯子.yaml": PRIVATE})
    return build_site(content, leak_guard=False)


def test_a_private_listing_keeps_its_token_address(private_built) -> None:
    (x,) = private_built.plan.private_listings
    assert x.listing.slug == "给小明的红杯子"
    assert x.url == f"p/{listing_token(TEST_SECRET, '给小明的红杯子')}/" and x.url.isascii()
    assert x.url + "index.html" in private_built.outputs
    assert not any("给小明" in out for out in private_built.outputs)  # nowhere as a file name
    assert "tags/礼物/index.html" not in private_built.outputs  # a tag only a private listing has
    tag_page = text_of(private_built, "tags/帽子/index.html")
    assert "给小明" not in tag_page and quote("给小明") not in tag_page
    assert list(find_leaks(private_built.plan, private_built.outputs, TEST_SECRET)) == []


def planted(result, path: str, text: str) -> dict:
    outputs = dict(result.outputs)
    page = outputs[path]
    assert isinstance(page, bytes)
    outputs[path] = page.replace(b"</main>", text.encode("utf-8") + b"</main>")
    return outputs


@pytest.mark.parametrize(
    "written",
    [
        "给小明的红杯子",
        "<p>看看给小明的红杯子吧</p>",  # inside a sentence: Chinese puts no spaces between words
        '<a href="../../tags/x/?q=' + quote("给小明的红杯子") + '">x</a>',
        json.dumps("给小明的红杯子"),  # \\u escapes
        "王小明",
    ],
)
def test_the_leak_guard_finds_a_private_title_or_buyer_in_any_script(private_built, written: str) -> None:
    tag = "tags/" + "帽子" + "/index.html"
    found = {
        (out, n.kind) for out, n in find_leaks(private_built.plan, planted(private_built, tag, written), TEST_SECRET)
    }
    kind = "buyer" if written == "王小明" else "title"
    assert found == {(tag, kind)}


def test_the_leak_guard_finds_a_private_address_on_a_page_with_a_utf8_path(private_built) -> None:
    (x,) = private_built.plan.private_listings
    page = "listings/кружка/index.html"
    for written in (x.url, quote(x.url, safe=""), BASE + x.url):
        found = {
            (out, n.kind)
            for out, n in find_leaks(private_built.plan, planted(private_built, page, written), TEST_SECRET)
        }
        assert found == {(page, "secret address (p/...)")}, written


def test_a_build_with_the_guard_on_refuses_the_leak(make_site) -> None:
    """The maker pastes the private listing's address into a page named in Cyrillic."""
    address = BASE + f"p/{listing_token(TEST_SECRET, '给小明的红杯子')}/"
    page = f"---\ntitle: Доставка\n---\nМы доставляем. [Заказ]({address})\n"
    content = make_site({**SCRIPTS_SHOP, "pages/доставка.md": page, "listings/给小明的红杯子.yaml": PRIVATE})
    with pytest.raises(BuildFailed) as err:
        build_site(content)
    (error,) = err.value.errors
    assert error.path is not None and error.path.name == "给小明的红杯子.yaml"
    assert error.message.startswith(
        "private listing leak: the page доставка/index.html (template page.html) would contain this private "
        "listing's secret address (p/...)"
    )
    assert listing_token(TEST_SECRET, "给小明的红杯子") not in str(err.value)


# -- two names, one address -------------------------------------------------------------------


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.chdir(tmp_path)  # error paths print as content/...
    yield


def errors_of(content: Path) -> list[str]:
    with pytest.raises(BuildFailed) as err:
        build_site(content)
    return [str(e) for e in err.value.errors]


HINT = "\n  hint: write the tag the same way everywhere, or use another word for one of them"


def test_two_tags_of_one_listing_with_one_address(make_site, in_tmp) -> None:
    content = make_site({"listings/blue-mug.yaml": listing("Blue Mug", "[Mugs!, mugs?, MUGS!]")})
    assert errors_of(content) == [
        'content/listings/blue-mug.yaml:6:15: tags[1]: "mugs?" and "Mugs!" (tags[0]) would have the same address'
        " /tags/mugs/" + HINT
    ]


def test_two_tags_in_two_files_with_one_address(make_site, in_tmp) -> None:
    content = make_site(
        {
            "listings/a-bowl.yaml": listing("A Bowl", "[bowls, 帽子]"),
            "listings/b-hat.yaml": listing("A Hat", "[hats, 帽子!]"),
            "listings/c-mug.yaml": listing("A Mug", "\n  - ｍｕｇｓ\n  - 帽子"),
        }
    )
    assert errors_of(content) == [
        'content/listings/b-hat.yaml:6:14: tags[1]: "帽子!" and "帽子" (content/listings/a-bowl.yaml:6)'
        " would have the same address /tags/帽子/" + HINT,
        'content/listings/c-mug.yaml:7:5: tags[0]: "ｍｕｇｓ" and "mugs" (content/listings/blue-mug.yaml:6)'
        " would have the same address /tags/mugs/" + HINT,
    ]


def test_one_tag_in_other_letter_case_is_one_tag(make_site) -> None:
    content = make_site(
        {
            "listings/a-cup.yaml": listing("A Cup", "[Mugs, ΚΟΎΠΕΣ, Кружки]"),
            "listings/b-cup.yaml": listing("B Cup", "[MUGS, κούπες, кружки, кружКИ]"),
        }
    )
    result = build_site(content)
    assert sorted(t.tag.slug for t in result.plan.tags) == ["mugs", "κούπες", "кружки"]
    assert [len(t.listings) for t in result.plan.tags] == [3, 2, 2]


def test_two_listing_files_with_one_address(make_site, in_tmp) -> None:
    content = make_site({"listings/帽子.yaml": listing("Hat", "[]"), "listings/帽子!.yaml": listing("Hat!", "[]")})
    assert errors_of(content) == [
        "content/listings/帽子.yaml:1:1: two listings would have the same address /listings/帽子/"
        " (the other is 帽子!.yaml)\n  hint: rename one of the files"
    ]


def test_two_page_files_with_one_address(make_site, in_tmp) -> None:
    page = "---\ntitle: Доставка\n---\nМы доставляем.\n"
    content = make_site({"pages/Доставка!.md": page, "pages/доставка.md": page})
    assert errors_of(content) == [
        "content/pages/доставка.md:1:1: two pages would have the same address /доставка/ (the other is Доставка!.md)"
    ]


def test_a_tag_clash_made_while_serving_is_reported(make_site, tmp_path: Path) -> None:
    """The dev server's rebuild after one listing changed merges the listings again: the clash is
    found there too."""
    content = make_site({"listings/a-hat.yaml": listing("A Hat", "[帽子]")})
    last = build_site(content)
    (content / "listings/b-hat.yaml").write_text(listing("B Hat", "[帽子!]"), encoding="utf-8")
    with pytest.raises(BuildFailed) as err:
        pipeline.build(options(content), last.reuse(content=True, theme=True, edited=[content / "listings/b-hat.yaml"]))
    (error,) = err.value.errors
    assert error.path == content / "listings/b-hat.yaml" and error.line == 6
    assert '"帽子!" and "帽子"' in error.message
