"""A maker's first commands: `init` makes a shop that builds, `new listing` adds one from a
commented template, `check` finds every mistake the build would and writes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from conftest import default_files, png_bytes, write_files

from generator import __version__
from generator.cli import main
from generator.scaffold import STARTER


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_init_makes_a_complete_shop_that_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["init", "myshop", "--title", "Töpferei Anna: Becher & Schalen", "--language", "de",
                 "--currency", "eur", "--base-url", "https://anna.example/laden/"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "cd myshop && makerfront build" in out and "makerfront serve --open" in out
    shop = tmp_path / "myshop"
    files = set(_tree(shop))
    assert {
        "content/site.yaml",
        "content/maker.yaml",
        "content/pages/shipping.md",
        ".gitignore",
        ".github/workflows/pages.yml",
        ".schemas/site.schema.json",
        ".schemas/maker.schema.json",
        ".schemas/listing.schema.json",
    } <= files
    listings = sorted(f for f in files if f.startswith("content/listings/"))
    assert len(listings) == 2
    assert any(f.startswith("content/images/") and f.endswith(".jpg") for f in files)
    site = yaml.safe_load((shop / "content/site.yaml").read_text(encoding="utf-8"))
    assert site["title"] == "Töpferei Anna: Becher & Schalen"
    assert (site["language"], site["currency"], site["base_url"]) == ("de", "EUR", "https://anna.example/laden/")
    maker = yaml.safe_load((shop / "content/maker.yaml").read_text(encoding="utf-8"))
    assert maker["custom_orders"]["enabled"] is True
    assert any(yaml.safe_load((shop / f).read_text()).get("customizations") for f in listings)
    ignored = (shop / ".gitignore").read_text().split()
    assert {"/output/", ".makerfront-cache/", ".makerfront-secret"} <= set(ignored)
    assert f"makerfront=={__version__}" in (shop / "requirements.txt").read_text().splitlines()
    workflow = yaml.safe_load((shop / ".github/workflows/pages.yml").read_text())
    steps = [s.get("run", "") for s in workflow["jobs"]["build"]["steps"]]
    assert "makerfront build" in steps
    for rel in ("content/site.yaml", "content/maker.yaml", *listings):
        first = (shop / rel).read_text(encoding="utf-8").splitlines()[0]
        schema = first.removeprefix("# yaml-language-server: $schema=")
        assert schema != first and (shop / rel).parent.joinpath(schema).resolve().is_file(), rel

    monkeypatch.chdir(shop)
    assert main(["check"]) == 0
    assert main(["build"]) == 0
    html = (shop / "output/index.html").read_text(encoding="utf-8")
    assert "Töpferei Anna: Becher &amp; Schalen" in html and 'lang="de"' in html
    assert "Sonderanfertigung anfragen" in html  # "Ask about a Custom Order", in the shop's language
    assert (shop / "output/listings/handmade-mug/index.html").is_file()
    assert (shop / "output/shipping/index.html").is_file()


def test_init_never_overwrites_and_refuses_a_folder_with_files(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    write_files(tmp_path / "shop", {"content/site.yaml": "title: Mine\n", "notes.txt": "keep me"})
    before = _tree(tmp_path / "shop")
    assert main(["init", "shop"]) == 1
    err = capsys.readouterr().err
    assert "error: shop: this folder is not empty, so a new shop is not made here" in err
    assert "--force" in err
    assert _tree(tmp_path / "shop") == before
    assert main(["init", "shop", "--force"]) == 0
    out = capsys.readouterr().out
    assert "kept:    shop/content/ as it is: a shop is already there, so no example listings" in out
    assert "Added 6 files around the shop in shop/. Next:" in out
    after = _tree(tmp_path / "shop")
    assert after["content/site.yaml"] == b"title: Mine\n" and after["notes.txt"] == b"keep me"
    # Only the files around content/: the starter's example listings would be published.
    assert {f for f in after if f.startswith("content/")} == {"content/site.yaml"}
    assert {".gitignore", ".github/workflows/pages.yml", "requirements.txt", ".schemas/site.schema.json"} <= set(after)


def test_init_force_in_a_folder_with_every_file_says_nothing_was_added(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["init"]) == 0
    capsys.readouterr()
    before = _tree(tmp_path)
    assert main(["init", ".", "--force"]) == 0
    out = capsys.readouterr().out
    assert "Nothing added: every starter file is already in ./. Next:" in out and "(0 files)" not in out
    assert _tree(tmp_path) == before
    # The two Next: lines' comments start in one column.
    build, serve = [line for line in out.splitlines() if line.startswith("  makerfront")]
    assert build.index("#") == serve.index("#")


def test_init_failing_on_the_disk_is_one_line_and_removes_only_what_it_made(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    import errno

    import generator.scaffold as scaffold

    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("x")
    assert main(["init", "afile/sub"]) == 1
    assert capsys.readouterr().err == "error: afile/sub: not a directory\n"
    assert main(["init", "a" * 300]) == 1
    assert capsys.readouterr().err == f"error: {'a' * 300}: file name too long\n"

    write_files(tmp_path / "shop", {"notes.txt": "keep me", "content/pages/about.md": "# About\n"})
    before = _tree(tmp_path)

    def read_only(folder: Path) -> list[Path]:
        (folder / "site.schema.json").write_text("{")  # half-way, as a full disk would leave it
        raise OSError(errno.EROFS, "Read-only file system", str(folder / "maker.schema.json"))

    monkeypatch.setattr(scaffold, "write_schemas", read_only)
    assert main(["init", "shop", "--force"]) == 1
    assert capsys.readouterr().err == "error: shop/.schemas/maker.schema.json: read-only file system\n"
    assert _tree(tmp_path) == before
    assert sorted(p.relative_to(tmp_path).as_posix() for p in (tmp_path / "shop").rglob("*")) == [
        "shop/content", "shop/content/pages", "shop/content/pages/about.md", "shop/notes.txt"
    ]  # fmt: skip
    monkeypatch.undo()
    monkeypatch.chdir(tmp_path)
    assert main(["init", "shop", "--force"]) == 0
    assert (tmp_path / "shop/content/site.yaml").is_file() and (tmp_path / "shop/.schemas").is_dir()


def test_init_refuses_settings_that_cannot_be_written_as_utf8(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    # What a Latin-1 terminal hands Python for "Töpferei": the byte 0xF6 as a lone surrogate.
    title = b"T\xf6pferei".decode("utf-8", "surrogateescape")
    assert main(["init", "x", "--title", title]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --title: cannot be written as UTF-8 (a byte at position 2 is not valid text")
    assert "Traceback" not in err and len(err.splitlines()) == 1
    assert not (tmp_path / "x").exists()


def test_init_in_the_current_folder_prints_no_cd(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["init"]) == 0
    out = capsys.readouterr().out
    assert "\n  makerfront build" in out and "cd " not in out
    assert (tmp_path / "content" / "site.yaml").is_file()


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--base-url", "shop.example"], "--base-url: expected a full web address"),
        (["--currency", "EURO"], "--currency: expected a three-letter currency code"),
        (["--language", "German"], '--language: expected a language code such as en or fr-CA, got "German"'),
        (["--title", " "], "--title: must not be empty"),
    ],
)
def test_init_refuses_bad_settings_before_writing(tmp_path: Path, monkeypatch, capsys, option, message) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["init", "shop", *option]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "shop").exists()


def test_new_listing_writes_a_commented_template_that_builds_once_its_photo_is_there(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    write_files(tmp_path / "content", default_files())
    monkeypatch.chdir(tmp_path)
    assert main(["new", "listing", "blue-bowl"]) == 0
    assert "Wrote content/listings/blue-bowl.yaml" in capsys.readouterr().out
    text = (tmp_path / "content/listings/blue-bowl.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../.schemas/listing.schema.json\n")
    assert 'title: "Blue Bowl"' in text
    for field in ("price", "images", "description", "tags", "production_time", "date", "currency",
                  "order_url", "private", "buyer", "expires", "customizations"):  # fmt: skip
        line = next(i for i, x in enumerate(text.splitlines()) if x.lstrip("# ").startswith(f"{field}:"))
        assert text.splitlines()[line - 1].startswith("#") or "#" in text.splitlines()[line], field
    assert main(["check"]) == 1
    assert "content/listings/blue-bowl.yaml:15:10: images[0].src: file not found: content/images/blue-bowl.jpg" in (
        capsys.readouterr().err
    )
    write_files(tmp_path / "content", {"images/blue-bowl.jpg": png_bytes()})
    assert main(["check"]) == 0
    assert main(["build"]) == 0
    assert "Blue Bowl" in (tmp_path / "output/listings/blue-bowl/index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("slug", "reason"),
    [
        ("Blue Bowl", "use lower-case letters, digits and dashes, with no spaces: blue-bowl"),
        ("listings/bowl.yaml", "give only the name, without a folder or .yaml, e.g. blue-bowl"),
        ("../bowl", "give only the name, without a folder or .yaml"),
        ("!!!", "use lower-case letters, digits and dashes, with no spaces, e.g. blue-bowl"),
        ("-leading", "a listing name cannot start with '-', e.g. blue-bowl"),
        ("a" * 300, "the name is too long to be a web address (300 bytes); at most about 200 letters"),
        ("帽" * 84, "the name is too long to be a web address (252 bytes)"),
    ],
)
def test_new_listing_refuses_an_invalid_name(tmp_path: Path, monkeypatch, capsys, slug: str, reason: str) -> None:
    write_files(tmp_path / "content", default_files())
    monkeypatch.chdir(tmp_path)
    before = _tree(tmp_path)
    assert main(["new", "listing", slug]) == 1
    assert f"error: cannot make a listing called '{slug}': {reason}" in capsys.readouterr().err
    assert _tree(tmp_path) == before


def test_new_listing_refuses_an_existing_one(tmp_path: Path, monkeypatch, capsys) -> None:
    write_files(tmp_path / "content", default_files())
    monkeypatch.chdir(tmp_path)
    before = _tree(tmp_path)
    assert main(["new", "listing", "blue-mug"]) == 1
    assert "error: content/listings/blue-mug.yaml: a listing with this name already exists" in capsys.readouterr().err
    assert _tree(tmp_path) == before


def test_check_reports_what_build_reports_and_writes_nothing(tmp_path: Path, monkeypatch, capsys) -> None:
    write_files(tmp_path / "content", default_files())
    write_files(
        tmp_path / "content",
        {
            "listings/blue-mug.yaml": str(default_files()["listings/blue-mug.yaml"]).replace(
                "price: 28", "price: 12,50"
            ),
            "listings/private.yaml": "title: For Sam\nprice: 9\nprivate: true\nimages:\n  - {src: images/mug.png, alt: A mug}\n",
        },
    )
    monkeypatch.delenv("MAKERFRONT_SECRET")
    monkeypatch.chdir(tmp_path)
    before = _tree(tmp_path)
    assert main(["check"]) == 1
    checked = capsys.readouterr().err
    assert _tree(tmp_path) == before  # no output/, no cache, no .makerfront-secret
    assert main(["build"]) == 1
    built = capsys.readouterr().err
    assert checked.splitlines()[:-1] == built.splitlines()[:-1]
    assert "blue-mug.yaml:2:8: price: expected a price such as 12 or 12.50" in checked
    assert checked.splitlines()[-1] == "Found 1 mistake; nothing was written."


def test_check_finds_a_template_mistake_without_rendering(tmp_path: Path, monkeypatch, capsys) -> None:
    write_files(tmp_path / "content", default_files())
    write_files(tmp_path / "themes", {"default/templates/partials/footer.html": "<footer>{% if %}</footer>\n"})
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 1
    assert "themes/default/templates/partials/footer.html:1: template error" in capsys.readouterr().err
    shutil.rmtree(tmp_path / "themes")
    assert main(["check"]) == 0
    assert "No mistakes found: 1 listing, 0 pages, 1 photo and" in capsys.readouterr().out
    assert not (tmp_path / "output").exists()


def test_the_starter_ships_inside_the_package() -> None:
    assert (STARTER / "content" / "site.yaml").is_file()
    assert STARTER.is_relative_to(Path(__file__).resolve().parent.parent / "generator")


def test_check_looks_the_secret_up_as_build_would_but_never_makes_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    private = "title: For Sam\nprice: 9\nprivate: true\nimages:\n  - {src: images/mug.png, alt: A mug}\n"
    write_files(tmp_path / "content", {**default_files(), "listings/for-sam.yaml": private})
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MAKERFRONT_SECRET")
    monkeypatch.delenv("CI", raising=False)
    assert main(["check"]) == 0
    assert f"note: the first build will create {tmp_path}/.makerfront-secret" in capsys.readouterr().out
    assert not (tmp_path / ".makerfront-secret").exists()
    monkeypatch.setenv("CI", "true")  # a CI host without the secret: the same error as build
    assert main(["check"]) == 1
    checked = capsys.readouterr().err
    assert main(["build"]) == 1
    assert "private listings need the site secret, but MAKERFRONT_SECRET is not set on this CI host" in checked
    assert checked.splitlines()[:-1] == capsys.readouterr().err.splitlines()[:-1]
    monkeypatch.setenv("MAKERFRONT_SECRET", "")
    assert main(["check"]) == 1
    assert "the environment variable MAKERFRONT_SECRET is set but empty" in capsys.readouterr().err


def test_new_listing_failing_on_the_disk_is_one_line(tmp_path: Path, monkeypatch, capsys) -> None:
    import errno

    import generator.scaffold as scaffold

    write_files(tmp_path / "content", default_files())
    monkeypatch.chdir(tmp_path)
    before = _tree(tmp_path)

    def read_only(path: Path, text: str, created: list[Path]) -> None:
        raise OSError(errno.EROFS, "Read-only file system", str(path))

    monkeypatch.setattr(scaffold, "_write_new", read_only)
    assert main(["new", "listing", "green-jug"]) == 1
    assert capsys.readouterr().err == "error: content/listings/green-jug.yaml: read-only file system\n"
    assert _tree(tmp_path) == before
