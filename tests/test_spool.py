"""build_to keeps rendered pages as files in a spool folder (in the build cache, outside the
output), not in memory: the guarantees of an in-memory build must hold all the same."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from conftest import MUG_YAML, build_into, build_site, leak_private_listings_into_public_pages, options, write_files

from generator import buildcache, pipeline, write
from generator.errors import BuildFailed, SiteError
from generator.pipeline import build_to
from generator.write import content_digest, sync_site


def _files(out: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(out).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()
    }


def _spools(out: Path) -> list[Path]:
    cache = buildcache.cache_dir_for(out)
    return sorted(cache.glob("spool-*")) if cache.exists() else []


def _listings(n: int) -> dict[str, str]:
    return {f"listings/mug-{i:03d}.yaml": MUG_YAML.replace("Blue Mug", f"Mug number {i}") for i in range(n)}


@pytest.mark.parametrize("jobs", [1, 2])
def test_spooled_pages_are_the_pages_of_an_in_memory_build(make_site, tmp_path: Path, monkeypatch, jobs: int) -> None:
    content = make_site(_listings(12))
    out = tmp_path / "out"
    spooled: list[Path] = []
    real_spool_page = pipeline._spool_page

    def spool_page(spool: Path, output: str, html: bytes) -> Path:
        spooled.append(spool)  # recorded in this process only (jobs=1, or the parent's own pages)
        return real_spool_page(spool, output, html)

    monkeypatch.setattr(pipeline, "_spool_page", spool_page)
    result = build_into(content, out, jobs=jobs)
    in_memory = build_site(content, jobs=1)
    assert spooled, "pages were rendered straight into memory"
    for spool in set(spooled):
        assert not spool.resolve().is_relative_to(out.resolve())
        assert not spool.exists()  # removed after the build
    assert _spools(out) == []
    for page in in_memory.plan.pages:
        data = in_memory.outputs[page.output]
        assert isinstance(data, bytes)
        assert (out / page.output).read_bytes() == data
        assert result.outputs[page.output] == out / page.output
        assert result.digests[page.output] == content_digest(data)
    assert not any(p.name.startswith(".tmp-") for p in out.rglob("*"))


def test_an_edit_rewrites_only_the_pages_it_changes(make_site, tmp_path: Path) -> None:
    content = make_site(_listings(12))
    out = tmp_path / "out"
    build_into(content, out, jobs=2)
    before = _files(out)
    mug = content / "listings" / "mug-005.yaml"
    mug.write_text(mug.read_text().replace("price: 28", "price: 31"))
    _, stats = build_to(options(content, jobs=2), out)
    after = _files(out)
    changed = {rel for rel in after if after[rel] != before.get(rel)}
    assert "listings/mug-005/index.html" in changed
    assert "listings/mug-004/index.html" not in changed  # same bytes and mtime: not rewritten
    assert stats.written == len(changed) and stats.unchanged == len(after) - len(changed) - 1  # the marker
    assert _spools(out) == []


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_build_that_fails_after_rendering_leaves_the_output_and_no_spool(
    make_site, tmp_path: Path, monkeypatch, jobs: int
) -> None:
    content = make_site(_listings(12))
    out = tmp_path / "out"
    build_into(content, out, jobs=jobs)
    before = _files(out)
    mug = content / "listings" / "mug-005.yaml"
    mug.write_text(mug.read_text().replace("price: 28", "price: 31"))

    def failing_guard(*args: object) -> None:
        raise BuildFailed([SiteError("leak found (test)")])

    monkeypatch.setattr(pipeline, "check_outputs", failing_guard)
    with pytest.raises(BuildFailed):
        build_into(content, out, jobs=jobs)
    assert _files(out) == before
    assert _spools(out) == []


def test_a_spooled_page_that_changed_before_it_was_written_fails_the_sync(tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    spool.mkdir()
    page = spool / "000000.html"
    page.write_bytes(b"<p>tampered</p>")
    out = tmp_path / "out"
    write.write_site({"index.html": b"<p>old</p>"}, out)
    with pytest.raises(SiteError, match=r"index\.html changed while the site was being built"):
        sync_site({"index.html": page}, out, {}, {"index.html": content_digest(b"<p>rendered</p>")}, spool)
    assert (out / "index.html").read_bytes() == b"<p>old</p>"


def test_spooled_pages_on_another_disk_are_copied(tmp_path: Path, monkeypatch) -> None:
    spool = tmp_path / "spool"
    spool.mkdir()
    page = spool / "000000.html"
    page.write_bytes(b"<p>new</p>")
    real_replace = os.replace

    def cross_device(src: str | Path, dst: str | Path) -> None:
        if Path(src).parent == spool:
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", cross_device)
    out = tmp_path / "out"
    stats, _ = sync_site({"a/index.html": page}, out, {}, {"a/index.html": content_digest(b"<p>new</p>")}, spool)
    assert stats.written == 1
    assert (out / "a" / "index.html").read_bytes() == b"<p>new</p>"
    assert (out / "a" / "index.html").stat().st_mode & 0o777 == 0o644


def test_the_leak_guard_reads_pages_spooled_by_workers(make_site, tmp_path: Path, monkeypatch) -> None:
    private = "title: Secret Gift\nprice: 90\nprivate: true\nimages:\n  - {src: images/mug.png, alt: A mug}\n"
    content = make_site({**_listings(12), "listings/secret-gift.yaml": private})
    write_files(content, {"pages/about.md": "---\ntitle: About\n---\nA page.\n"})
    out = tmp_path / "out"
    build_into(content, out, jobs=2)
    before = _files(out)
    # Pages rendered by the workers name the private listing (the guard's test double for a
    # leaky theme: a monkeypatch the forked workers inherit).
    leak_private_listings_into_public_pages(monkeypatch)
    write_files(content, {"site.yaml": (content / "site.yaml").read_text().replace("Test Studio", "Test Studio 2")})
    with pytest.raises(BuildFailed, match=r"secret-gift\.yaml: private listing leak"):
        build_into(content, out, jobs=2)
    assert _files(out) == before
    assert _spools(out) == []


def test_moved_pages_are_readable_by_web_servers_whatever_the_umask(make_site, tmp_path: Path) -> None:
    content = make_site(_listings(3))
    out = tmp_path / "out"
    old = os.umask(0o077)
    try:
        build_into(content, out)
    finally:
        os.umask(old)
    pages = [p for p in out.rglob("*.html")]
    assert pages and all(p.stat().st_mode & 0o777 == 0o644 for p in pages)
    assert not [p for p in out.rglob(".tmp-*")]  # nothing staged left behind


# -- a clean build: the spool becomes the output folder --------------------------------------------


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("existing", ["absent", "empty folder"])
def test_a_clean_build_renames_the_complete_spool_into_place(
    make_site, tmp_path: Path, monkeypatch, jobs: int, existing: str
) -> None:
    content = make_site(_listings(12))
    out = tmp_path / "out"
    if existing == "empty folder":
        out.mkdir()
    moved: list[tuple[str, str]] = []
    real_rename, real_exchange = os.rename, write.exchange

    def rename(src: str | Path, dst: str | Path) -> None:
        moved.append((str(src), str(dst)))
        real_rename(src, dst)

    def exchange(a: Path, b: Path) -> bool:
        moved.append((str(a), str(b)))
        return real_exchange(a, b)

    monkeypatch.setattr(os, "rename", rename)
    monkeypatch.setattr(write, "exchange", exchange)
    _, stats = build_to(options(content, jobs=jobs), out)
    # One step: renamed into place, or swapped with the empty folder.
    assert [(Path(src).name.startswith("spool-"), Path(dst)) for src, dst in moved] == [(True, out)]
    in_memory = build_site(content, jobs=1)
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert files == set(in_memory.outputs) | {write.MARKER}
    for rel, data in in_memory.outputs.items():
        assert (out / rel).read_bytes() == write.read_content(data), rel
        assert (out / rel).stat().st_mode & 0o777 == 0o644, rel
    # Folders readable by a web server (mkdtemp's 0700 would hide the site from one).
    for folder in [out, *(p for p in out.rglob("*") if p.is_dir())]:
        assert folder.stat().st_mode & 0o777 == 0o755, folder
    assert stats.written == len(in_memory.outputs) and stats.unchanged == stats.removed == 0
    assert _spools(out) == []
    # The manifest it saved is exact: a build with nothing changed rewrites nothing.
    _, again = build_to(options(content, jobs=jobs), out)
    assert again.written == 0 and again.unchanged == len(in_memory.outputs)


def test_when_the_spool_cannot_be_renamed_the_pages_are_moved_one_by_one(
    make_site, tmp_path: Path, monkeypatch
) -> None:
    content = make_site(_listings(12))
    out = tmp_path / "out"

    def cross_device(src: str | Path, dst: str | Path) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "rename", cross_device)
    build_to(options(content, jobs=2), out)
    in_memory = build_site(content, jobs=1)
    for rel, data in in_memory.outputs.items():
        assert (out / rel).read_bytes() == write.read_content(data), rel
    assert (out / write.MARKER).exists()
    assert _spools(out) == []


def test_a_clean_build_into_a_link_is_not_renamed_over_it(make_site, tmp_path: Path) -> None:
    content = make_site(_listings(3))
    real = tmp_path / "real-out"
    real.mkdir()
    out = tmp_path / "out"
    out.symlink_to(real)
    build_into(content, out, jobs=1)
    assert out.is_symlink()
    assert (real / "index.html").exists() and (real / "listings" / "mug-001" / "index.html").exists()


def test_a_clean_build_that_fails_leaves_no_output_folder(make_site, tmp_path: Path, monkeypatch) -> None:
    content = make_site(_listings(12))
    out = tmp_path / "out"

    def failing_guard(*args: object) -> None:
        raise BuildFailed([SiteError("leak found (test)")])

    monkeypatch.setattr(pipeline, "check_outputs", failing_guard)
    with pytest.raises(BuildFailed):
        build_into(content, out, jobs=2)
    assert not out.exists()
    assert _spools(out) == []


@pytest.mark.parametrize("umask", [0o077, 0o022])
def test_pages_are_readable_by_a_web_server_whatever_the_umask(make_site, tmp_path: Path, umask: int) -> None:
    content = make_site(_listings(3))
    out = tmp_path / "out"
    old = os.umask(umask)
    try:
        build_into(content, out, jobs=1)
    finally:
        os.umask(old)
    files = [p for p in out.rglob("*") if p.is_file() and p.name != write.MARKER]
    assert len(files) > 10 and all(p.stat().st_mode & 0o777 == 0o644 for p in files)


def test_page_keys_made_with_workers_are_those_of_a_serial_build(make_site, tmp_path: Path) -> None:
    # Workers hash each listing's view for its page's key; the home and tag pages' keys use
    # those hashes instead of making them again. They must be the keys a serial build makes.
    content = make_site(_listings(12))
    keys = []
    for jobs in (1, 2):
        out = tmp_path / f"out-{jobs}"
        build_into(content, out, jobs=jobs)
        keys.append(buildcache.load_pages(buildcache.cache_dir_for(out)))
    assert keys[0] == keys[1]
    assert {"index.html", "tags/mugs/index.html", "listings/mug-003/index.html"} <= set(keys[0])


def test_a_page_is_never_spooled_outside_the_spool(tmp_path: Path) -> None:
    spool = tmp_path / "cache" / "spool"
    spool.mkdir(parents=True)
    for bad in ("../escaped.html", "/etc/escaped.html", "a/../../escaped.html"):
        with pytest.raises(SiteError, match="refusing to write outside the output folder"):
            pipeline._spool_page(spool, bad, b"<p>x</p>")
    assert not list(tmp_path.rglob("escaped.html"))
    assert pipeline._spool_page(spool, "a/b/index.html", b"<p>x</p>").read_bytes() == b"<p>x</p>"
