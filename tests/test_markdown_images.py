"""A picture inside Markdown would be dropped by the HTML sanitizer; it is reported instead."""

from pathlib import Path

import pytest
from conftest import build_site

from generator.errors import BuildFailed


def test_picture_in_listing_description_is_an_error_with_its_line(make_site) -> None:
    listing = """\
title: Blue Mug
price: 28
images:
  - {src: images/mug.png, alt: A blue mug}
description: |
  A sturdy mug.

  ![the mug](images/mug.png)
"""
    content = make_site({"listings/blue-mug.yaml": listing})
    with pytest.raises(BuildFailed) as info:
        build_site(content)
    [err] = info.value.errors
    assert err.path is not None and Path(err.path).name == "blue-mug.yaml"
    assert err.line == 8
    assert "description: pictures inside the text are not shown" in err.message


def test_picture_in_page_body_is_an_error_with_its_line(make_site) -> None:
    page = "---\ntitle: FAQ\n---\nHello\n\n![x](https://img.example/a.png)\n"
    with pytest.raises(BuildFailed) as info:
        build_site(make_site({"pages/faq.md": page}))
    [err] = info.value.errors
    assert err.line == 6
    assert "pictures inside a page are not shown" in err.message


def test_exclamation_and_links_are_fine(make_site) -> None:
    listing = """\
title: Blue Mug
price: 28
images:
  - {src: images/mug.png, alt: A blue mug}
description: "Wow! [See the studio](https://studio.example/) and [more]!"
"""
    result = build_site(make_site({"listings/blue-mug.yaml": listing}))
    assert b'href="https://studio.example/"' in result.outputs["listings/blue-mug/index.html"]  # type: ignore[operator]
