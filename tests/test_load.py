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


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        # A quote never closed: the quote that opened, wherever the text ended.
        ('title: Mug\nprice: 28\ndescription: "A lovely mug\n', (3, 14), "this quote is never closed"),
        ("title: 'Blue Mug\nprice: 28\nimages:\n  - src: a.png\n    alt: A mug\n", (1, 8), "this quote is never"),
        ('title: Mug\ntags:\n  - "gift\n  - kitchen\nprice: 3\n', (3, 5), "this quote is never closed"),
        ('images:\n  - {src: a.png, alt: "A mug}\nprice: 3\n', (2, 23), "this quote is never closed"),
        # ... or closed by the next quote, lines further on.
        ('title: "Blue Mug\nprice: 28\ndescription: "Nice"\n', (1, 8), "this quote is not closed on its line"),
        # A quote inside the quoted text.
        ("title: 'Grandma's mug'\nprice: 28\n", (1, 8), "this quoted text ends early: the ' in column 16"),
        ('title: "The "best" mug"\n', (1, 8), 'this quoted text ends early: the " in column 13'),
        # A line indented differently from the lines above it: that line.
        ("title: Mug\n price: 28\n", (2, 2), '"price" starts 1 space further right than "title" on line 1'),
        ("images:\n  - src: a.png\n     alt: A\n", (3, 6), '"alt" starts 1 space further right than "src" on line 2'),
        ("images:\n  - src: a.png\n   alt: A\n", (3, 4), '"alt" starts 1 space further left than "src" on line 2'),
        ("c:\n  - name: C\n    type: choice\n   options: [R]\n", (4, 4), '"options" starts 1 space further left'),
        ("maker:\n  name: A\n    bio: hi\n", (3, 5), '"bio" starts 2 spaces further right than "name" on line 2'),
        ("maker:\n    name: A\n  bio: hi\n", (3, 3), '"bio" starts between "name" on line 2 and "maker" on line 1'),
        ("tags:\n  - gift\n - kitchen\n", (3, 2), 'its "-" starts 1 space further left than the "-" on line 2'),
        ("images:\n  - src: a\n    alt: A\n   - src: b\n", (4, 4), 'its "-" starts 1 space further right'),
        # Valid YAML, but a list item that became more of the item above.
        ("tags:\n  - gift\n   - kitchen\n", (3, 4), 'so this item was read as more of the one above: "gift - kitchen"'),
        # A comment that hides the end of a {...}.
        ("images:\n  - {src: a.png, alt: Mug #2}\n", (2, 23), 'the text after "#" was read as a comment, and with it'),
    ],
)
def test_yaml_mistakes_are_explained_where_they_are(text: str, where: tuple[int, int], message: str) -> None:
    for crlf in (False, True):
        with pytest.raises(SiteError) as exc:
            parse_yaml(text.replace("\n", "\r\n") if crlf else text, Path("x.yaml"))
        assert (exc.value.line, exc.value.column) == where
        assert message in exc.value.message
        assert not exc.value.message.startswith("YAML syntax error")
        assert exc.value.hint


def test_unexplained_syntax_errors_keep_pyyamls_words() -> None:
    with pytest.raises(SiteError) as exc:
        parse_yaml("title: Mug: large\n", Path("x.yaml"))
    assert (exc.value.line, exc.value.column) == (1, 11)
    assert exc.value.message == "YAML syntax error: mapping values are not allowed in this context"
    with pytest.raises(SiteError) as exc:
        parse_yaml('title: "C:\\files\\photo"\n', Path("x.yaml"))
    assert exc.value.hint is not None and "write \\\\ for one \\" in exc.value.hint


def test_an_unclosed_quote_in_front_matter_runs_to_the_closing_dashes(tmp_path: Path) -> None:
    page = tmp_path / "faq.md"
    page.write_text('---\ntitle: FAQ\nintro: "Ask us\norder: 2\n---\nBody.\n')
    with pytest.raises(SiteError) as exc:
        load_markdown_file(page)
    assert (exc.value.line, exc.value.column) == (3, 8)
    assert (
        exc.value.message == "this quote is never closed: the text from here to the closing --- was read as one value"
    )


def test_a_hash_after_text_warns_that_the_rest_is_a_comment() -> None:
    warnings: list[SiteError] = []
    text = (
        "title: Mug #2 - the everyday one\nprice: 28  # was 32\nimages:\n  - {src: a.png, alt: Mug  # two spaces\n  }\n"
    )
    data = parse_yaml(text, Path("x.yaml"), warnings=warnings)
    assert data["title"] == "Mug" and data["price"] == 28
    assert [str(w) for w in warnings] == [
        'x.yaml:1:8: title: the text after "#" was read as a comment, so the title is "Mug"\n'
        '  hint: write title: "Mug #2 - the everyday one" to keep it all',
        'x.yaml:4:23: images[0].alt: the text after "#" was read as a comment, so the alt text is "Mug"\n'
        '  hint: write alt: "Mug # two spaces" to keep it all',
    ]


@pytest.mark.parametrize(
    "text",
    [
        'title: "Mug #2"  # quoted: kept\n',
        "title: Mug#2\n",  # no space before '#': not a comment
        "price: 28  # was 32\nsize: large  # other keys may have comments\n",
        "# title: Mug #2\ntitle: Mug\n",
        "description: |\n  title: Mug #2\n",
    ],
)
def test_no_warning_when_nothing_was_cut(text: str) -> None:
    warnings: list[SiteError] = []
    parse_yaml(text, Path("x.yaml"), warnings=warnings)
    assert warnings == []


def test_a_hash_that_empties_a_title_names_it(tmp_path: Path) -> None:
    page = tmp_path / "faq.md"
    page.write_text("---\ntitle: #1 questions\n---\nBody.\n")
    doc = load_markdown_file(page)
    assert doc.data["title"] is None
    assert [str(w) for w in doc.warnings] == [
        f'{page.as_posix()}:2:7: title: the text after "#" was read as a comment, so the title is empty\n'
        '  hint: write title: "#1 questions" to keep it all'
    ]


def test_load_content_collects_warnings(tmp_path: Path) -> None:
    root = tmp_path / "content"
    (root / "listings").mkdir(parents=True)
    (root / "site.yaml").write_text("title: Studio #1\n")
    (root / "maker.yaml").write_text("name: Ada\n")
    (root / "listings" / "mug.yaml").write_text("title: Mug\nprice: 3\nimages:\n  - {src: a.png, alt: x #1}\n")
    errors = ErrorList()
    load_content(root, errors)
    assert [(w.path, w.line) for w in errors.warnings] == [(root / "site.yaml", 1)]
    assert [e.line for e in errors.errors] == [4]  # the comment hid the '}'
