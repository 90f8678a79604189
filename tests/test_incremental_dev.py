"""The dev server's rebuild after edits to listing files (pipeline.build given the last build) gives
exactly what a full build gives.

A property test edits listing files at random (price, title, tags, description, customizations,
private flipped; listings added and deleted; now and then a broken file, then fixed), rebuilds
through the dev server's PipelineRebuild with the events a watcher would report, and compares
every output with a clean build of the same content. It also checks that the fast path really
ran, and that no private listing shows up outside its own folder at any step.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import BUILD_DATE, TEST_SECRET
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_incremental import TAGS, Shop, text_st

from generator.devserver import PipelineRebuild, watch_roots
from generator.errors import BuildFailed
from generator.pipeline import BuildOptions, BuildResult, build
from generator.watch import FULL_BUILD, ChangeSet, FileEvent, classify


class PagedShop(Shop):
    """Two listings per page, so edits move listings between the pages of home and tag lists."""

    def write_site(self) -> None:
        super().write_site()
        path = self.content / "site.yaml"
        path.write_text(path.read_text() + "listings_per_page: 2\n")
        self._touch(path)


def _options(shop: Shop) -> BuildOptions:
    return BuildOptions(content=shop.content, themes=shop.themes, secret=TEST_SECRET, jobs=1, today=BUILD_DATE)


def _events(shop: Shop, *rels: str, kind: str = "modified") -> ChangeSet:
    roots = watch_roots(shop.content, shop.themes)
    return classify([FileEvent(kind, str((shop.root / rel).resolve())) for rel in rels], roots)  # type: ignore[arg-type]


def _same_as_clean_build(shop: Shop, served: dict[str, object]) -> None:
    clean = build(_options(shop))
    assert sorted(served) == sorted(clean.outputs)
    for path, data in clean.outputs.items():
        assert served[path] == data, f"{path} differs from a clean build"


def _no_private_outside_own_folder(shop: Shop, result: BuildResult) -> None:
    for x in result.plan.private_listings:
        needles = [x.token.encode(), x.listing.title.encode()]
        for path, data in result.outputs.items():
            if path.startswith(x.url) or not isinstance(data, bytes):
                continue
            assert not any(n in data for n in needles), f"private listing {x.listing.slug} in {path}"


@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["price", "title", "tags", "description", "custom", "private", "add", "delete", "break"]),
            st.integers(0, 50),
            text_st(),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_dev_rebuild_after_listing_edits_equals_a_clean_build(tmp_path_factory, steps) -> None:
    shop = PagedShop(root=tmp_path_factory.mktemp("shop"))
    shop.create()
    rebuild = PipelineRebuild(_options(shop))
    rebuild(FULL_BUILD)
    previews: dict[str, bytes] = {}
    rebuild.preview = previews.__setitem__
    broken: str | None = None
    for action, n, words in steps:
        shop.step += 1
        slugs = sorted(shop.listings)
        slug = slugs[n % len(slugs)] if slugs else None
        last_failed = broken is not None
        if broken is not None:  # fix the broken file first: the rebuild after a failure is full
            shop.write_listing(broken)
            touched, kind, broken = broken, "modified", None
        elif action == "add" or slug is None:
            touched, kind = shop.new_listing(), "created"
            shop.write_listing(touched)
        elif action == "delete":
            del shop.listings[slug]
            shop.delete(f"content/listings/{slug}.yaml")
            touched, kind = slug, "deleted"
        elif action == "break":
            shop.write(f"content/listings/{slug}.yaml", "title: [unclosed\n")
            with pytest.raises(BuildFailed) as failed:
                rebuild(_events(shop, f"content/listings/{slug}.yaml"))
            assert f"{slug}.yaml:" in str(failed.value)
            broken = slug
            continue
        else:
            x = shop.listings[slug]
            if action == "price":
                x["price"] = str(10 + n)
            elif action == "title":
                x["title"] = f"{words} {slug}"
            elif action == "tags":
                x["tags"] = sorted({TAGS[n % len(TAGS)], TAGS[(n // 5) % len(TAGS)]})
            elif action == "description":
                x["description"] = f"{words}\n\n- {words}"
            elif action == "custom":
                x["custom"] = n % 3
            elif action == "private":
                x["private"] = not x["private"]
            shop.write_listing(slug)
            touched, kind = slug, "modified"
        previews.clear()
        site = rebuild(_events(shop, f"content/listings/{touched}.yaml", kind=kind))
        # The page served early (a shop without private listings) is the page the rebuild made.
        assert all(site.outputs[out] == page for out, page in previews.items())
        if previews:
            assert rebuild._last is not None and rebuild._last.secret is None
        # The fast path really ran (a full build would pass this test trivially), except right
        # after a failed build, which must be full to report every remaining error.
        assert (rebuild.last_update is None) == last_failed
        _same_as_clean_build(shop, dict(site.outputs))
        assert rebuild._last is not None
        _no_private_outside_own_folder(shop, rebuild._last)


def test_a_price_edit_renders_only_the_pages_showing_that_listing(tmp_path: Path) -> None:
    shop = Shop(root=tmp_path)
    shop.create()
    for _ in range(3):
        shop.write_listing(shop.new_listing())
    shop.listings["piece-2"]["tags"] = ["bowls", "gift"]
    shop.write_listing("piece-2")
    rebuild = PipelineRebuild(_options(shop))
    rebuild(FULL_BUILD)
    shop.listings["piece-2"]["price"] = "99"
    shop.write_listing("piece-2")
    rebuild(_events(shop, "content/listings/piece-2.yaml"))
    assert rebuild.last_update is not None
    # The default theme shows a listing on its own page, the home page and its tag pages.
    assert sorted(rebuild.last_update.rendered) == [
        "index.html",
        "listings/piece-2/index.html",
        "tags/bowls/index.html",
        "tags/gift/index.html",
    ]


def test_other_content_changes_still_build_everything(tmp_path: Path) -> None:
    shop = Shop(root=tmp_path)
    shop.create()
    rebuild = PipelineRebuild(_options(shop))
    rebuild(FULL_BUILD)
    shop.maker = "Grace Potter"
    shop.write_maker()
    site = rebuild(_events(shop, "content/maker.yaml"))
    assert rebuild.last_update is None
    assert b"Grace Potter" in site.outputs["listings/piece-1/index.html"]  # type: ignore[operator]
    # A listing file beside the content folder's listings/ (a sub-folder) is not a listing.
    shop.write("content/listings/old/piece-9.yaml", "title: x\n")
    rebuild(_events(shop, "content/listings/old/piece-9.yaml", kind="created"))
    assert rebuild.last_update is None


def test_on_long_lists_only_the_page_showing_the_listing_is_rendered_again(tmp_path: Path) -> None:
    shop = PagedShop(root=tmp_path)  # two listings per page
    shop.create()
    for _ in range(3):
        shop.write_listing(shop.new_listing())  # piece-1 ... piece-6, all tagged "mugs"
    rebuild = PipelineRebuild(_options(shop))
    rebuild(FULL_BUILD)
    page_of = {p.listing.slug: p.output for p in rebuild._last.plan.pages if p.kind == "listing" and p.listing}  # type: ignore[union-attr]
    shown_on = {
        x.slug: p.output
        for p in rebuild._last.plan.pages  # type: ignore[union-attr]
        if p.kind == "tag"
        for x in p.listings
    }
    slug = "piece-6"
    shop.listings[slug]["price"] = "77"
    shop.write_listing(slug)
    site = rebuild(_events(shop, f"content/listings/{slug}.yaml"))
    assert rebuild.last_update is not None
    tag_pages = sorted(p for p in rebuild.last_update.rendered if p.startswith("tags/"))
    # Only the tag page that shows it: the others only show how many listings the tag has.
    assert tag_pages == [shown_on[slug]]
    assert page_of[slug] in rebuild.last_update.rendered
    _same_as_clean_build(shop, dict(site.outputs))


def test_the_edited_listing_page_is_given_early_and_equals_the_rebuilt_page(tmp_path: Path) -> None:
    shop = Shop(root=tmp_path)
    shop.create()
    for _ in range(3):
        shop.write_listing(shop.new_listing())
    rebuild = PipelineRebuild(_options(shop))
    rebuild(FULL_BUILD)
    previews: dict[str, bytes] = {}
    rebuild.preview = previews.__setitem__

    shop.listings["piece-2"]["price"] = "99"
    shop.listings["piece-2"]["title"] = "Cobalt Jug"
    shop.write_listing("piece-2")
    site = rebuild(_events(shop, "content/listings/piece-2.yaml"))
    assert list(previews) == ["listings/piece-2/index.html"]
    assert b"Cobalt Jug" in previews["listings/piece-2/index.html"]
    assert previews["listings/piece-2/index.html"] == site.outputs["listings/piece-2/index.html"]

    # A new listing had no page to show early; a broken file and a listing turned private get
    # none either (the latter waits for the leak guard, like any page in a shop with private
    # listings).
    previews.clear()
    added = shop.new_listing()
    shop.write_listing(added)
    rebuild(_events(shop, f"content/listings/{added}.yaml", kind="created"))
    assert previews == {}
    # A new file whose listing would take piece-2's address: an error, and no early page.
    shop.write("content/listings/Piece 2.yaml", (shop.content / "listings/piece-2.yaml").read_text())
    with pytest.raises(BuildFailed, match="same address"):
        rebuild(_events(shop, "content/listings/Piece 2.yaml", kind="created"))
    assert previews == {}
    shop.delete("content/listings/Piece 2.yaml")
    shop.write("content/listings/piece-2.yaml", "title: [unclosed\n")
    with pytest.raises(BuildFailed):
        rebuild(_events(shop, "content/listings/piece-2.yaml"))
    shop.write_listing("piece-2")
    rebuild(_events(shop, "content/listings/piece-2.yaml"))  # full: the last build failed
    previews.clear()
    shop.listings["piece-2"]["private"] = True
    shop.write_listing("piece-2")
    site = rebuild(_events(shop, "content/listings/piece-2.yaml"))
    assert rebuild.last_update is not None and previews == {}
    assert "listings/piece-2/index.html" not in site.outputs
    # ... and once the shop has a private listing, no page is given early.
    shop.listings["piece-1"]["price"] = "12"
    shop.write_listing("piece-1")
    rebuild(_events(shop, "content/listings/piece-1.yaml"))
    assert rebuild.last_update is not None and previews == {}
