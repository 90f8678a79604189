"""Incremental builds produce exactly what a clean build produces.

A property test applies random sequences of edits to a small shop (prices, titles, tags,
descriptions, customizations; added, deleted and renamed listings; private flipped; a theme
template and stylesheet; site.yaml and maker.yaml), rebuilds after each step through the command
line (which takes the no-change shortcut, uses the build cache and renders in two worker
processes), and compares the output folder byte for byte with a clean, serial, cache-less build of
the same content. It also breaks a file now and then: the failed build must leave the last good
output exactly as it was. No private listing may appear in any output at any step.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import BUILD_DATE, MUG_YAML, TEST_SECRET, build_into, png_bytes, write_files
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import buildcache
from generator.cli import main
from generator.pipeline import BuildOptions, build_to
from generator.secret import listing_token

LONG_AGO = int(time.time()) - 30 * 86_400
"""An mtime a month before the suite started, whatever the clock says (the suite also runs with
the clock moved to 2019 and 2031): old enough for the build cache to trust a fingerprint."""

TAGS = ["mugs", "bowls", "blue", "gift", "small-batch"]
WORDS = ["clay", "glaze", "River", "stone", "café", "kiln", "ash", "<b>bold</b>", "O'Neil", "amber"]


@dataclass
class Shop:
    """The content as data; every step rewrites the files it changed from it."""

    root: Path
    listings: dict[str, dict[str, object]] = field(default_factory=dict)
    title: str = "Test Studio"
    currency: str = "USD"
    maker: str = "Ada Potter"
    custom_orders: bool = True
    footer: str = "Thanks for visiting"
    css: str = "body { color: #333; }"
    step: int = 0
    counter: int = 0

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def themes(self) -> Path:
        return self.root / "themes"

    def new_listing(self) -> str:
        self.counter += 1
        slug = f"piece-{self.counter}"
        self.listings[slug] = {
            "title": f"Piece {self.counter} marker{self.counter}x",
            "price": "20",
            "tags": ["mugs"],
            "description": "A sturdy **mug**.",
            "custom": 0,
            "private": False,
        }
        return slug

    def _touch(self, path: Path) -> None:
        # Each step's files get their own mtime, far enough in the past that the build cache
        # may trust a fingerprint taken right after; so the no-change shortcut is exercised too.
        stamp = LONG_AGO + self.step * 10
        os.utime(path, (stamp, stamp))

    def write(self, rel: str, text: str | bytes) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        self._touch(path)

    def delete(self, rel: str) -> None:
        (self.root / rel).unlink()
        self._touch((self.root / rel).parent)

    def write_listing(self, slug: str) -> None:
        x = self.listings[slug]
        tags = ", ".join(f'"{t}"' for t in x["tags"])  # type: ignore[attr-defined]
        custom = [
            "",
            "customizations:\n  - name: Colour\n    type: choice\n    options: [Blue, {label: Yellow, price: 4}]\n",
            "customizations:\n  - name: Monogram\n    type: text\n    max_length: 3\n    price: 5\n"
            "  - name: Gift wrap\n    type: checkbox\n    price: 2\n",
        ][x["custom"]]  # type: ignore[index]
        desc = str(x["description"]).replace("\n", "\n  ")
        self.write(
            f"content/listings/{slug}.yaml",
            f'title: "{x["title"]}"\nprice: {x["price"]}\nimages:\n  - {{src: images/mug.png, alt: "A mug"}}\n'
            f"tags: [{tags}]\nprivate: {'true' if x['private'] else 'false'}\n"
            f"description: |\n  {desc}\n{custom}",
        )

    def write_site(self) -> None:
        self.write(
            "content/site.yaml",
            f'title: "{self.title}"\nbase_url: https://shop.example/\ncurrency: {self.currency}\ntheme: mine\n'
            "contact:\n  email: hello@shop.example\n",
        )

    def write_maker(self) -> None:
        self.write(
            "content/maker.yaml",
            f'name: "{self.maker}"\nbio: I make *mugs*.\ncustom_orders:\n'
            f"  enabled: {'true' if self.custom_orders else 'false'}\n  accepts: Mugs\n",
        )

    def write_theme(self) -> None:
        self.write("themes/mine/theme.yaml", "extends: default\n")
        self.write(
            "themes/mine/templates/partials/footer.html",
            f'<footer class="site-footer"><p>{self.footer}</p></footer>\n',
        )
        self.write("themes/mine/static/style.css", self.css + "\n")

    def create(self) -> None:
        self.write("content/images/mug.png", png_bytes())
        self.write_site()
        self.write_maker()
        self.write_theme()
        for _ in range(3):
            self.write_listing(self.new_listing())


def text_st() -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join)


EDITS = st.one_of(
    st.tuples(st.just("price"), st.integers(0, 99), st.sampled_from(["12", "28.50", "140"])),
    st.tuples(st.just("title"), st.integers(0, 99), text_st()),
    st.tuples(st.just("tags"), st.integers(0, 99), st.lists(st.sampled_from(TAGS), max_size=3, unique=True)),
    st.tuples(
        st.just("description"),
        st.integers(0, 99),
        st.sampled_from(["Plain.", "*Two*\n\n- a\n- b", "A [link](https://x.example/)."]),
    ),
    st.tuples(st.just("custom"), st.integers(0, 99), st.integers(0, 2)),
    st.tuples(st.just("add"), st.integers(0, 99), st.none()),
    st.tuples(st.just("delete"), st.integers(0, 99), st.none()),
    st.tuples(st.just("rename"), st.integers(0, 99), st.none()),
    st.tuples(st.just("private"), st.integers(0, 99), st.none()),
    st.tuples(st.just("template"), st.none(), text_st()),
    st.tuples(st.just("stylesheet"), st.none(), st.sampled_from(["red", "blue", "#abcdef"])),
    st.tuples(st.just("site"), st.none(), st.sampled_from(["title", "currency"])),
    st.tuples(st.just("maker"), st.none(), st.sampled_from(["name", "custom_orders"])),
    st.tuples(st.just("nothing"), st.none(), st.none()),
    st.tuples(st.just("break"), st.integers(0, 99), st.none()),
)


def apply(shop: Shop, edit: tuple[str, int | None, object]) -> None:
    kind, index, value = edit
    slugs = sorted(shop.listings)
    slug = slugs[index % len(slugs)] if slugs and index is not None else None
    if kind in ("price", "title", "tags", "description", "custom") and slug:
        key = "custom" if kind == "custom" else kind
        if kind == "title":
            value = f"{value} marker{slug.split('-')[1]}x"
        shop.listings[slug][key] = value
        shop.write_listing(slug)
    elif kind == "add":
        shop.write_listing(shop.new_listing())
    elif kind == "delete" and slug and len(slugs) > 1:
        del shop.listings[slug]
        shop.delete(f"content/listings/{slug}.yaml")
    elif kind == "rename" and slug:
        shop.counter += 1
        new = f"piece-{shop.counter}"
        shop.listings[new] = shop.listings.pop(slug)
        (shop.content / f"listings/{slug}.yaml").rename(shop.content / f"listings/{new}.yaml")
        shop._touch(shop.content / "listings")
    elif kind == "private" and slug:
        shop.listings[slug]["private"] = not shop.listings[slug]["private"]
        shop.write_listing(slug)
    elif kind == "template":
        shop.footer = str(value)
        shop.write_theme()
    elif kind == "stylesheet":
        shop.css = f"body {{ color: {value}; }}"
        shop.write_theme()
    elif kind == "site":
        if value == "title":
            shop.title = "Studio " + str(shop.step)
        else:
            shop.currency = "EUR" if shop.currency == "USD" else "USD"
        shop.write_site()
    elif kind == "maker":
        if value == "name":
            shop.maker = f"Maker {shop.step}"
        else:
            shop.custom_orders = not shop.custom_orders
        shop.write_maker()


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def cli_build(shop: Shop, out: Path) -> int:
    return main(
        ["build", "--content", str(shop.content), "--themes", str(shop.themes), "--output", str(out), "--jobs", "2"]
    )


def clean_build(shop: Shop, out: Path) -> dict[str, bytes]:
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(buildcache.cache_dir_for(out), ignore_errors=True)
    build_to(BuildOptions(content=shop.content, themes=shop.themes, jobs=1, today=BUILD_DATE), out)
    return tree(out)


def assert_no_private(shop: Shop, files: dict[str, bytes]) -> None:
    """A private listing is built at p/<token>/ (the suite's secret) and appears nowhere else."""
    for slug, x in shop.listings.items():
        if not x["private"]:
            continue
        folder = f"p/{listing_token(TEST_SECRET, slug)}/"
        assert folder + "index.html" in files, f"private listing {slug} was not built"
        marker = f"marker{slug.split('-')[1]}x".encode()
        named = re.compile(re.escape(slug.encode()) + rb"(?![0-9])")
        leaks = [
            path
            for path, data in files.items()
            if not path.startswith(folder) and (marker in data or named.search(data))
        ]
        assert not leaks, f"private listing {slug} appears in {leaks}"


@pytest.mark.slow
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(EDITS, min_size=3, max_size=7))
def test_incremental_build_matches_clean_build(tmp_path_factory: pytest.TempPathFactory, edits) -> None:
    shop = Shop(root=tmp_path_factory.mktemp("shop"))
    shop.create()
    out, clean = shop.root / "out", shop.root / "clean"
    assert cli_build(shop, out) == 0
    assert tree(out) == clean_build(shop, clean)
    for edit in edits:
        shop.step += 1
        if edit[0] == "break":
            before = tree(out)
            good = (shop.content / "site.yaml").read_text()
            shop.write("content/site.yaml", good + "title: [unclosed\n")
            assert cli_build(shop, out) == 1
            assert tree(out) == before, "a failed build changed the output"
            shop.write("content/site.yaml", good)
        else:
            apply(shop, edit)
        assert cli_build(shop, out) == 0, edit
        incremental = tree(out)
        assert incremental == clean_build(shop, clean), f"after {edit}"
        assert_no_private(shop, incremental)


def test_second_build_with_nothing_changed_takes_the_shortcut(make_site, tmp_path: Path, capsys) -> None:
    content = make_site()
    for path in content.rglob("*"):
        os.utime(path, (LONG_AGO, LONG_AGO))
    out = tmp_path / "out"
    args = ["build", "--content", str(content), "--themes", str(tmp_path / "themes"), "--output", str(out)]
    assert main(args) == 0
    assert "Built" in capsys.readouterr().out
    assert main(args) == 0
    assert "Nothing changed" in capsys.readouterr().out
    # A deleted output file is noticed and rebuilt.
    (out / "maker" / "index.html").unlink()
    assert main(args) == 0
    assert "Built" in capsys.readouterr().out
    assert (out / "maker" / "index.html").is_file()
    # A content edit (same size, new mtime) is noticed.
    mug = content / "listings" / "blue-mug.yaml"
    mug.write_text(mug.read_text().replace("price: 28", "price: 29"))
    os.utime(mug, (1_700_000_100, 1_700_000_100))
    assert main(args) == 0
    assert "Built" in capsys.readouterr().out
    assert "$29.00" in (out / "listings" / "blue-mug" / "index.html").read_text()


def _built_long_ago(make_site, tmp_path: Path, capsys) -> tuple[list[str], Path]:
    content = make_site()
    for path in [content, *content.rglob("*")]:
        os.utime(path, (LONG_AGO, LONG_AGO))
    out = tmp_path / "out"
    args = ["build", "--content", str(content), "--themes", str(tmp_path / "themes"), "--output", str(out)]
    assert main(args) == 0
    assert main(args) == 0
    assert "Nothing changed" in capsys.readouterr().out  # so what follows really tests the check
    return args, content


def test_a_same_size_edit_with_the_old_mtime_put_back_is_noticed(make_site, tmp_path: Path, capsys) -> None:
    args, content = _built_long_ago(make_site, tmp_path, capsys)
    mug = content / "listings" / "blue-mug.yaml"
    before = mug.stat()
    mug.write_text(mug.read_text().replace("price: 28", "price: 29"))
    os.utime(mug, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (mug.stat().st_size, mug.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert main(args) == 0
    assert "Built" in capsys.readouterr().out
    assert "$29.00" in (tmp_path / "out" / "listings" / "blue-mug" / "index.html").read_text()


def test_a_content_file_replaced_by_a_link_to_an_identical_file_outside_is_noticed(
    make_site, tmp_path: Path, capsys
) -> None:
    args, content = _built_long_ago(make_site, tmp_path, capsys)
    mug = content / "listings" / "blue-mug.yaml"
    elsewhere = tmp_path / "elsewhere.yaml"
    shutil.copy2(mug, elsewhere)
    mug.unlink()
    mug.symlink_to(elsewhere)
    os.utime(mug, (LONG_AGO, LONG_AGO), follow_symlinks=False)
    assert main(args) == 1  # the build refuses it, as a build without the cache does
    captured = capsys.readouterr()
    assert "Nothing changed" not in captured.out
    assert "outside the content folder" in captured.err


def test_an_output_file_replaced_by_a_link_is_noticed(make_site, tmp_path: Path, capsys) -> None:
    args, _ = _built_long_ago(make_site, tmp_path, capsys)
    page = tmp_path / "out" / "maker" / "index.html"
    copy = tmp_path / "copy.html"
    shutil.copy2(page, copy)
    page.unlink()
    page.symlink_to(copy)
    assert main(args) == 0
    assert "Built" in capsys.readouterr().out
    assert not page.is_symlink()


def test_recently_modified_inputs_are_never_trusted_by_fingerprint_alone(make_site, tmp_path: Path, capsys) -> None:
    content = make_site()  # files written just now: within the same timestamp tick an edit could hide
    out = tmp_path / "out"
    args = ["build", "--content", str(content), "--themes", str(tmp_path / "themes"), "--output", str(out)]
    assert main(args) == 0
    assert main(args) == 0
    assert "Built" in capsys.readouterr().out.splitlines()[-1]


def test_parallel_build_is_byte_identical_to_serial(make_site, tmp_path: Path) -> None:
    files: dict[str, str | bytes | None] = {}
    for i in range(40):
        files[f"listings/item-{i:02d}.yaml"] = (
            f"title: Item {i}\nprice: {10 + i}\nimages:\n  - {{src: images/mug.png, alt: Mug {i}}}\n"
            f"tags: [t{i % 5}]\nextra: {{colour: c{i}}}\ndescription: |\n  Item *{i}* with a [link](https://x.example/{i}).\n"
        )
    content = make_site(files)
    serial, _ = build_to(
        BuildOptions(content=content, themes=tmp_path / "themes", jobs=1, today=BUILD_DATE), tmp_path / "a"
    )
    par, _ = build_to(
        BuildOptions(content=content, themes=tmp_path / "themes", jobs=2, today=BUILD_DATE), tmp_path / "b"
    )
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    assert set(serial.outputs) == set(par.outputs)


def test_template_error_in_a_worker_is_reported_with_its_file(make_site, tmp_path: Path) -> None:
    from generator.errors import SiteError

    content = make_site()
    (tmp_path / "themes/mine/templates").mkdir(parents=True)
    (tmp_path / "themes/mine/theme.yaml").write_text("extends: default\n")
    (tmp_path / "themes/mine/templates/listing.html").write_text("{{ listing.title + 1 }}\n")
    site_yaml = content / "site.yaml"
    site_yaml.write_text(site_yaml.read_text() + "theme: mine\n")
    with pytest.raises(SiteError) as info:
        build_to(BuildOptions(content=content, themes=tmp_path / "themes", jobs=2, today=BUILD_DATE), tmp_path / "out")
    assert info.value.path is not None and info.value.path.name == "listing.html"
    assert not (tmp_path / "out").exists()


def test_progress_bar_only_on_a_terminal_outside_ci(monkeypatch, capsys) -> None:
    from generator import cli

    monkeypatch.setattr(cli.sys.stderr, "isatty", lambda: True, raising=False)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert cli.ProgressBar.wanted()
    monkeypatch.setenv("CI", "true")
    assert not cli.ProgressBar.wanted()
    monkeypatch.setattr(cli.sys.stderr, "isatty", lambda: False, raising=False)
    monkeypatch.delenv("CI", raising=False)
    assert not cli.ProgressBar.wanted()

    bar = cli.ProgressBar()
    bar("render", 10, 100)  # within the first second: quick builds never show a bar
    assert capsys.readouterr().err == ""
    bar.started -= 5
    bar("render", 50, 100)
    err = capsys.readouterr().err
    assert "Rendering pages" in err and "50/100" in err and "#" * 15 in err
    bar.clear()
    assert capsys.readouterr().err == "\r\x1b[K"


def test_content_errors_are_the_same_with_workers(make_site, tmp_path: Path) -> None:
    from generator.errors import BuildFailed

    files: dict[str, str | bytes | None] = {}
    for i in range(30):
        files[f"listings/item-{i:02d}.yaml"] = (
            f"title: Item {i}\nprice: {10 + i}\nimages:\n  - {{src: images/mug.png, alt: Mug {i}}}\n"
            f"extra: {{colour: c{i}}}\ndescription: Item *{i}*.\n"
        )
    files["listings/item-07.yaml"] = "title: Bad\nprice: twelve\nimages:\n  - {src: images/mug.png, alt: x}\n"
    files["listings/Item-12.yaml"] = "title: Same slug\nprice: 3\nimages:\n  - {src: images/mug.png, alt: x}\n"
    content = make_site(files)
    messages = []
    for jobs in (1, 2):
        with pytest.raises(BuildFailed) as info:
            build_to(
                BuildOptions(content=content, themes=tmp_path / "themes", jobs=jobs, today=BUILD_DATE),
                tmp_path / f"out{jobs}",
            )
        messages.append([str(e) for e in info.value.errors])
    assert messages[0] == messages[1]
    assert any("item-07.yaml:2" in m and "twelve" in m for m in messages[1])
    assert any("same address /listings/item-12/" in m for m in messages[1])


def test_unchanged_pages_are_reused_without_making_their_context(make_site, tmp_path: Path, monkeypatch) -> None:
    from generator import pipeline

    files: dict[str, str | bytes | None] = {
        f"listings/item-{i}.yaml": MUG_YAML.replace("Blue Mug", f"Item {i}").replace("[mugs]", f"[mugs, t{i % 2}]")
        for i in range(6)
    }
    content = make_site(files)
    out = tmp_path / "out"
    build_into(content, out, jobs=1)
    contexts: list[str] = []
    rendered: list[str] = []
    real_context, real_render = pipeline.Renderer.context, pipeline.Renderer.render_tracked
    monkeypatch.setattr(
        pipeline.Renderer,
        "context",
        lambda self, page, *a: (contexts.append(page.output), real_context(self, page, *a))[1],
    )
    monkeypatch.setattr(
        pipeline.Renderer,
        "render_tracked",
        lambda self, page, *a: (rendered.append(page.output), real_render(self, page, *a))[1],
    )

    # One listing edited: only the pages showing it get a context (the keys of the others are as
    # stored, and are made without one), and only those are rendered again.
    item = content / "listings" / "item-3.yaml"
    item.write_text(item.read_text().replace("price: 28", "price: 31"))
    build_into(content, out, jobs=1)
    shown = ["index.html", "listings/item-3/index.html", "tags/mugs/index.html", "tags/t1/index.html"]
    assert sorted(rendered) == shown
    assert sorted(set(contexts)) == shown
    assert "$31.00" in (out / "listings" / "item-3" / "index.html").read_text()

    # The maker is in every public page's key: an edit to maker.yaml renders every page again.
    contexts.clear()
    rendered.clear()
    maker = content / "maker.yaml"
    maker.write_text(maker.read_text().replace("Portland, Oregon", "Bend, Oregon"))
    result = build_into(content, out, jobs=1)
    assert sorted(rendered) == sorted(p.output for p in result.plan.pages)
    assert "Bend, Oregon" in (out / "maker" / "index.html").read_text()
    clean = tmp_path / "clean"
    build_into(content, clean, jobs=1)
    assert tree(out) == tree(clean)


def test_page_keys_from_other_makerfront_code_are_not_used(make_site, tmp_path: Path, monkeypatch) -> None:
    # A public page's key hashes what its context is made from, not the context: code that makes
    # contexts differently must not reuse pages rendered by the old code.
    content = make_site()
    out = tmp_path / "out"
    build_into(content, out, jobs=1)
    cache = buildcache.cache_dir_for(out)
    assert buildcache.load_pages(cache)
    package = Path(buildcache.__file__).parent
    changed = tmp_path / "generator"
    changed.mkdir()
    for path in package.glob("*.py"):
        (changed / path.name).write_bytes(path.read_bytes())
    (changed / "render.py").write_bytes((package / "render.py").read_bytes() + b"\n# changed\n")
    monkeypatch.setattr(buildcache, "__file__", str(changed / "buildcache.py"))
    buildcache._pages_version.cache_clear()
    try:
        assert buildcache.load_pages(cache) == {}
    finally:
        buildcache._pages_version.cache_clear()


def test_a_link_to_the_root_of_the_disk_inside_a_theme_is_not_walked(make_site, tmp_path: Path) -> None:
    """A downloaded theme with `templates/x -> /`: the 'nothing changed' check records the link
    and walks on (it took minutes, walking the whole disk); a theme folder that is itself a link
    is still followed, so editing its files is noticed."""
    from generator.buildcache import fingerprint

    themes = tmp_path / "themes"
    elsewhere = tmp_path / "elsewhere" / "mine"
    write_files(elsewhere, {"templates/partials/footer.html": "<footer>a</footer>\n"})
    themes.mkdir()
    (themes / "mine").symlink_to(elsewhere, target_is_directory=True)
    (elsewhere / "templates" / "root").symlink_to("/", target_is_directory=True)
    found = fingerprint([themes])
    assert str(themes.resolve() / "mine" / "templates" / "partials" / "footer.html") in found
    assert str(themes.resolve() / "mine" / "templates" / "root") in found
    assert not any("/root/etc" in path or path.endswith("/etc/passwd") for path in found)
    assert len(found) < 10
