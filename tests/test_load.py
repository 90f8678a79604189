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


# -- values YAML reads that content files do not take ------------------------------------------


def _refused(text: str) -> SiteError:
    with pytest.raises(SiteError) as exc:
        parse_yaml(text, Path("x.yaml"))
    assert not exc.value.message.startswith("YAML syntax error")
    return exc.value


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("2027-02-30", "2027-02-30 is not a real date: February has 28 days in 2027"),
        ("2028-02-30", "2028-02-30 is not a real date: February has 29 days in 2028"),
        ("2027-13-01", "2027-13-01 is not a real date: there is no month 13 (months go from 01 to 12)"),
        ("2027-00-10", "2027-00-10 is not a real date: there is no month 0 (months go from 01 to 12)"),
        ("2027-01-00", "2027-01-00 is not a real date: there is no day 0"),
        ("0000-01-01", "0000-01-01 is not a real date: there is no year 0"),
        ("2027-01-31T25:00:00", "2027-01-31T25:00:00 is not a real date and time: hours go from 00 to 23"),
        ("2027-01-31 10:61:00", "2027-01-31 10:61:00 is not a real date and time: minutes go from 00 to 59"),
        ("2027-01-31T10:00:61", "2027-01-31T10:00:61 is not a real date and time: seconds go from 00 to 59"),
        ("2027-01-31T10:00:00+25", "2027-01-31T10:00:00+25 is not a real date and time: a time zone is at most 23"),
    ],
)
def test_impossible_dates_say_what_is_wrong(value: str, why: str) -> None:
    for text, field, where in (
        (f"expires: {value}\n", "expires", (1, 10)),
        (f"extra:\n  - {value}\n", "extra[0]", (2, 5)),
    ):
        err = _refused(text)
        assert err.message.startswith(f"{field}: {why}")
        assert (err.line, err.column) == where


@pytest.mark.parametrize(
    ("text", "tag", "where"),
    [
        ("title: !!binary aGVsbG8gd29ybGQ=\n", "!!binary", (1, 8)),
        ("price: !!int abc\n", "!!int", (1, 8)),
        ("price: !!float 12\n", "!!float", (1, 8)),  # not what YAML reads 12 as
        ('price: !!int "12"\n', "!!int", (1, 8)),
        ("date: !!timestamp not-a-date\n", "!!timestamp", (1, 7)),
        ("ok: !!bool yes\n", "!!bool", (1, 5)),
        ("x: !!null abc\n", "!!null", (1, 4)),
        ("extra:\n  x: !!python/object/apply:os.system ['true']\n", "!!python/object/apply:os.system", (2, 6)),
        ("tags: !!set {a, b}\n", "!!set", (1, 7)),
        ("tags: !!omap [a: 1]\n", "!!omap", (1, 7)),
        ("title: !local x\n", "!local", (1, 8)),
        ("!!binary aGk=: 1\n", "!!binary", (1, 1)),
        ("images: !!str [a]\n", "!!str", (1, 9)),
    ],
)
def test_tags_are_refused(text: str, tag: str, where: tuple[int, int]) -> None:
    err = _refused(text)
    assert f"{tag} is a YAML tag: makerfront files do not use tags" in err.message
    assert (err.line, err.column) == where
    assert err.hint is not None and err.hint.startswith(f"remove {tag} and write the value itself")


def test_tags_that_change_nothing_are_accepted() -> None:
    data = parse_yaml("a: !!str 12\nb: !!int 12\nc: ! 12\nd: !!seq [x]\ne: !!map {k: v}\n", Path("x.yaml"))
    assert data == {"a": "12", "b": 12, "c": 12, "d": ["x"], "e": {"k": "v"}}


def test_yaml_1_1_merge_and_value_keys_are_words() -> None:
    assert parse_yaml("<<: {a: 1}\ntitle: =\n", Path("x.yaml")) == {"<<": {"a": 1}, "title": "="}


def test_keys_are_the_words_typed() -> None:
    data = parse_yaml("12: a\ntrue: b\n2027-02-30: c\n~: d\n", Path("x.yaml"))
    assert list(data) == ["12", "true", "2027-02-30", "~"]
    err = _refused("? [a, b]\n: c\n")
    assert (err.line, err.column, err.message) == (1, 3, "a key must be a word, not a list or a block")
    assert (_refused("{[a]: 1}\n").line, _refused("{[a]: 1}\n").column) == (1, 2)


def test_a_number_too_long_to_read() -> None:
    err = _refused("price: " + "9" * 5000 + "\n")
    assert (err.line, err.column, err.message) == (1, 8, "price: this number is too long (5,000 characters)")
    assert _refused("x: 0x" + "f" * 200 + "\n").message == "x: this number is too long (202 characters)"
    assert parse_yaml("x: " + "9" * 100 + "\n", Path("x.yaml"))["x"] == int("9" * 100)
    assert parse_yaml("x: '" + "9" * 5000 + "'\n", Path("x.yaml"))["x"] == "9" * 5000


def test_aliases_are_refused_before_they_expand() -> None:
    bomb = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{b}: &{b} [{', '.join(['*' + a] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)
    )
    assert len(bomb) < 600
    err = _refused(bomb)
    assert (err.line, err.column) == (2, 8)
    assert (
        err.message == '"*a" repeats the value named "&a" on line 1 (a YAML alias): makerfront files do not use aliases'
    )
    assert err.hint == 'write the value out in full instead of "*a"'


@pytest.mark.parametrize(
    ("text", "where", "message", "hint"),
    [
        ("title: &Co Mugs  # ours\n", (1, 8), '"&Co" was read as a YAML anchor', 'title: "&Co Mugs"'),
        ("tags: &t [a]\n", (1, 7), '"&t" was read as a YAML anchor', 'remove "&t"'),
        ("description: *Handmade* mugs\n", (1, 14), 'starts with "*" is read as a YAML alias', '"*Handmade* mugs"'),
        ("tags:\n  - *sale\n", (2, 5), 'starts with "*" is read as a YAML alias', '- "*sale"'),
        ("tags: [a, *b]\n", (1, 11), 'starts with "*" is read as a YAML alias', 'quotes: "*b"'),
    ],
)
def test_anchors_and_values_read_as_aliases_are_explained(
    text: str, where: tuple[int, int], message: str, hint: str
) -> None:
    err = _refused(text)
    assert (err.line, err.column) == where
    assert message in err.message
    assert err.hint is not None and err.hint.endswith(hint)


@pytest.mark.parametrize(
    "text",
    [
        "description: I make *mugs* and **bowls**.\n",
        "description: |\n  * one\n  * two\n  *three*\n",
        "title: Fish & Chips\nintro: R&D, A*B\n",
    ],
)
def test_stars_and_ampersands_in_text_are_text(text: str) -> None:
    assert parse_yaml(text, Path("x.yaml"))


@pytest.mark.parametrize(
    ("text", "where", "field", "what", "hint"),
    [
        ('title: "Blue\\x0c Mug"\n', (1, 13), "title", "the control character U+000C (form feed)", '"\\x0c"'),
        ('title: "a\\\\e \\e"\n', (1, 14), "title", "the control character U+001B (escape)", '"\\e"'),
        ('title: "x\\uFFFE"\n', (1, 10), "title", "the noncharacter U+FFFE", '"\\uFFFE"'),
        ('title: "x\\U0010FFFF"\n', (1, 10), "title", "the noncharacter U+10FFFF", '"\\U0010FFFF"'),
        ('title: "x\\N"\n', (1, 10), "title", "the control character U+0085 (next line)", '"\\N"'),
        ('title: "x\\r"\n', (1, 10), "title", "the control character U+000D (carriage return)", '"\\r"'),
        ('a:\n  b: ["ok", "long\n    line \\0"]\n', (3, 10), "a.b[1]", "the control character U+0000 (NUL)", '"\\0"'),
        ("title: x\ufdd0y\n", (1, 9), "title", "the noncharacter U+FDD0", "copied from elsewhere"),
        ("\ufefftitle: 'x\U0001fffe'\n", (1, 10), "title", "the noncharacter U+1FFFE", "copied from elsewhere"),
        ('links:\n  "Sh\\aop": x\n', (2, 6), "links", "the control character U+0007 (bell)", '"\\a"'),
    ],
)
def test_characters_no_page_can_show_are_refused_where_they_are(
    text: str, where: tuple[int, int], field: str, what: str, hint: str
) -> None:
    err = _refused(text)
    assert (err.line, err.column) == where
    assert err.message.startswith(f"{field}: this ")
    assert f"contains {what}, which no web page or feed can show" in err.message
    assert err.hint is not None and hint in err.hint


@pytest.mark.parametrize(
    ("text", "where", "what"),
    [
        ("title: Blue\x1b Mug\n", (1, 12), "the control character U+001B (escape)"),
        ("a: 1\ndescription: |\n  x\n  é\x00\n", (4, 4), "the control character U+0000 (NUL)"),
        ("\ufeffa: \x7f\n", (1, 4), "the control character U+007F (delete)"),
        ("a: \ufffe\n", (1, 4), "the noncharacter U+FFFE"),
    ],
)
def test_characters_typed_as_they_are_are_refused_where_they_are(text: str, where: tuple[int, int], what: str) -> None:
    with pytest.raises(SiteError) as exc:
        parse_yaml(text, Path("x.yaml"))
    assert (exc.value.line, exc.value.column) == where
    assert exc.value.message == f"this file contains {what}, which no web page or feed can show"


def test_tabs_line_breaks_and_other_escapes_are_text() -> None:
    data = parse_yaml('a: "x\\ty\\nz \\\\ \\" \\/ \\_ \\L \\u00e9 \\x41"\nb: "\\x7e"\n', Path("x.yaml"))
    assert data == {"a": 'x\ty\nz \\ " / \xa0 \u2028 é A', "b": "~"}


def test_a_page_body_with_a_control_character(tmp_path: Path) -> None:
    page = tmp_path / "faq.md"
    page.write_bytes(b"---\ntitle: FAQ\n---\r\n# Q\r\n\r\nAsk \x0cus.\r\n")
    with pytest.raises(SiteError) as exc:
        load_markdown_file(page)
    assert (exc.value.line, exc.value.column) == (6, 5)
    assert (
        exc.value.message
        == "this page contains the control character U+000C (form feed), which no web page or feed can show"
    )


def test_a_page_may_start_with_a_byte_order_mark(tmp_path: Path) -> None:
    page = tmp_path / "faq.md"
    page.write_text("\ufeff---\ntitle: FAQ\norder: 2\n---\nBody.\n", encoding="utf-8")
    doc = load_markdown_file(page)
    assert doc.data["title"] == "FAQ" and doc.data.value_marks["order"] == Mark(3, 8)
    assert (doc.body, doc.body_line) == ("Body.\n", 5)


def test_a_content_folder_that_is_a_file(tmp_path: Path) -> None:
    root = tmp_path / "content"
    root.mkdir()
    (root / "site.yaml").write_text("title: T\n")
    (root / "maker.yaml").write_text("name: Ada\n")
    (root / "pages").write_text("title: FAQ\n")
    (root / "listings").write_text("")
    errors = ErrorList()
    load_content(root, errors)
    assert [(e.path, e.message) for e in errors.errors] == [
        (root / "listings", "this is a file, but it must be the folder of your listings"),
        (root / "pages", "this is a file, but it must be the folder of your pages"),
    ]
