"""The build cache and the fast paths never outlive what decides private listings: the site secret,
the build date (expiry), and the leak guard. Also: the cache stays out of the output folder, the
dev server forks only while it runs no other thread, and worker-built listings report the same errors as serial ones."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import REPO, TEST_SECRET, options, write_files

from generator import buildcache, cli, parallel, pipeline
from generator.devserver import PipelineRebuild
from generator.errors import BuildFailed, SiteError
from generator.secret import ENV_VAR, listing_token
from generator.watch import FULL_BUILD

PRIVATE = """\
title: Heronsgate Pitcher
price: 70
private: true
buyer: Zoe Quenby
expires: 2026-12-31
images:
  - {src: images/mug.png, alt: A pitcher}
description: A pitcher.
"""

OLD = int(time.time()) - 30 * 86_400  # a month before the suite started, whatever the clock says


def _old_mtimes(*roots: Path) -> None:
    """Content written long ago, so the no-change check may trust its fingerprint."""
    for root in roots:
        for path in [root, *root.rglob("*")]:
            os.utime(path, (OLD, OLD))


def _private_folders(out: Path) -> set[str]:
    return {p.name for p in (out / "p").iterdir()} if (out / "p").is_dir() else set()


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def shop(make_site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], Path]:
    content = make_site({"listings/heron.yaml": PRIVATE})
    (tmp_path / "themes").mkdir()
    _old_mtimes(content, tmp_path / "themes")
    out = tmp_path / "out"
    args = ["build", "--content", str(content), "--themes", str(tmp_path / "themes"), "--output", str(out)]
    return args, out


def test_rotating_the_secret_moves_every_private_address_even_with_nothing_changed(
    shop, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    args, out = shop
    assert cli.main(args) == 0
    assert "Built" in capsys.readouterr().out
    assert _private_folders(out) == {listing_token(TEST_SECRET, "heron")}
    # Same secret, same files: the fast path answers (so the next step really tests it).
    assert cli.main(args) == 0
    assert "Nothing changed" in capsys.readouterr().out

    new_secret = "a-rotated-secret-for-this-test-0123456789"
    monkeypatch.setenv(ENV_VAR, new_secret)
    assert cli.main(args) == 0
    assert "Built" in capsys.readouterr().out
    assert _private_folders(out) == {listing_token(new_secret, "heron")}
    assert listing_token(new_secret, "heron") != listing_token(TEST_SECRET, "heron")
    page = (out / "p" / listing_token(new_secret, "heron") / "index.html").read_text()
    assert "Heronsgate Pitcher" in page and listing_token(new_secret, "heron") in page
    everything = b"".join(_tree(out).values())
    assert listing_token(TEST_SECRET, "heron").encode() not in everything
    # Neither secret is stored in the cache; only fingerprints are.
    cache = b"".join(_tree(buildcache.cache_dir_for(out)).values())
    assert TEST_SECRET.encode() not in cache and new_secret.encode() not in cache


def test_rotating_the_secret_file_also_rebuilds(shop, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    args, out = shop
    monkeypatch.delenv(ENV_VAR)
    content = Path(args[args.index("--content") + 1])
    secret_file = content.parent / ".makerfront-secret"
    secret_file.write_text("# secret\nfirst-secret-file-value-0123456789abcdef\n")
    secret_file.chmod(0o600)
    assert cli.main(args) == 0
    first = _private_folders(out)
    assert first == {listing_token("first-secret-file-value-0123456789abcdef", "heron")}
    assert cli.main(args) == 0
    assert "Nothing changed" in capsys.readouterr().out
    secret_file.write_text("# secret\nsecond-secret-file-value-0123456789abcde\n")
    os.utime(secret_file, (OLD, OLD))  # even with the old mtime and the same size
    assert cli.main(args) == 0
    assert "Built" in capsys.readouterr().out
    assert _private_folders(out) == {listing_token("second-secret-file-value-0123456789abcde", "heron")}


def test_an_expired_private_listing_disappears_with_nothing_else_changed(
    shop, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    args, out = shop
    monkeypatch.setenv("MAKERFRONT_TODAY", "2026-12-31")  # the last day it is built
    assert cli.main(args) == 0
    assert _private_folders(out) == {listing_token(TEST_SECRET, "heron")}
    assert cli.main(args) == 0
    assert "Nothing changed" in capsys.readouterr().out
    assert cli.main([*args, "--today", "2027-01-01"]) == 0
    printed = capsys.readouterr().out
    assert "Built" in printed and "expired" in printed
    assert _private_folders(out) == set()
    assert b"Heronsgate" not in b"".join(_tree(out).values())


def test_the_build_cache_is_never_inside_the_output_folder(make_site, tmp_path: Path) -> None:
    content = make_site({"listings/heron.yaml": PRIVATE})
    for out in (tmp_path / "out", tmp_path / "deep" / "er" / "site", Path(os.path.relpath(tmp_path / "rel"))):
        cache = buildcache.cache_dir_for(out)
        assert not cache.resolve().is_relative_to(out.resolve())
        pipeline.build_to(options(content), out)
        assert cache.is_dir() and any(cache.iterdir())
        token = listing_token(TEST_SECRET, "heron")
        # The cache names the private folder, so it must not be published with the site.
        assert any(token.encode() in data for data in _tree(cache).values())
        assert not any(".makerfront-cache" in rel or rel.endswith(".bin") for rel in _tree(out))
    inside = tmp_path / "out" / "cache"
    with pytest.raises(SiteError, match="build cache would be inside the output folder"):
        pipeline.build_to(options(content, cache=inside), tmp_path / "out")
    assert not inside.exists()


def test_the_repository_gitignores_the_cache() -> None:
    from conftest import REPO

    lines = (REPO / ".gitignore").read_text().splitlines()
    assert buildcache.CACHE_DIR + "/" in lines


def test_the_leak_guard_checks_pages_reused_from_the_cache(make_site, tmp_path: Path, monkeypatch) -> None:
    # A page reused from the output folder is trusted by its recorded size and mtime: one that
    # was changed (here, to name the private listing's buyer) without either changing is reused,
    # and the leak guard still reads it.
    site_yaml = "title: T\nbase_url: https://s.example/\ntheme: marked\ncontact:\n  email: a@b.example\n"
    content = make_site({"listings/heron.yaml": PRIVATE, "site.yaml": site_yaml})
    write_files(tmp_path / "themes", {"marked/templates/partials/footer.html": "<footer>XXXXXXXXXX</footer>\n"})
    out = tmp_path / "out"
    pipeline.build_to(options(content), out)
    home = out / "index.html"
    stat = home.stat()
    home.write_bytes(home.read_bytes().replace(b"XXXXXXXXXX", b"Zoe Quenby"))
    os.utime(home, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    before = _tree(out)
    cache_before = _tree(buildcache.cache_dir_for(out))
    rendered: list[str] = []
    real = pipeline.Renderer.render_tracked
    monkeypatch.setattr(
        pipeline.Renderer, "render_tracked", lambda self, page: (rendered.append(page.output), real(self, page))[1]
    )
    with pytest.raises(BuildFailed, match="private listing leak"):
        pipeline.build_to(options(content), out)
    assert "index.html" not in rendered  # reused from the last build, and still checked
    assert _tree(out) == before
    assert _tree(buildcache.cache_dir_for(out)) == cache_before


def test_the_dev_server_forks_workers_only_while_it_runs_no_other_thread(
    make_site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files: dict[str, str | bytes | None] = {
        f"listings/item-{i}.yaml": f"title: Item {i}\nprice: 5\nimages:\n  - {{src: images/mug.png, alt: m}}\n"
        for i in range(4)
    }
    content = make_site(files)
    forks: list[int] = []

    def no_pool(workers: int, task: object) -> object:
        forks.append(workers)
        raise AssertionError("forked worker processes")

    monkeypatch.setattr(parallel, "MIN_PARALLEL_PAGES", 1)  # even this tiny site would use workers
    monkeypatch.setattr(parallel, "_pool", no_pool)
    opts = options(content)
    assert opts.jobs is None
    with pytest.raises(AssertionError):
        pipeline.build(opts)  # a plain build with default jobs would fork here...
    forks.clear()
    # ...the dev server's does not while another thread runs (the watcher, the HTTP server):
    # a fork then can leave the child stuck on a lock that thread held.
    other = threading.Event()
    thread = threading.Thread(target=other.wait)
    thread.start()
    try:
        built = PipelineRebuild(opts)(FULL_BUILD)
    finally:
        other.set()
        thread.join()
    assert "listings/item-3/index.html" in built.outputs
    assert forks == []
    # Its first build, before the server starts any thread, may use them.
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    with pytest.raises(AssertionError):
        PipelineRebuild(opts)(FULL_BUILD)
    assert forks


def test_the_serve_command_rebuilds_with_one_job(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from generator import devserver

    seen: list[object] = []

    class Stop(Exception):
        pass

    def fake_server(rebuild: PipelineRebuild, **kw: object) -> None:
        seen.append((rebuild.options.jobs, rebuild._first_jobs))
        raise Stop

    (tmp_path / "content").mkdir()
    monkeypatch.setattr(devserver, "DevServer", fake_server)
    with pytest.raises(Stop):
        cli.main(["serve", "--content", str(tmp_path / "content"), "--themes", str(tmp_path / "themes")])
    assert seen == [(1, None)]  # rebuilds in this process; the first build as many workers as CPUs


def test_markdown_pictures_are_reported_when_workers_build_listings(make_site, tmp_path: Path) -> None:
    files: dict[str, str | bytes | None] = {
        f"listings/item-{i:02d}.yaml": f"title: Item {i}\nprice: 5\nimages:\n  - {{src: images/mug.png, alt: m}}\n"
        f"description: Item *{i}*.\n"
        for i in range(30)
    }
    files["listings/item-11.yaml"] = (
        "title: Item 11\nprice: 5\nimages:\n  - {src: images/mug.png, alt: m}\n"
        "description: |\n  Look:\n  ![a mug](images/mug.png)\n"
    )
    content = make_site(files)
    messages = []
    for jobs in (1, 2):
        with pytest.raises(BuildFailed) as info:
            pipeline.build_to(options(content, jobs=jobs), tmp_path / f"out{jobs}")
        messages.append([str(e) for e in info.value.errors])
        assert not (tmp_path / f"out{jobs}").exists()
    assert messages[0] == messages[1]
    assert len(messages[1]) == 1 and "item-11.yaml:7" in messages[1][0] and "picture" in messages[1][0]


def test_workers_die_of_sigterm_even_when_the_parent_only_notes_it() -> None:
    # `serve` handles SIGTERM and SIGINT by setting a flag; its first build's workers inherit
    # that. Pool.terminate stops workers with SIGTERM: a worker that only noted it would keep the
    # server waiting for it forever.
    script = (
        "import signal, sys\n"
        "signal.signal(signal.SIGTERM, lambda *a: None)\n"
        "signal.signal(signal.SIGINT, lambda *a: None)\n"
        "from generator import parallel\n"
        "def dispositions(_):\n"
        "    return (signal.getsignal(signal.SIGTERM) is signal.SIG_DFL, signal.getsignal(signal.SIGINT) is signal.SIG_IGN)\n"
        "with parallel._pool(2, len) as pool:\n"
        "    print(set(pool.map(dispositions, range(8))))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "{(True, True)}"


def test_a_worker_dies_of_a_sigterm_sent_before_it_has_reset_its_handlers() -> None:
    # On a busy machine a worker may first run after the pool's work is done and Pool.terminate
    # has sent it SIGTERM: the handler it inherited only noted it, and the parent waited for it
    # forever. Here the first worker is sent SIGTERM as soon as it is forked, before its
    # initializer runs, every time.
    script = (
        "import multiprocessing.pool, os, signal\n"
        "signal.signal(signal.SIGTERM, lambda *a: None)\n"
        "from generator import parallel\n"
        "started = []\n"
        "real = multiprocessing.pool.Pool.Process\n"
        "multiprocessing.pool.Pool.Process = staticmethod(lambda *a, **k: started.append(real(*a, **k)) or started[-1])\n"
        "forked = []\n"
        "os.register_at_fork(\n"
        "    after_in_child=lambda: forked or os.kill(os.getpid(), signal.SIGTERM),\n"
        "    after_in_parent=lambda: forked.append(True),\n"
        ")\n"
        "with parallel._pool(1, len) as pool:\n"
        "    first = started[0]\n"
        "    if pool.apply(os.getpid) == first.pid:\n"
        "        print('the first worker survived')\n"
        "    else:\n"
        "        first.join(50)\n"  # a hang guard: it is already dead or dying
        "        print(first.exitcode)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    # Died of SIGTERM, and the pool replaced it (which served the task).
    assert done.stdout.strip() == str(-signal.SIGTERM)
