"""The output folder is the last build or the new one at every instant, whatever stops a build.

Real build processes (`python -m generator build`) are stopped at chosen moments of the write
step: the write step's test hook ($MAKERFRONT_TEST_WRITE_PAUSE, write._Checkpoints) makes the
process stop for good at its N-th checkpoint and say so, and the test then kills it. Which
checkpoints, out of all the write step passes, is drawn with a fixed seed, so every run kills at
the same moments and nothing depends on the machine's speed. After each kill every file of the
output is hashed and compared with the old and the new site; the next build must clean up and
finish the job.

Also here: two builds of one output at once (the lock), and the modes of the output and the cache
under a strict umask.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import secrets
import shutil
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import MUG_YAML, REPO, default_files, write_files

from generator import buildcache, cli, write

PRIVATE = "private: true\nbuyer: Quenby Marchetti\n"
LISTINGS = 80
TRIALS = 25
SEED = 20261127


def _listing(i: int, version: int = 0) -> str:
    private = i % 10 == 3
    title = f"Commission {chr(65 + i // 10)}{i}" if private else f"Mug number {i}"
    text = MUG_YAML.replace("Blue Mug", title).replace("price: 28", f"price: {20 + i % 30}")
    if version:
        text = text.replace("A sturdy **mug**.", f"A sturdy **mug**, version {version}.")
    return text + (PRIVATE if private else "")


def _shop(version: int) -> dict[str, str | None]:
    """The listings of one version of the shop: each version edits some listings (a private one
    among them), removes some and adds others."""
    files: dict[str, str | None] = {}
    for i in range(LISTINGS + 10):
        present = i < LISTINGS if version == 0 else (i % 17 != version) and (i < LISTINGS or i % 2 == version % 2)
        edited = version and i % 7 == version % 7
        files[f"listings/mug-{i:03d}.yaml"] = _listing(i, version if edited else 0) if present else None
    # Copied, not rendered: a file the standby holds as a hard link to the output's, then changed.
    files["static/notice.txt"] = "Closed in August.\n" if version < 2 else "Open all year.\n"
    return files


def _tree(folder: Path) -> dict[str, str]:
    """Every entry under ``folder`` (hidden ones too): a file's hash, a link's target, or a folder."""
    found: dict[str, str] = {}
    base = os.fspath(folder)
    for dirpath, dirnames, filenames in os.walk(base):
        prefix = os.path.relpath(dirpath, base).replace(os.sep, "/")
        prefix = "" if prefix == "." else prefix + "/"
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            if os.path.islink(path):
                found[prefix + name] = "link " + os.readlink(path)
            elif os.path.isdir(path):
                found[prefix + name] = "folder"
            else:
                with open(path, "rb") as fh:
                    found[prefix + name] = hashlib.sha256(fh.read()).hexdigest()
    return found


@pytest.fixture(autouse=True)
def _ctrl_c_reaches_builds() -> Iterator[None]:
    """Builds started here get Ctrl-C (SIGINT) as a maker's terminal sends it, however the test
    run was started. A shell starts a background job (`pytest &` in a script) with SIGINT
    ignored; Python then leaves it ignored, its children inherit that, and the SIGINT test would
    wait for a build that never hears it."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class Build:
    """A build process, started in ``root`` to stop at checkpoint ``stop_at`` of its write step
    (0: never)."""

    def __init__(self, root: Path, stop_at: int | str = 0, *extra: str) -> None:
        env = {**os.environ, write.PAUSE_VARIABLE: str(stop_at)} if stop_at else dict(os.environ)
        env.pop("PYTHONWARNINGS", None)
        command = [sys.executable, "-m", "generator", "build", "--content", "content", "--themes", "themes"]
        self.process = subprocess.Popen(
            [*command, "--output", "out", "--jobs", "1", *extra],
            cwd=root,
            env={**env, "PYTHONPATH": str(REPO)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.err: list[str] = []

    def wait_for(self, text: str) -> bool:
        """Read its stderr until a line holds ``text`` (True) or the process ends (False)."""
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.err.append(line)
            if text in line:
                return True
        return False

    def finish(self, timeout: float = 120) -> tuple[int, str, str]:
        out, err = self.process.communicate(timeout=timeout)
        return self.process.returncode, out, "".join(self.err) + err

    def kill(self, sig: int = signal.SIGKILL) -> str:
        """Send ``sig`` and wait for the process to end; what it wrote to stderr since wait_for."""
        self.process.send_signal(sig)
        return self.process.communicate(timeout=60)[1]


def _ours_inside(out: Path) -> list[str]:
    return [rel for rel in _tree(out) if "makerfront" in rel.rpartition("/")[2] and not rel.endswith(write.MARKER)]


def _leftovers(root: Path) -> list[str]:
    cache = buildcache.cache_dir_for(root / "out")
    return sorted(p.name for p in cache.iterdir() if p.name.startswith(("spool-", "new-", "write-journal")))


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """A shop built twice (so the second build left a standby), its output and cache kept aside
    as the old state; the content then edited to the new version, and the new site's tree and
    the write step's checkpoints found by a build that runs to the end."""
    root = tmp_path_factory.mktemp("shop")
    write_files(root / "content", {**default_files(), **_shop(0)})
    (root / "themes").mkdir()
    cli_args = ["build", "--content", str(root / "content"), "--themes", str(root / "themes")]
    cli_args += ["--output", str(root / "out"), "--jobs", "1"]
    assert cli.main(cli_args) == 0
    write_files(root / "content", _shop(1))
    assert cli.main(cli_args) == 0
    old = _tree(root / "out")
    saved = root.parent / f"{root.name}-saved"
    saved.mkdir()
    # One copy of both, so hard links between the output and the standby stay hard links.
    subprocess.run(["cp", "-a", str(root / "out"), str(root / ".makerfront-cache"), str(saved)], check=True)
    write_files(root / "content", _shop(2))
    build = Build(root, "count")
    code, _, err = build.finish()
    assert code == 0, err
    new = _tree(root / "out")
    assert new != old
    counted = re.search(r"write step passed (\d+) checkpoints: (.*)", err)
    assert counted, err
    phases = {label: (int(a), int(b or a)) for a, b, label in re.findall(r"(\d+)(?:-(\d+))? ([a-z ]+)", counted[2])}
    assert {"new site", "exchange", "exchanged", "standby"} <= set(phases), phases
    yield {"root": root, "saved": saved, "old": old, "new": new, "total": int(counted[1]), "phases": phases}


def _restore(shop: dict[str, object], standby: bool = True) -> Path:
    """The old state again. What the last trial left is moved aside, not deleted: on some disks
    deleting a folder takes milliseconds (pytest deletes old temporary folders later)."""
    root, saved = shop["root"], shop["saved"]
    assert isinstance(root, Path) and isinstance(saved, Path)
    trash = root.parent / f"{root.name}-trash" / secrets.token_hex(4)
    trash.mkdir(parents=True)
    os.rename(root / "out", trash / "out")
    os.rename(root / ".makerfront-cache", trash / ".makerfront-cache")
    subprocess.run(["cp", "-a", str(saved / "out"), str(saved / ".makerfront-cache"), str(root)], check=True)
    if not standby:  # as after the first build: the new site is made in a new folder
        cache = buildcache.cache_dir_for(root / "out")
        shutil.rmtree(cache / "standby")
        (cache / "standby-files").unlink()
    return root


def _moments(shop: dict[str, object]) -> list[int]:
    """TRIALS checkpoints: the first of making the new site, every one from the last file made to
    the first trimmed from the standby (around the exchange), and the rest drawn at random."""
    phases = shop["phases"]
    assert isinstance(phases, dict)
    chosen = {phases["new site"][0], *range(phases["new site"][1], phases["standby"][0] + 1)}
    rng = random.Random(SEED)
    total = shop["total"]
    assert isinstance(total, int)
    while len(chosen) < TRIALS:
        chosen.add(rng.randint(1, total))
    return sorted(chosen)


def test_a_build_killed_at_any_moment_of_the_write_step_leaves_the_old_site_or_the_new(shop) -> None:
    old, new = shop["old"], shop["new"]
    seen = {"old": 0, "new": 0}
    for n, stop_at in enumerate(_moments(shop)):
        root = _restore(shop, standby=n % 5 != 4)  # one in five: no standby yet
        build = Build(root, stop_at)
        assert build.wait_for("paused at checkpoint"), build.finish()[2]
        build.kill(signal.SIGKILL)
        tree = _tree(root / "out")
        assert tree in (old, new), f"killed at checkpoint {stop_at}: the output is neither the old site nor the new"
        seen["old" if tree == old else "new"] += 1
        assert _ours_inside(root / "out") == []
        if n % 8 == 0:  # the next build deals with what the killed one left, then finishes its work
            code, _, err = Build(root).finish()
            assert code == 0, err
            assert _tree(root / "out") == new
            assert _leftovers(root) == []
    assert seen["old"] > 3 and seen["new"] > 3  # killed both before and after the exchange


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], ids=["SIGTERM", "SIGHUP", "SIGINT"])
def test_a_build_stopped_by_a_signal_leaves_the_old_site_or_the_new(shop, sig: int) -> None:
    phases = shop["phases"]
    assert isinstance(phases, dict)
    middle = (phases["new site"][0] + phases["new site"][1]) // 2
    for stop_at in (middle, phases["exchanged"][0]):
        root = _restore(shop)
        build = Build(root, stop_at)
        assert build.wait_for("paused at checkpoint")
        err = build.kill(sig)
        assert _tree(root / "out") in (shop["old"], shop["new"])
        assert _ours_inside(root / "out") == []
        if sig == signal.SIGINT:  # Ctrl-C: the build cleans up after itself, and says so
            assert _leftovers(root) == []
            assert build.process.returncode == 130 and "Traceback" not in err
            assert "stopped (Ctrl-C)" in err
    code, _, err = Build(root).finish()
    assert code == 0, err
    assert _tree(root / "out") == shop["new"] and _leftovers(root) == []


def test_a_second_build_of_one_output_stops_or_waits(shop) -> None:
    root = _restore(shop)
    phases = shop["phases"]
    assert isinstance(phases, dict)
    first = Build(root, phases["exchange"][0])  # holds the lock, stopped in its write step
    assert first.wait_for("paused at checkpoint")
    code, _, err = Build(root).finish()
    assert code == 1
    assert f"another build of out/ is running (pid {first.process.pid})" in err
    assert "--wait" in err and "Traceback" not in err
    waiting = Build(root, 0, "--wait")
    assert waiting.wait_for(f"another build of out/ is running (pid {first.process.pid}); waiting...")
    first.kill()  # the lock goes with the process, however it ends
    code, _, err = waiting.finish()
    assert code == 0, err
    assert _tree(root / "out") == shop["new"] and _leftovers(root) == []


def test_two_builds_started_at_once_with_wait_both_succeed(shop) -> None:
    root = _restore(shop)
    builds = [Build(root, 0, "--wait"), Build(root, 0, "--wait")]
    for build in builds:
        code, _, err = build.finish()
        assert code == 0, err
        assert "Traceback" not in err
    assert _tree(root / "out") == shop["new"] and _leftovers(root) == []


# -- modes ------------------------------------------------------------------------------------------


def _modes(folder: Path) -> tuple[set[int], set[int]]:
    folders = {stat.S_IMODE(p.stat().st_mode) for p in [folder, *folder.rglob("*")] if p.is_dir()}
    files = {stat.S_IMODE(p.stat().st_mode) for p in folder.rglob("*") if p.is_file()}
    return folders, files


def test_under_umask_077_the_site_is_readable_by_all_and_the_cache_by_its_owner(make_site, tmp_path: Path) -> None:
    content = make_site({"listings/secret-gift.yaml": MUG_YAML.replace("Blue Mug", "Vexbridge Gift") + PRIVATE})
    out = tmp_path / "out"
    args = ["build", "--content", str(content), "--themes", str(tmp_path / "themes"), "--output", str(out)]
    old = os.umask(0o077)
    try:
        for price in ("28", "31", "33"):  # a clean build, a new folder tree, then the standby
            mug = content / "listings" / "blue-mug.yaml"
            mug.write_text(mug.read_text().replace("price: 28", f"price: {price}"))
            assert cli.main(args) == 0
            assert _modes(out) == ({0o755}, {0o644})
    finally:
        os.umask(old)
    cache = buildcache.cache_dir_for(out)
    for folder in (cache.parent, cache, cache / "standby"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    own = [p for p in cache.iterdir() if p.is_file()]
    assert {"inputs.bin", "outputs.bin", "pages.bin", "lock"} <= {p.name for p in own}
    assert {stat.S_IMODE(p.stat().st_mode) for p in own} == {0o600}


def test_a_cache_an_older_makerfront_left_readable_by_all_is_made_private(make_site, tmp_path: Path) -> None:
    content = make_site()
    out = tmp_path / "out"
    args = ["build", "--content", str(content), "--themes", str(tmp_path / "themes"), "--output", str(out)]
    assert cli.main(args) == 0
    cache = buildcache.cache_dir_for(out)
    for path in (cache.parent, cache, *cache.iterdir()):
        if path.is_dir():
            path.chmod(0o755)
        else:
            path.chmod(0o644)
    assert cli.main(args) == 0
    assert stat.S_IMODE(cache.parent.stat().st_mode) == stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in cache.iterdir() if p.is_file()} == {0o600}
