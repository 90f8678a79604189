"""Customizations makers ask for: show_if conditions, allowed characters, option photos and
swatches, the engraving preview and its fonts. Read into the model, and every mistake reported
with its file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import MUG_YAML, build_site, png_bytes

from generator.errors import BuildFailed
from generator.model import Condition, Listing

FONT = b"wOF2" + bytes(60)
"""Enough of a WOFF2 file for the build's check (its first bytes)."""

BOARD = """\
title: Walnut Board
price: 60
images:
  - {src: images/board.png, alt: A blank walnut cutting board}
  - {src: images/board-top.png, alt: The board from above}
customizations:
  - name: Font
    type: choice
    default: Serif
    options:
      - {label: Serif, font: fonts/serif.woff2}
      - {label: Script, font: fonts/script.woff2, price: 4}
  - name: Engraving
    type: text
    max_length: 20
    allowed: letters
    preview:
      image: images/board.png
      area: [40, 100, 320, 80]
      font: fonts/serif.woff2
      colour: "#3B2A1A"
      max_size: 60
  - name: Gift wrap
    type: checkbox
    price: 5
  - name: Gift message
    type: text
    show_if: {Gift wrap: true}
  - name: Wood
    type: choice
    options:
      - {label: Walnut, swatch: "#5a3d2b", image: images/board-top.png}
      - label: Maple
        swatch: "#e8d3a9"
        price: 10
  - name: Oil
    type: choice
    required: false
    options: [Plain, Beeswax]
    show_if: {Wood: [walnut], Engraving: filled}
"""


def board_files(board: str = BOARD, **more: str | bytes) -> dict[str, str | bytes]:
    return {
        "listings/board.yaml": board,
        "images/board.png": png_bytes(size=(400, 300)),
        "images/board-top.png": png_bytes(size=(40, 30)),
        "fonts/serif.woff2": FONT,
        "fonts/script.woff2": FONT,
        **more,
    }


def errors_of(content: Path) -> list[str]:
    with pytest.raises(BuildFailed) as failed:
        build_site(content)
    return [f"{e.path.name if e.path else ''}:{e.line}: {e.message}" for e in failed.value.errors]


def board_of(content: Path) -> Listing:
    return next(x for x in build_site(content).site.listings if x.slug == "board")


def test_board_reads_every_new_field(make_site) -> None:
    board = board_of(make_site(board_files()))
    font, engraving, wrap, message, wood, oil = board.customizations
    assert [o.font for o in font.options] == [Path("fonts/serif.woff2"), Path("fonts/script.woff2")]
    assert engraving.allowed == "letters"
    assert engraving.preview is not None
    assert engraving.preview.area == (40, 100, 320, 80) and engraving.preview.colour == "#3b2a1a"
    assert engraving.preview.max_size == 60 and engraving.preview.image == Path("images/board.png")
    assert message.show_if == (Condition(field=wrap.key, name="Gift wrap", test="checked"),)
    assert [(o.swatch, o.image) for o in wood.options] == [("#5a3d2b", Path("images/board-top.png")), ("#e8d3a9", None)]
    assert oil.show_if == (
        Condition(field="wood", name="Wood", test="one_of", values=("Walnut",)),
        Condition(field="engraving", name="Engraving", test="filled"),
    )
    assert board.fonts == (Path("fonts/serif.woff2"), Path("fonts/script.woff2"))


def test_fonts_are_published_with_the_listing(make_site) -> None:
    result = build_site(make_site(board_files()))
    assert Path(result.outputs["fonts/serif.woff2"]).read_bytes() == FONT
    assert "fonts/script.woff2" in result.outputs


def test_max_size_defaults_to_the_area_height_and_colour_to_near_black(make_site) -> None:
    board = BOARD.replace('      colour: "#3B2A1A"\n      max_size: 60\n', "")
    engraving = board_of(make_site(board_files(board))).customizations[1]
    assert engraving.preview is not None and (engraving.preview.max_size, engraving.preview.colour) == (80, "#1a1a1a")


def test_allowed_characters_list(make_site) -> None:
    board = BOARD.replace("allowed: letters", 'allowed: [A, B, "&", " ", 1]')
    assert board_of(make_site(board_files(board))).customizations[1].allowed == ("A", "B", "&", " ", "1")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("show_if: {Gift wrap: true}", "show_if: {Gift rap: true}"),
         'board.yaml:28: customizations[3].show_if: this listing has no customization named "Gift rap"'),
        (("show_if: {Gift wrap: true}", "show_if: {Gift message: filled}"),
         "board.yaml:28: customizations[3].show_if: Gift message cannot depend on itself"),
        (("show_if: {Gift wrap: true}", "show_if: {Gift wrap: yes please}"),
         'board.yaml:28: customizations[3].show_if.Gift wrap: expected true or false (whether "Gift wrap" is ticked), '
         'got "yes please"'),
        (("Wood: [walnut]", "Wood: [walnut, oak]"),
         'board.yaml:40: customizations[5].show_if.Wood: "Wood" has no option "oak"'),
        (("Engraving: filled", "Engraving: true"),
         'board.yaml:40: customizations[5].show_if.Engraving: expected "filled" (shown once "Engraving" is filled in), '
         "got true"),
        (("allowed: letters", "allowed: capitals"),
         'board.yaml:16: customizations[1].allowed: expected letters, letters_digits or a list of characters, '
         'got "capitals"'),
        (("allowed: letters", "allowed: [AB]"),
         'board.yaml:16: customizations[1].allowed[0]: expected one character, got "AB"'),
        (("area: [40, 100, 320, 80]", "area: [100, 100, 320, 80]"),
         "board.yaml:19: customizations[1].preview.area: [100, 100, 320, 80] goes beyond the photo, which is "
         "400 x 300 pixels"),
        (("area: [40, 100, 320, 80]", "area: [40, 100, 320]"),
         "board.yaml:19: customizations[1].preview.area: expected four whole numbers [x, y, width, height], got 40, "
         "100, 320"),
        (("image: images/board.png\n", "image: images/mug.png\n"),
         "board.yaml:18: customizations[1].preview.image: images/mug.png is not one of this listing's photos"),
        (('colour: "#3B2A1A"', "colour: brown"),
         'board.yaml:21: customizations[1].preview.colour: expected a colour such as "#e8c547", got "brown"'),
        (('swatch: "#e8d3a9"', "swatch: e8d3a9"),
         'board.yaml:34: customizations[4].options[1].swatch: expected a colour such as "#e8c547", got "e8d3a9"'),
        (("image: images/board-top.png}", "image: images/board-side.png}"),
         "board.yaml:32: customizations[4].options[0].image: file not found: content/images/board-side.png"),
        (("font: fonts/script.woff2", "font: fonts/script.txt"),
         'board.yaml:12: customizations[0].options[1].font: expected a font file ending in .woff2, .woff, .ttf, .otf, '
         'got "fonts/script.txt"'),
        (("type: checkbox\n    price: 5", "type: checkbox\n    price: 5\n    allowed: letters"),
         "board.yaml:26: customizations[2].allowed: unknown field 'allowed'"),
    ],
)  # fmt: skip
def test_mistakes_name_file_line_and_field(make_site, change: tuple[str, str], expected: str) -> None:
    old, new = change
    assert old in BOARD
    files = board_files(BOARD.replace(old, new), **{"fonts/script.txt": "hello"})
    assert expected in errors_of(make_site(files))


def test_swatch_without_quotes_is_explained(make_site) -> None:
    # YAML reads `swatch: #5a3d2b` as a swatch with a comment after it.
    with pytest.raises(BuildFailed) as failed:
        build_site(make_site(board_files(BOARD.replace('swatch: "#e8d3a9"', "swatch: #e8d3a9"))))
    (error,) = failed.value.errors
    assert error.hint is not None and "quotes" in error.hint


def test_a_file_that_is_not_a_font_is_refused(make_site) -> None:
    errors = errors_of(make_site(board_files(**{"fonts/serif.woff2": b"<html>not a font</html>"})))
    assert errors[0].startswith(
        "board.yaml:11: customizations[0].options[0].font: fonts/serif.woff2 is not a font file"
    )


CIRCLE = """\
  - name: Ribbon
    type: checkbox
    show_if: {Card: filled}
  - name: Card
    type: text
    show_if: {Ribbon colour: [Red]}
  - name: Ribbon colour
    type: choice
    options: [Red, Green]
    show_if: {Ribbon: true}
"""


def test_a_circle_of_conditions_is_refused_once(make_site) -> None:
    errors = errors_of(make_site({"listings/blue-mug.yaml": MUG_YAML + CIRCLE}))
    assert errors == [
        'blue-mug.yaml:16: customizations[1].show_if: "Ribbon" and "Card" and "Ribbon colour" depend on each other '
        "in a circle (Ribbon → Card → Ribbon colour → Ribbon), so none of them could ever be shown"
    ]


def test_option_fonts_need_a_preview(make_site) -> None:
    board = BOARD.replace("    preview:\n      image: images/board.png\n      area: [40, 100, 320, 80]\n"
                          "      font: fonts/serif.woff2\n      colour: \"#3B2A1A\"\n      max_size: 60\n", "")  # fmt: skip
    assert errors_of(make_site(board_files(board))) == [
        "board.yaml:7: customizations[0] (Font): its options name fonts, but no text customization of this "
        "listing has a preview"
    ]


# -- the pages built -------------------------------------------------------------------------------


def page_of(content: Path, path: str = "listings/board/index.html") -> str:
    from conftest import text_of

    return text_of(build_site(content), path)


def test_a_listing_without_these_features_carries_nothing_of_them(make_site) -> None:
    html = page_of(make_site(board_files()), "listings/blue-mug/index.html")
    for mark in ("preview.js", "data-show-if", "order-announce", "swatch", "data-allowed", "data-photo=",
                 "data-font", "condition"):  # fmt: skip
        assert mark not in html, mark
    board = page_of(make_site(board_files()))
    assert 'static/preview.js" defer' in board and "data-show-if" in board and 'id="order-announce"' in board


def test_the_page_writes_each_condition_and_what_may_be_typed(make_site) -> None:
    html = page_of(make_site(board_files()))
    assert '<p class="hint condition" id="opt-gift-message-when">Only if Gift wrap is ticked.</p>' in html
    assert "Only if Wood is Walnut and Engraving is filled in." in html
    assert "Up to 20 characters. Letters and spaces only." in html
    assert 'data-allowed="\\p{L}\\p{M} "' in html


def test_swatches_are_radios_and_option_photos_are_the_listings(make_site) -> None:
    html = page_of(make_site(board_files()))
    assert '<fieldset id="opt-wood" class="swatches"' in html and 'select id="opt-wood"' not in html
    assert 'style="background-color: #5a3d2b"' in html
    # Walnut shows the listing's second photo (images[1]) in the gallery.
    assert 'value="Walnut" data-surcharge="0" data-photo="1"' in html
    # The Font choice stays a list: its options name fonts, not colours.
    assert 'data-font="../../fonts/script.woff2"' in html and '<select id="opt-font"' in html


def test_a_conditional_required_choice_is_not_counted_in_the_least_price(make_site) -> None:
    board = BOARD + "  - name: Lid\n    type: choice\n    options: [{label: Oak, price: 9}]\n" \
        "    show_if: {Gift wrap: true}\n"  # fmt: skip
    html = page_of(make_site(board_files(board)))
    assert "From $60.00" in html  # not $69.00: the Lid is asked only with gift wrap


def test_snipcart_gets_conditional_fields_as_optional(make_site) -> None:
    site = "title: T\nbase_url: https://shop.example/\ncontact: {email: a@shop.example}\n" \
        "checkout: {provider: snipcart, snipcart_key: TEST_public_key_123}\n"  # fmt: skip
    board = BOARD.replace("    max_length: 20\n", "    max_length: 20\n    required: true\n").replace(
        "  - name: Gift message\n    type: text\n", "  - name: Gift message\n    type: text\n    required: true\n"
    )
    html = page_of(make_site({"site.yaml": site, **board_files(board)}))
    assert 'data-item-custom4-name="Gift message"' in html
    assert "data-item-custom4-required" not in html  # shown only with gift wrap: the page checks it
    assert 'data-item-custom6-options="None|Plain|Beeswax"' in html  # "None" when it is not shown


def test_a_private_listings_fonts_live_in_its_own_folder(make_site) -> None:
    private = BOARD + "private: true\n"
    result = build_site(make_site(board_files(private)))
    fonts = sorted(o for o in result.outputs if o.endswith(".woff2"))
    assert len(fonts) == 2 and all(f.startswith("p/") for f in fonts), fonts
    assert not any(o.startswith("fonts/") for o in result.outputs)


def test_the_schema_takes_the_new_fields_and_refuses_bad_ones() -> None:
    import jsonschema
    import yaml

    from generator.schema import json_schema

    schema = json_schema("listing")
    jsonschema.validate(yaml.safe_load(BOARD), schema)
    for bad in (BOARD.replace('colour: "#3B2A1A"', "colour: brown"),
                BOARD.replace("area: [40, 100, 320, 80]", "area: [40, 100, 320, 80, 5]"),
                BOARD.replace("allowed: letters", "allowed: capitals"),
                BOARD.replace("allowed: letters", "allowed: [AB]"),
                BOARD.replace("show_if: {Gift wrap: true}", "show_if: {Gift wrap: {x: 1}}"),
                BOARD.replace("    price: 5\n", "    price: 5\n    allowed: letters\n")):  # fmt: skip
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(yaml.safe_load(bad), schema)


def test_only_one_choice_may_name_fonts(make_site) -> None:
    board = BOARD.replace(
        "  - name: Gift wrap\n",
        "  - name: Size of letters\n    type: choice\n    options:\n      - {label: Big, font: fonts/script.woff2}\n"
        "  - name: Gift wrap\n",
    )
    assert errors_of(make_site(board_files(board))) == [
        "board.yaml:23: customizations[2] (Size of letters): only one choice may name fonts "
        "(customizations[0] does already)"
    ]
