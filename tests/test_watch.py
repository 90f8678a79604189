"""watch.py: which file events matter, what they fold into, and how bursts are batched."""

from __future__ import annotations

import queue
from pathlib import Path

import pytest

from generator.watch import (
    FULL_BUILD,
    Change,
    ChangedFile,
    ChangeSet,
    FileEvent,
    WatchRoots,
    bucket_of,
    classify,
    collect_batch,
    is_temporary,
)

ROOT = Path("/shop")
ROOTS = WatchRoots(content=ROOT / "content", themes=(ROOT / "themes", Path("/opt/makerfront/themes")))
C = ROOT / "content"
T = ROOT / "themes"


def ev(kind: str, path: Path | str, dest: Path | str | None = None, is_directory: bool = False) -> FileEvent:
    return FileEvent(kind, str(path), str(dest) if dest is not None else None, is_directory)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("path", "bucket"),
    [
        (C / "site.yaml", Change.CONFIG),
        (C / "maker.yaml", Change.CONTENT),
        (C / "listings" / "eagle-mug.yaml", Change.CONTENT),
        (C / "listings" / "site.yaml", Change.CONTENT),  # only the top-level site.yaml is config
        (C / "pages" / "shipping.md", Change.CONTENT),
        (C / "images" / "mug.png", Change.CONTENT),
        (C / "listings", Change.CONTENT),
        (C / "static" / "robots-extra.txt", Change.STATIC),
        (T / "mytheme" / "templates" / "listing.html", Change.THEME),
        (T / "mytheme" / "templates" / "partials" / "footer.html", Change.THEME),
        (T / "mytheme" / "theme.yaml", Change.THEME),
        (T / "mytheme", Change.THEME),
        (T / "mytheme" / "static" / "style.css", Change.STATIC),
        (T / "mytheme" / "static" / "img" / "logo.svg", Change.STATIC),
        (Path("/opt/makerfront/themes/default/templates/base.html"), Change.THEME),
        (Path("/opt/makerfront/themes/default/static/listing.js"), Change.STATIC),
    ],
)
def test_bucket_of_each_kind_of_file(path: Path, bucket: Change) -> None:
    assert bucket_of(path, ROOTS) is bucket


@pytest.mark.parametrize(
    "path",
    [
        ROOT / "output" / "index.html",  # outside every watched folder
        ROOT / "contentx" / "site.yaml",  # a sibling whose name starts like content/
        Path("/etc/passwd"),
        C / ".git" / "index",
        C / "listings" / ".eagle-mug.yaml.swp",
    ],
)
def test_paths_outside_the_roots_or_hidden_are_ignored(path: Path) -> None:
    assert bucket_of(path, ROOTS) is None


@pytest.mark.parametrize(
    "name",
    [
        ".eagle-mug.yaml.swp",  # vim swap
        "eagle-mug.yaml.swp",
        ".eagle-mug.yaml.swo",
        "eagle-mug.yaml.swx",
        "eagle-mug.yaml~",  # backup
        ".#eagle-mug.yaml",  # emacs lock
        "#eagle-mug.yaml#",  # emacs auto-save
        "4913",  # vim's writability test
        "5036",
        "eagle-mug.yaml.tmp",
        "eagle-mug.yaml.TMP",
        "eagle-mug.yaml___jb_tmp___",
        ".DS_Store",
        ".gitkeep",
    ],
)
def test_editor_temporary_files_are_recognised(name: str) -> None:
    assert is_temporary(name)
    assert classify([ev("created", C / "listings" / name), ev("modified", C / "listings" / name)], ROOTS).files == ()


@pytest.mark.parametrize("name", ["eagle-mug.yaml", "4913-mug.yaml", "swap.yaml", "mug.png", "tmp.md", "site.yaml"])
def test_real_content_files_are_not_mistaken_for_temporary_ones(name: str) -> None:
    assert not is_temporary(name)


def test_many_events_for_one_file_give_one_entry() -> None:
    mug = C / "listings" / "mug.yaml"
    changes = classify([ev("modified", mug)] * 5 + [ev("modified", C / "maker.yaml")], ROOTS)
    assert changes.files == (
        ChangedFile(path=C / "listings" / "mug.yaml", bucket=Change.CONTENT, action="modified"),
        ChangedFile(path=C / "maker.yaml", bucket=Change.CONTENT, action="modified"),
    )


@pytest.mark.parametrize(
    ("kinds", "action"),
    [
        (["created", "modified", "modified"], "created"),
        (["modified", "deleted"], "deleted"),
        (["deleted", "created"], "modified"),  # an editor that saves by delete + create
        (["deleted", "created", "modified"], "modified"),
        (["created", "deleted"], None),  # a temporary file under a normal name
    ],
)
def test_events_fold_into_what_happened_to_the_file(kinds: list[str], action: str | None) -> None:
    mug = C / "listings" / "mug.yaml"
    files = classify([ev(k, mug) for k in kinds], ROOTS).files
    assert [f.action for f in files] == ([action] if action else [])


def test_vim_save_burst_is_one_modified_listing() -> None:
    listings = C / "listings"
    mug = listings / "mug.yaml"
    burst = [
        ev("created", listings / "4913"),
        ev("modified", listings / "4913"),
        ev("deleted", listings / "4913"),
        ev("moved", mug, listings / "mug.yaml~"),
        ev("created", mug),
        ev("modified", mug),
        ev("modified", listings, is_directory=True),
        ev("modified", listings / ".mug.yaml.swp"),
        ev("deleted", listings / "mug.yaml~"),
    ]
    assert classify(burst, ROOTS).files == (ChangedFile(path=mug, bucket=Change.CONTENT, action="modified"),)


def test_save_by_rename_over_the_file_counts_for_the_destination() -> None:
    mug = C / "listings" / "mug.yaml"
    changes = classify([ev("created", f"{mug}.tmp"), ev("moved", f"{mug}.tmp", mug)], ROOTS)
    assert [(f.path, f.action) for f in changes.files] == [(mug, "created")]


def test_moving_a_listing_out_of_the_folder_is_a_deletion() -> None:
    mug = C / "listings" / "mug.yaml"
    changes = classify([ev("moved", mug, ROOT / "trash" / "mug.yaml")], ROOTS)
    assert [(f.path, f.action) for f in changes.files] == [(mug, "deleted")]


def test_folder_modified_events_are_dropped_but_new_folders_count() -> None:
    assert not classify([ev("modified", C / "listings", is_directory=True)], ROOTS)
    moved_in = classify([ev("moved", ROOT / "Downloads" / "photos", C / "images" / "photos", True)], ROOTS)
    assert [(f.path, f.bucket, f.action) for f in moved_in.files] == [
        (C / "images" / "photos", Change.CONTENT, "created")
    ]


def test_changeset_decides_how_much_to_rebuild() -> None:
    css = T / "mytheme" / "static" / "style.css"
    only_css = classify([ev("modified", css)], ROOTS)
    assert only_css.only_modified_static and not only_css.needs_full_build
    new_css = classify([ev("created", T / "mytheme" / "static" / "extra.css")], ROOTS)
    assert not new_css.only_modified_static and not new_css.needs_full_build
    template = classify([ev("modified", T / "mytheme" / "templates" / "home.html"), ev("modified", css)], ROOTS)
    assert template.kinds == {Change.THEME, Change.STATIC} and not template.needs_full_build
    config = classify([ev("modified", C / "site.yaml"), ev("modified", css)], ROOTS)
    assert config.needs_full_build and not config.only_modified_static
    assert not FULL_BUILD and not FULL_BUILD.only_modified_static


def test_describe_names_the_single_file_or_counts() -> None:
    one = classify([ev("modified", C / "listings" / "mug.yaml")], ROOTS)
    assert one.describe(ROOTS) == "listings/mug.yaml modified"
    two = classify([ev("modified", C / "maker.yaml"), ev("created", C / "listings" / "bowl.yaml")], ROOTS)
    assert two.describe(ROOTS) == "2 files changed"
    assert ChangeSet().describe() == "full build"


# -- collect_batch: debouncing with a scripted queue and clock (no sleeping, no timing luck) ------


class ScriptedQueue:
    """Events that 'arrive' at given times on a fake clock."""

    def __init__(self, arrivals: list[tuple[float, FileEvent | None]]) -> None:
        self.arrivals = list(arrivals)
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def get(self, timeout: float | None) -> FileEvent | None:
        if not self.arrivals:
            if timeout is None:
                return None  # nothing more will ever come: behave like STOP
            self.now += timeout
            raise queue.Empty
        at, event = self.arrivals[0]
        if timeout is not None and at > self.now + timeout:
            self.now += timeout
            raise queue.Empty
        self.now = max(self.now, at)
        self.arrivals.pop(0)
        return event


def batches(arrivals: list[tuple[float, FileEvent | None]], quiet: float = 0.04, max_wait: float = 1.0) -> list[int]:
    q = ScriptedQueue(arrivals)
    sizes = []
    while True:
        batch, stop = collect_batch(q.get, quiet=quiet, max_wait=max_wait, clock=q.clock)
        if batch:
            sizes.append(len(batch))
        if stop:
            return sizes


E = ev("modified", C / "maker.yaml")


def test_a_save_burst_within_the_quiet_window_is_one_batch() -> None:
    assert batches([(0.0, E), (0.003, E), (0.010, E), (0.030, E), (0.065, E)]) == [5]


def test_events_separated_by_more_than_the_quiet_window_are_separate_batches() -> None:
    assert batches([(0.0, E), (0.01, E), (0.5, E), (2.0, E), (2.02, E)]) == [2, 1, 2]


def test_a_never_ending_stream_still_rebuilds_after_max_wait() -> None:
    stream: list[tuple[float, FileEvent | None]] = [(i * 0.02, E) for i in range(150)]  # 3 s of events
    sizes = batches(stream, quiet=0.04, max_wait=1.0)
    assert len(sizes) == 3 and sum(sizes) == 150


def test_stop_ends_collection_and_returns_what_was_collected() -> None:
    q = ScriptedQueue([(0.0, E), (0.01, None)])
    assert collect_batch(q.get, quiet=0.04, max_wait=1.0, clock=q.clock) == ([E], True)
    q = ScriptedQueue([(0.0, None)])
    assert collect_batch(q.get, quiet=0.04, max_wait=1.0, clock=q.clock) == ([], True)
