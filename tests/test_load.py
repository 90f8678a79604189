"""Loading YAML with line marks: exact positions, YAML 1.2 booleans, duplicate keys, front matter."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import ErrorList, SiteError
from generator.load import Mark, YList, YMap, load_content, load_markdown_file, parse_yaml

DOC = """\
title: Mug
price: 28
customizations:
  - name: Colour
    options:
      - Red
      - {label: Gold, price: 4}
"""


def test_every_key_value_and_item_knows_its_line_and_column() -> None:
    data = parse_yaml(DOC, Path("x.yaml"))
    assert isinstance(data, YMap)
    assert data.mark == Mark(1, 1)
    assert data.key_marks == {"title": Mark(1, 1), "price": Mark(2, 1), "customizations": Mark(3, 1)}
    assert data.value_marks["price"] == Mark(2, 8)
    assert data.raw["price"] == "28"
    custom = data["customizations"]
    assert isinstance(custom, YList) and custom.marks == [Mark(4, 5)]
    options = custom[0]["options"]
    assert options.marks == [Mark(6, 9), Mark(7, 9)]
    assert options.raw == ["Red", None]
    assert options[1].value_marks["price"] == Mark(7, 30)


def test_front_matter_lines_are_file_lines(tmp_path: Path) -> None:
    page = tmp_path / "faq.md"
    page.write_text("---\ntitle: FAQ\norder: 2\n---\n# Questions\n\nBody.\n")
    doc = load_markdown_file(page)
    assert doc.data.value_marks["order"] == Mark(3, 8)
    assert doc.body == "# Questions\n\nBody.\n"
    assert doc.body_line == 5
    page.write_text("---\ntitle: FAQ\norder: [2\n---\n")
    with pytest.raises(SiteError) as exc:
        load_markdown_file(page)
    assert exc.value.line == 4


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "y", "n", "Yes", "NO", "On"])
def test_only_true_and_false_are_booleans(word: str) -> None:
    data = parse_yaml(f"a: {word}\nb: [{word}]\n", Path("x.yaml"))
    assert data["a"] == word
    assert data["b"] == [word]


@pytest.mark.parametrize(("word", "value"), [("true", True), ("false", False), ("True", True), ("FALSE", False)])
def test_true_and_false_still_are(word: str, value: bool) -> None:
    assert parse_yaml(f"a: {word}\n", Path("x.yaml"))["a"] is value


def test_other_scalars_keep_their_yaml_types() -> None:
    data = parse_yaml("i: 12\nf: 12.5\nd: 2026-11-27\nn: null\ns: '12'\n", Path("x.yaml"))
    assert (data["i"], data["f"], str(data["d"]), data["n"], data["s"]) == (12, 12.5, "2026-11-27", None, "12")


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [("title: A\nprice: 1\ntitle: B\n", 3, 1), ("a:\n  b: 1\n  b: 2\n", 3, 3), ("x: {k: 1, k: 2}\n", 1, 11)],
)
def test_duplicate_keys_are_errors(text: str, line: int, column: int) -> None:
    with pytest.raises(SiteError) as exc:
        parse_yaml(text, Path("x.yaml"))
    assert (exc.value.line, exc.value.column) == (line, column)
    assert "appears twice in the same block" in exc.value.message


def test_syntax_errors_point_at_the_problem() -> None:
    with pytest.raises(SiteError) as exc:
        parse_yaml("title: ok\nprice: 12\n\tsize: 3\n", Path("x.yaml"))
    assert (str(exc.value.path), exc.value.line) == ("x.yaml", 3)
    assert exc.value.message.startswith("YAML syntax error:")
    assert exc.value.hint == "indent with spaces, not tabs"


def test_empty_document_is_none() -> None:
    assert parse_yaml("", Path("x.yaml")) is None
    assert parse_yaml("# only a comment\n", Path("x.yaml")) is None


def test_load_content_collects_errors_and_skips_editor_files(tmp_path: Path) -> None:
    root = tmp_path / "content"
    (root / "listings").mkdir(parents=True)
    (root / "pages").mkdir()
    (root / "site.yaml").write_text("title: T\n")
    (root / "maker.yaml").write_bytes(b"name: \xff\xfe\n")
    for name in ("ok.yaml", ".#ok.yaml", "ok.yaml~", ".ok.yaml.swp", "bad.yaml"):
        (root / "listings" / name).write_text("title: [\n" if name == "bad.yaml" else "title: A\n")
    (root / "listings" / "old.yml").write_text("title: A\n")
    (root / "pages" / "about.markdown").write_text("---\ntitle: A\n---\n")
    errors = ErrorList()
    files = load_content(root, errors)
    assert [d.path.name for d in files.listings] == ["ok.yaml"]
    assert files.maker is None and files.site is not None
    assert sorted(str(e) for e in errors.errors) == [
        f"{root.as_posix()}/listings/bad.yaml:2:1: YAML syntax error: did not find expected node content",
        f"{root.as_posix()}/listings/old.yml: this file is ignored: its name must end in '.yaml'\n"
        "  hint: rename it to old.yaml",
        f"{root.as_posix()}/maker.yaml: the file is not UTF-8 text\n  hint: save it as UTF-8 in your editor",
        f"{root.as_posix()}/pages/about.markdown: this file is ignored: its name must end in '.md'\n"
        "  hint: rename it to about.md",
    ]
