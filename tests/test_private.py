"""Private listings: built at p/<token>/, shown nowhere else, stopped by the leak guard."""

from __future__ import annotations

import dataclasses
import html
import json
import re
from pathlib import Path

import pytest
from conftest import (
    BUILD_DATE,
    REPO,
    TEST_SECRET,
    build_into,
    build_site,
    leak_private_listings_into_public_pages,
    png_bytes,
    text_of,
    write_files,
)
from leakscan import PrivateFacts, all_paths, assert_visible_in_own_folder, scan, with_tokens

from generator import cli, pipeline
from generator.errors import BuildFailed
from generator.pipeline import BuildOptions, build
from generator.plan import Asset, headers_rules
from generator.render import Renderer
from generator.secret import listing_token
from generator.theme import load_theme

QUILL = """\
title: Quillfeather Bird Trio
price: 96
private: true
buyer: Marisol Quenby
expires: 2030-01-01
images:
  - {src: images/private/quill-duck.png, alt: A wood duck mug}
  - {src: images/private/quill-robin.png, alt: A robin mug}
description: Three mugs glazed with **zanzibar plumage** colours, as discussed.
tags: [mugs, birds]
customizations:
  - name: Handle
    type: choice
    options:
      - Left
      - label: Ochre Vortex
        price: 5
"""

VEX = """\
title: Vexbridge Lantern
price: 140
private: true
buyer: Thaddeus Orrin
images:
  - {src: images/vex-lamp.png, alt: A lantern}
  - {src: images/mug.png, alt: The mug it was based on}
description: A lantern in cobalt driftwood glaze.
tags: [lanterns]
"""

TODAY_ONLY = """\
title: Lastday Gravy Boat
price: 30
private: true
expires: 2026-11-27
images:
  - {src: images/lastday-boat.png, alt: A gravy boat}
description: Made for the harvest supper with marbled umberflow glaze.
"""

EXPIRED = """\
title: Obsolete Plinth Commission
price: 50
private: true
buyer: Ignatius Wexley
expires: 2026-11-01
images:
  - {src: images/plinth.png, alt: A plinth}
description: A plinth in faded terracotta murmur.
"""

BOWL = """\
title: Green Bowl
price: 40
images:
  - {src: images/bowl.png, alt: A green bowl}
description: A bowl for soup.
tags: [bowls, mugs]
"""

PAGE = """\
---
title: Shipping
---
We ship within three days.
"""

FACTS = [
    PrivateFacts(
        slug="quillfeather-trio",
        title="Quillfeather Bird Trio",
        buyer="Marisol Quenby",
        phrase="zanzibar plumage",
        images=("quill-duck.png", "quill-robin.png"),
        extra=("Ochre Vortex",),
    ),
    PrivateFacts(
        slug="vexbridge-lantern",
        title="Vexbridge Lantern",
        buyer="Thaddeus Orrin",
        phrase="cobalt driftwood",
        images=("vex-lamp.png",),
    ),
    PrivateFacts(
        slug="lastday-boat",
        title="Lastday Gravy Boat",
        buyer=None,
        phrase="marbled umberflow",
        images=("lastday-boat.png",),
    ),
]
EXPIRED_FACTS = PrivateFacts(
    slug="old-commission",
    title="Obsolete Plinth Commission",
    buyer="Ignatius Wexley",
    phrase="terracotta murmur",
    images=("plinth.png",),
)


def shop_files(**extra: str | bytes | None) -> dict[str, str | bytes | None]:
    files: dict[str, str | bytes | None] = {
        "listings/quillfeather-trio.yaml": QUILL,
        "listings/vexbridge-lantern.yaml": VEX,
        "listings/lastday-boat.yaml": TODAY_ONLY,
        "listings/old-commission.yaml": EXPIRED,
        "listings/green-bowl.yaml": BOWL,
        "pages/shipping.md": PAGE,
        "images/private/quill-duck.png": png_bytes((10, 20, 30)),
        "images/private/quill-robin.png": png_bytes((200, 20, 30)),
        "images/vex-lamp.png": png_bytes((20, 20, 200)),
        "images/lastday-boat.png": png_bytes((120, 120, 20)),
        "images/plinth.png": png_bytes((90, 90, 90)),
        "images/bowl.png": png_bytes((20, 160, 20)),
    }
    files.update(extra)
    return files


def token(slug: str) -> str:
    return listing_token(TEST_SECRET, slug)


# -- nothing leaks ------------------------------------------------------------------------------


@pytest.mark.parametrize("form_action", [None, "https://forms.example/f/abc"])
def test_no_private_listing_leaks_into_any_output_file(make_site, tmp_path: Path, form_action: str | None) -> None:
    site_yaml = "title: Test Studio\nbase_url: https://shop.example/studio/\ncontact:\n  email: hi@shop.example\n"
    if form_action:
        site_yaml += f"  form_action: {form_action}\n"
    out = tmp_path / "out"
    build_into(make_site(shop_files(**{"site.yaml": site_yaml})), out)
    facts = with_tokens(FACTS, TEST_SECRET)
    expired = with_tokens([EXPIRED_FACTS], TEST_SECRET)

    assert_visible_in_own_folder(out, facts)
    assert scan(out, facts + expired) == []
    # The expired listing was not built at all.
    assert not (out / expired[0].folder).exists()
    # Sanity: the scan covers folders and every kind of file the site has.
    paths = all_paths(out)
    assert "p/" in paths and {"index.html", "404.html", "_headers", "static/style.css"} <= set(paths)
    robots = out / "robots.txt"
    if robots.exists():  # written by the search-engine issue; it must not point at private pages
        assert not [line for line in robots.read_text().splitlines() if "/p/" in line or "/p" == line.strip()[-2:]]


def test_scanner_detects_a_leak(make_site, tmp_path: Path) -> None:
    """The scanner is not blind: a private value put into a public page by hand is reported."""
    out = tmp_path / "out"
    build_into(make_site(shop_files()), out)
    facts = with_tokens(FACTS, TEST_SECRET)
    (out / "maker" / "index.html").write_text("made for marisol&#32;QUENBY", encoding="utf-8")
    (out / "static" / facts[1].images[0]).write_bytes(b"x")
    problems = scan(out, facts)
    assert "maker/index.html: contains quillfeather-trio's buyer" in problems
    assert f"static/{facts[1].images[0]}: path contains vexbridge-lantern's image 0" in problems


def test_private_pages_and_photos_live_only_in_their_folder(make_site) -> None:
    result = build_site(make_site(shop_files()))
    quill = f"p/{token('quillfeather-trio')}/"
    vex = f"p/{token('vexbridge-lantern')}/"
    quill_photos = {o for o in result.outputs if o.startswith(quill + "photo-")}
    assert quill + "index.html" in result.outputs
    assert len({o.rsplit("-", 1)[0] for o in quill_photos}) == 2  # two photos, each in 4 files
    assert not [o for o in result.outputs if "quill" in o.casefold() and not o.startswith(quill)]
    # A public photo a private listing also uses is made into its folder too, and stays public.
    vex_photos = {o.rsplit("-", 1)[0] for o in result.outputs if o.startswith(vex + "photo-")}
    assert len(vex_photos) == 2 and "images/mug-800.jpg" in result.outputs
    assert not [o for o in result.outputs if o.startswith("images/private/") or o.startswith("images/vex-lamp")]
    assert not [o for o in result.outputs if o.endswith(".png")]  # no original is published
    assert not [o for o in result.outputs if o.startswith("listings/") and "bowl" not in o and "mug" not in o]
    assert result.private_count == 3
    page = text_of(result, quill + "index.html")
    assert f'src="../../{quill}photo-' in page and "quill-duck" not in page


def test_tags_of_private_listings_make_no_pages_and_count_for_nothing(make_site) -> None:
    result = build_site(make_site(shop_files()))
    assert "tags/birds/index.html" not in result.outputs
    assert "tags/lanterns/index.html" not in result.outputs
    mugs = text_of(result, "tags/mugs/index.html")
    assert "2 pieces tagged" in mugs  # Blue Mug and Green Bowl, not the private trio
    home = text_of(result, "index.html")
    assert "birds" not in home and "lanterns" not in home
    assert 'mugs <span class="count">(2)</span>' in home


# -- the private page ---------------------------------------------------------------------------


def test_private_page_looks_like_a_listing_and_says_who_it_is_for(make_site) -> None:
    content = make_site(
        shop_files(
            **{
                "site.yaml": "title: Test Studio\nbase_url: https://shop.example/\n"
                "contact:\n  email: hi@shop.example\n  form_action: https://forms.example/f\n"
            }
        )
    )
    result = build_site(content)
    url = f"p/{token('quillfeather-trio')}/"
    page = text_of(result, url + "index.html")
    text = html.unescape(page)
    assert "Private listing made for Marisol Quenby" in text
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert '<meta name="referrer" content="no-referrer">' in page
    assert "canonical" not in page and "og:url" not in page
    # Same parts as a public listing page: photos, options with surcharge, live price, order, custom order.
    assert 'alt="A wood duck mug"' in page and 'alt="A robin mug"' in page
    assert "Ochre Vortex (+$5.00)" in text
    assert "data-live-price" in page and "static/listing.js" in page
    assert 'id="order-email"' in page and "Order by email" in page
    assert f"https%3A%2F%2Fshop.example%2F{url.replace('/', '%2F')}" in page  # the order mail names the page
    assert "Ask about a Custom Order" in page and "../../custom-order/?listing=" in page
    # No tag links: private tags make no pages.
    assert 'class="tags"' not in page and "tags/" not in page
    # The public listing page keeps its ordinary tags.
    assert '<meta name="robots"' not in text_of(result, "listings/green-bowl/index.html")


def test_private_page_without_buyer_says_made_for_you(make_site) -> None:
    result = build_site(make_site(shop_files()))
    page = html.unescape(text_of(result, f"p/{token('lastday-boat')}/index.html"))
    assert "Private listing made for you" in page


def test_listing_expiring_today_is_built_and_expired_one_is_reported(make_site) -> None:
    result = build_site(make_site(shop_files()))
    assert f"p/{token('lastday-boat')}/index.html" in result.outputs
    assert not [o for o in result.outputs if token("old-commission") in o]
    assert "listing old-commission.yaml expired on 2026-11-01 and was not built" in result.warnings


def test_headers_file_covers_private_folder_without_naming_tokens(make_site) -> None:
    result = build_site(make_site(shop_files()))
    headers = text_of(result, "_headers")
    assert headers == headers_rules("/")
    assert "/p/*\n  X-Robots-Tag: noindex\n  Referrer-Policy: no-referrer\n" in headers
    assert not any(token(f.slug) in headers for f in FACTS)


def test_headers_file_with_base_path_and_the_makers_own_rules(make_site) -> None:
    site_yaml = "title: T\nbase_url: https://me.github.io/shop/\ncontact:\n  email: a@b.example\n"
    own = "/*\n  X-Frame-Options: DENY\n"
    result = build_site(make_site(shop_files(**{"site.yaml": site_yaml, "static/_headers": own})))
    headers = text_of(result, "_headers")
    assert headers.startswith(own + "\n")
    assert "/p/*\n  X-Robots-Tag: noindex" in headers and "/shop/p/*\n  X-Robots-Tag: noindex" in headers


def test_duplicate_photo_names_get_distinct_files_in_the_folder(make_site) -> None:
    listing = (
        "title: Twin Photo Thing\nprice: 5\nprivate: true\nimages:\n"
        "  - {src: images/a/shot.png, alt: one}\n  - {src: images/b/shot.png, alt: two}\n"
    )
    files = {
        "listings/twin.yaml": listing,
        "images/a/shot.png": png_bytes((1, 2, 3)),
        "images/b/shot.png": png_bytes((3, 2, 1)),
    }
    result = build_site(make_site(files))
    folder = f"p/{token('twin')}/"
    photos = sorted({o.rsplit("-", 1)[0] for o in result.outputs if o.startswith(folder + "photo-")})
    assert len(photos) == 2
    assert result.outputs[photos[0] + "-800.jpg"] != result.outputs[photos[1] + "-800.jpg"]
    page = text_of(result, folder + "index.html")
    assert all(p.removeprefix(folder) in page for p in photos) and "shot" not in page


def test_renderer_never_builds_a_public_view_of_a_private_listing(make_site) -> None:
    result = build_site(make_site(shop_files()))
    renderer = Renderer(result.plan, load_theme("default", Path("themes")), result.photos)
    private = next(x.listing for x in result.plan.private_listings)
    with pytest.raises(ValueError, match="no public view"):
        renderer.listing_view(private)
    assert all(not v.private for v in renderer._listing_views.values())


# -- rebuilding into the same output ------------------------------------------------------------


def test_public_to_private_and_back_removes_the_old_pages(make_site, tmp_path: Path) -> None:
    out = tmp_path / "out"
    public = QUILL.replace("private: true\nbuyer: Marisol Quenby\nexpires: 2030-01-01\n", "")
    content = make_site(shop_files(**{"listings/quillfeather-trio.yaml": public}))
    build_into(content, out)
    folder = out / "p" / token("quillfeather-trio")
    assert (out / "listings/quillfeather-trio/index.html").is_file()
    assert (out / "images/private/quill-duck-800.jpg").is_file()
    assert (out / "tags/birds/index.html").is_file()
    assert not folder.exists()

    write_files(content, {"listings/quillfeather-trio.yaml": QUILL})
    build_into(content, out)
    assert (folder / "index.html").is_file()
    assert not (out / "listings/quillfeather-trio").exists()
    assert not (out / "images/private").exists()
    assert not (out / "tags/birds").exists()
    assert scan(out, with_tokens(FACTS, TEST_SECRET)) == []

    write_files(content, {"listings/quillfeather-trio.yaml": public})
    build_into(content, out)
    assert not folder.exists()
    assert (out / "listings/quillfeather-trio/index.html").is_file()


def test_deleting_or_expiring_a_private_listing_removes_its_folder(make_site, tmp_path: Path) -> None:
    out = tmp_path / "out"
    content = make_site(shop_files())
    build_into(content, out)
    vex, quill = out / "p" / token("vexbridge-lantern"), out / "p" / token("quillfeather-trio")
    assert vex.is_dir() and quill.is_dir()
    write_files(content, {"listings/vexbridge-lantern.yaml": None})
    write_files(content, {"listings/quillfeather-trio.yaml": QUILL.replace("2030-01-01", "2026-01-01")})
    build_into(content, out)
    assert not vex.exists() and not quill.exists()
    assert (out / "p" / token("lastday-boat")).is_dir()


def test_rotating_the_secret_moves_every_private_page(make_site, tmp_path: Path) -> None:
    out = tmp_path / "out"
    content = make_site(shop_files())
    build_into(content, out)
    build_into(content, out, secret="a-brand-new-secret-after-rotation")
    assert not (out / "p" / token("quillfeather-trio")).exists()
    new = listing_token("a-brand-new-secret-after-rotation", "quillfeather-trio")
    assert (out / "p" / new / "index.html").is_file()
    assert sorted(p.name for p in (out / "p").iterdir()) == sorted(
        listing_token("a-brand-new-secret-after-rotation", f.slug) for f in FACTS
    )


# -- the leak guard -----------------------------------------------------------------------------


def _snapshot(out: Path) -> dict[str, bytes]:
    return {p: (out / p).read_bytes() for p in all_paths(out) if not p.endswith("/")}


def test_guard_stops_a_private_link_pasted_into_a_public_page(make_site, tmp_path: Path) -> None:
    out = tmp_path / "out"
    content = make_site(shop_files())
    build_into(content, out)
    before = _snapshot(out)
    link = f"https://shop.example/p/{token('vexbridge-lantern')}/"
    write_files(content, {"pages/shipping.md": PAGE + f"\nSee also [this]({link}).\n"})
    with pytest.raises(BuildFailed) as err:
        build_into(content, out)
    message = str(err.value)
    assert "vexbridge-lantern.yaml: private listing leak: the page shipping/index.html (template page.html)" in message
    assert "would contain this private listing's secret address" in message
    assert token("vexbridge-lantern") not in message
    assert _snapshot(out) == before  # nothing written


def test_guard_stops_a_theme_that_hard_codes_a_private_link(make_site, tmp_path: Path) -> None:
    content = make_site(shop_files(**{"site.yaml": "title: T\nbase_url: https://s.example/\ntheme: mine\n"
                                      "contact:\n  email: a@b.example\n"}))  # fmt: skip
    footer = f'<footer><a href="{{{{ page.root }}}}p/{token("quillfeather-trio")}/">Marisol\'s order</a></footer>\n'
    write_files(tmp_path / "themes", {"mine/templates/partials/footer.html": footer})
    with pytest.raises(BuildFailed) as err:
        build_site(content)
    text = str(err.value)
    assert "quillfeather-trio.yaml: private listing leak: the page 404.html (template 404.html) and 9 more" in text
    assert "would contain this private listing's secret address (p/...)" in text
    assert token("quillfeather-trio") not in text


LEAKY_STATE = """\
{% extends "theme:listing.html" %}
{% import "partials/recent.html" as recent %}
{% block listing_banner %}
{# "Recently viewed": remembers every listing page across pages, private ones included: an
   imported template's namespace outlives the page, even in the sandbox. #}
{% set ns = recent.ns %}
<ul class="recent">{% for u in ns.seen.split() %}<li><a href="{{ page.root }}{{ u }}">seen</a></li>{% endfor %}</ul>
{% set ns.seen = ns.seen ~ " " ~ listing.url %}
{% endblock %}
"""


def _theme_site(make_site, tmp_path: Path, templates: dict[str, str]) -> Path:
    site_yaml = "title: T\nbase_url: https://s.example/\ntheme: leaky\ncontact:\n  email: a@b.example\n"
    content = make_site(shop_files(**{"site.yaml": site_yaml}))
    write_files(tmp_path / "themes", {f"leaky/templates/{k}": v for k, v in templates.items()})
    return content


def test_guard_names_each_private_listing_a_page_leaks(make_site, monkeypatch: pytest.MonkeyPatch) -> None:
    content = make_site(shop_files())
    leak_private_listings_into_public_pages(monkeypatch)
    # Without the guard the pages really do leak (so this test proves the guard is what stops it).
    leaked = build_site(content, leak_guard=False)
    assert "Marisol Quenby" in text_of(leaked, "index.html")
    with pytest.raises(BuildFailed) as err:
        build_site(content)
    errors = err.value.errors
    # One error per private listing (the expired one too: it is still private), naming its file.
    assert sorted(e.path.name for e in errors if e.path) == [
        "lastday-boat.yaml",
        "old-commission.yaml",
        "quillfeather-trio.yaml",
        "vexbridge-lantern.yaml",
    ]
    quill = next(e for e in errors if e.path and e.path.name == "quillfeather-trio.yaml")
    assert quill.message.startswith("private listing leak: the page 404.html (template 404.html) and 9 more files (")
    assert "would contain this private listing's title, buyer and photo file name" in quill.message
    # Other private pages are named by slug, never by their secret address.
    assert "p/<vexbridge-lantern>/index.html" in quill.message
    assert not any(x.token in str(err.value) for x in leaked.plan.private_listings)


def test_a_theme_cannot_carry_one_page_into_another(make_site, tmp_path: Path) -> None:
    """A "recently viewed" list kept in an imported template's namespace: each page gets a new
    module, so nothing of one page (a private listing's address) reaches the next, with or
    without the leak guard, in a serial build and with workers."""
    content = _theme_site(
        make_site, tmp_path, {"listing.html": LEAKY_STATE, "partials/recent.html": "{% set ns = namespace(seen='') %}"}
    )
    for jobs in (1, 2):
        built = build_site(content, leak_guard=False, jobs=jobs)
        tokens = [x.token for x in built.plan.private_listings]
        assert len(tokens) >= 2
        for path in built.outputs:
            if path.endswith(".html"):
                text = text_of(built, path)
                assert 'class="recent"></ul>' in text or 'class="recent"' not in text, path  # always empty
                assert not any(t in text for t in tokens if not path.startswith(f"p/{t}/")), path


def test_guard_stops_the_site_secret_in_output(make_site) -> None:
    content = make_site(shop_files(**{"pages/shipping.md": PAGE + f"\nkey {TEST_SECRET}\n"}))
    with pytest.raises(BuildFailed) as err:
        build_site(content)
    assert "the page shipping/index.html (template page.html) would contain the site secret" in str(err.value)
    assert TEST_SECRET not in str(err.value)


def test_guard_stops_a_plan_bug_that_publishes_private_photos(make_site, monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulates a regression in plan.py: private photos copied into the shared images folder."""
    real = pipeline.plan_site

    def buggy(site, *args, **kw):  # type: ignore[no-untyped-def]
        plan = real(site, *args, **kw)
        leaked = tuple(
            Asset(output=img.src.as_posix(), source=site.content_root / img.src)
            for x in plan.private_listings
            for img in x.listing.images
            if img.src.as_posix() not in {a.output for a in plan.assets}
        )
        return dataclasses.replace(plan, assets=plan.assets + leaked)

    monkeypatch.setattr(pipeline, "plan_site", buggy)
    content = make_site(shop_files())
    assert "images/private/quill-duck.png" in build_site(content, leak_guard=False).outputs
    with pytest.raises(BuildFailed) as err:
        build_site(content)
    assert "quillfeather-trio.yaml: private listing leak: the file images/private/quill-duck.png and 1 more file" in (
        str(err.value)
    )
    assert "photo file name" in str(err.value)


def test_guard_allows_a_buyer_shared_by_two_private_listings(make_site) -> None:
    second = QUILL.replace("Quillfeather Bird Trio", "Second Teapot Venture").replace("zanzibar", "quartzite")
    result = build_site(make_site(shop_files(**{"listings/second-for-marisol.yaml": second})))
    pages = [text_of(result, x.url + "index.html") for x in result.plan.private_listings if x.listing.buyer]
    assert sum("Marisol Quenby" in p for p in pages) == 2


def test_guard_allows_public_words_only_where_the_maker_says_so(make_site) -> None:
    """Buyer 'Ada' is also the maker's name and a private copy of 'Blue Mug' shares its title and
    photo: allowed only with public_mentions. Buyer 'Sam' only appears inside the word 'Sample'."""
    ada = (
        "title: Blue Mug\nprice: 30\nprivate: true\nbuyer: Ada\n"
        "images:\n  - {src: images/mug.png, alt: mug}\ndescription: Just for Ada.\n"
    )
    sam = "title: Sam's Bowl\nprice: 30\nprivate: true\nbuyer: Sam\nimages:\n  - {src: images/bowl.png, alt: b}\n"
    files = {
        "listings/blue-mug-for-ada.yaml": ada,
        "listings/sams-bowl.yaml": sam,
        "listings/green-bowl.yaml": BOWL.replace("A bowl for soup.", "Sample bowl for soup."),
        "images/bowl.png": png_bytes((20, 160, 20)),
    }
    with pytest.raises(BuildFailed) as err:
        build_site(make_site(files))
    assert {(e.path.name if e.path else None, e.line) for e in err.value.errors} == {
        ("blue-mug.yaml", 1),
        ("maker.yaml", 1),
    }
    files["listings/blue-mug-for-ada.yaml"] = ada + "public_mentions: allowed\n"
    result = build_site(make_site(files))
    assert result.private_count == 2


def test_plan_keeps_private_pages_last(make_site) -> None:
    result = build_site(make_site(shop_files()))
    kinds = [p.kind for p in result.plan.pages]
    first_private = kinds.index("private_listing")
    assert set(kinds[first_private:]) == {"private_listing"}
    assert all(not p.indexable for p in result.plan.pages if p.private is not None)


# -- command line -------------------------------------------------------------------------------


def test_build_summary_counts_private_listings_without_addresses(make_site, tmp_path: Path, capsys) -> None:
    content = make_site(shop_files())
    code = cli.main(["build", "--content", str(content), "--output", str(tmp_path / "out")])
    printed = capsys.readouterr()
    assert code == 0
    assert "3 private listings written; see their addresses with: makerfront links" in printed.out
    assert "note: listing old-commission.yaml expired on" in printed.out
    assert not re.search(r"p/[a-z2-7]{32}", printed.out + printed.err)


def test_links_prints_every_private_listing_with_its_full_address(make_site, capsys) -> None:
    content = make_site(shop_files())
    assert cli.main(["links", "--content", str(content), "--base-url", "https://preview.example/shop/"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("4 private listings:\n")
    assert "Quillfeather Bird Trio\n  for:     Marisol Quenby\n  expires: 2030-01-01\n" in out
    assert f"  url:     https://preview.example/shop/p/{token('quillfeather-trio')}/\n" in out
    assert "Lastday Gravy Boat\n  for:     (no buyer given)\n" in out
    assert "expires: 2026-11-01 (expired: no longer built)" in out
    assert "Blue Mug" not in out and "Green Bowl" not in out


def test_links_json(make_site, capsys) -> None:
    content = make_site(shop_files())
    assert cli.main(["links", "--content", str(content), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    by_slug = {d["slug"]: d for d in data}
    assert set(by_slug) == {"quillfeather-trio", "vexbridge-lantern", "lastday-boat", "old-commission"}
    quill = by_slug["quillfeather-trio"]
    assert quill["title"] == "Quillfeather Bird Trio" and quill["buyer"] == "Marisol Quenby"
    assert quill["expires"] == "2030-01-01" and quill["expired"] is False
    assert quill["url"] == f"https://shop.example/p/{token('quillfeather-trio')}/"
    assert by_slug["old-commission"]["expired"] is True
    assert by_slug["lastday-boat"]["buyer"] is None


def test_links_url_matches_the_built_page(make_site, tmp_path: Path, capsys) -> None:
    content = make_site(shop_files())
    out = tmp_path / "out"
    assert cli.main(["build", "--content", str(content), "--output", str(out)]) == 0
    capsys.readouterr()
    cli.main(["links", "--content", str(content), "--json"])
    for entry in json.loads(capsys.readouterr().out):
        path = out / entry["url"].removeprefix("https://shop.example/") / "index.html"
        assert path.is_file() != entry["expired"]


def test_links_without_private_listings(make_site, capsys) -> None:
    content = make_site()
    assert cli.main(["links", "--content", str(content)]) == 0
    assert "No private listings" in capsys.readouterr().out
    assert cli.main(["links", "--content", str(content), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_links_reports_content_errors(make_site, capsys) -> None:
    content = make_site({"listings/bad.yaml": "title: X\nprice: twelve\nimages: []\n"})
    assert cli.main(["links", "--content", str(content)]) == 1
    assert "bad.yaml:2" in capsys.readouterr().err


def test_build_options_secret_wins_over_environment(make_site) -> None:
    result = build(
        BuildOptions(
            content=make_site(shop_files()), themes=Path("themes"), secret="explicit-secret-xyz", today=BUILD_DATE
        )
    )
    assert f"p/{listing_token('explicit-secret-xyz', 'vexbridge-lantern')}/index.html" in result.outputs


# -- the sample shop ----------------------------------------------------------------------------

SAMPLE_FACTS = PrivateFacts(
    slug="bird-mugs-for-sam",
    title="Garden Birds Mug Set: Wood Duck, American Robin and Purple Finch",
    buyer="Sam Whitfield",
    phrase="from your garden feeder",
    images=("bird-mugs-trio.jpg", "bird-mug-wood-duck.jpg", "bird-mug-robin.jpg", "bird-mug-finch.jpg"),
)


def test_sample_shop_private_listing_is_built_and_never_leaks(tmp_path: Path) -> None:
    """The bundled sample's seed example: three bird mugs in the eagle mug's style for one buyer."""
    out = tmp_path / "out"
    result = build_into(REPO / "content", out, themes=REPO / "themes")
    facts = with_tokens([SAMPLE_FACTS], TEST_SECRET)
    assert result.private_count == 1
    assert_visible_in_own_folder(out, facts)
    assert scan(out, facts) == []
    page = html.unescape((out / facts[0].folder / "index.html").read_text())
    assert "Private listing made for Sam Whitfield" in page
    for bird in ("wood duck", "American robin", "purple finch"):
        assert bird.lower() in page.lower()
    # Its photos are only in its own folder.
    assert not [p for p in all_paths(out) if "bird-mug" in p and not p.startswith(facts[0].folder)]
