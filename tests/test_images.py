"""The image step (generator/images.py) as a maker and a buyer meet it: phone photos published
upright, resized, in the buyer's formats, with nothing of what the phone wrote into them; bad
photos reported at the line that names them. The photos are made here, at test time."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from conftest import build_into, build_site, png_bytes, text_of
from lxml import html as lxml_html
from photos import MODEL, SERIAL, phone_jpeg, scene, swapped_profile
from PIL import Image

from generator.errors import BuildFailed, SourceRef
from generator.guard import image_metadata_problem
from generator.images import ImageSettings, PhotoJob, process, widths_for
from generator.write import read_content

LISTING = """\
title: Blue Mug
price: 28
images:
  - {{src: {src}, alt: A blue mug}}
description: A sturdy mug.
"""


def listing(src: str) -> str:
    return LISTING.format(src=src)


def data_of(result, name: str) -> bytes:  # type: ignore[no-untyped-def]
    return read_content(result.outputs[name])


def photo_files(result, prefix: str) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(o for o in result.outputs if o.startswith(prefix) and not o.endswith(".html"))


@pytest.fixture(scope="module")
def phone_photo() -> bytes:
    return phone_jpeg()


# -- a phone photo, as a maker adds it --------------------------------------------------------


def test_a_phone_photo_is_published_upright_in_every_width_and_without_what_the_phone_wrote(
    make_site, phone_photo: bytes
) -> None:
    content = make_site({"images/mug.jpg": phone_photo, "listings/blue-mug.yaml": listing("images/mug.jpg")})
    result = build_site(content)
    files = photo_files(result, "images/mug")
    assert set(files) == {f"images/mug-{w}.{ext}" for ext in ("jpg", "webp") for w in (480, 800, 1200, 1600)}
    assert "images/mug.jpg" not in result.outputs  # the original never leaves the maker's machine
    for name in files:
        data = data_of(result, name)
        with Image.open(io.BytesIO(data)) as im:
            width = int(name.rsplit("-", 1)[1].split(".")[0])
            # Orientation 6: stored 4032 x 3024, shown (and now stored) 3024 x 4032.
            assert im.size == (width, round(width * 4032 / 3024)), name
            assert not im.getexif(), name
            assert "icc_profile" not in im.info and "comment" not in im.info and "xmp" not in im.info, name
            if name.endswith(".jpg"):
                assert im.info.get("progressive") == 1, name
            # Upright: the red corner the phone stored at the top left is now at the top right.
            r, g, b = im.convert("RGB").getpixel((im.width - 3, 3))[:3]
            assert r > 150 and g < 90 and b < 90, name
        for secret in (b"GPS", SERIAL.encode(), MODEL.encode(), b"workshop", b"Exif\0\0"):
            assert secret not in data, (name, secret)
        assert image_metadata_problem(data) is None
    page = lxml_html.fromstring(text_of(result, "listings/blue-mug/index.html"))
    main = page.xpath('//figure[@class="photo-main"]//img')[0]
    assert (main.get("width"), main.get("height")) == ("800", "1067")  # the upright shape
    assert main.get("fetchpriority") == "high" and main.get("loading") is None
    assert main.get("srcset") == ", ".join(f"../../images/mug-{w}.jpg {w}w" for w in (480, 800, 1200, 1600))
    assert main.get("sizes")
    (webp,) = page.xpath('//figure[@class="photo-main"]//source')
    assert webp.get("type") == "image/webp" and "../../images/mug-1600.webp 1600w" in webp.get("srcset")
    meta = {m.get("property"): m.get("content") for m in page.xpath("//meta[@property]")}
    assert meta["og:image"] == "https://shop.example/images/mug-1200.jpg"
    assert (meta["og:image:width"], meta["og:image:height"]) == ("1200", "1600")


def test_a_photo_is_never_made_larger_than_it_is() -> None:
    assert widths_for(1000, (480, 800, 1200, 1600)) == [480, 800, 1000]
    assert widths_for(4032, (480, 800, 1200, 1600)) == [480, 800, 1200, 1600]
    assert widths_for(300, (480, 800)) == [300]
    assert widths_for(1600, (480, 1600)) == [480, 1600]


def test_an_embedded_colour_profile_is_honoured(tmp_path: Path) -> None:
    """A photo stored in another colour space (a camera's Adobe RGB, a phone's Display P3) keeps
    the colours it really has: here a profile that swaps red and blue, so stored red is blue."""
    path = tmp_path / "glaze.jpg"
    Image.new("RGB", (1000, 800), (255, 0, 0)).save(path, "JPEG", quality=95, icc_profile=swapped_profile())
    job = PhotoJob(source=path, prefix="images/glaze", where=SourceRef(path=tmp_path / "x.yaml", line=4), field="src")
    _made, files = process(job, ImageSettings())
    with Image.open(io.BytesIO(files["images/glaze-800.jpg"])) as im:
        r, g, b = im.getpixel((400, 300))
    assert b > 200 and r < 60, (r, g, b)
    assert "icc_profile" not in Image.open(io.BytesIO(files["images/glaze-800.webp"])).info


def test_png_and_webp_photos_lose_their_exif_and_text_too(make_site) -> None:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "shot at 12 Elm Street")
    png = io.BytesIO()
    scene((900, 700)).save(png, "PNG", pnginfo=info, exif=_gps_exif())
    webp = io.BytesIO()
    scene((900, 700)).save(webp, "WEBP", exif=_gps_exif(), xmp=b"<x:xmpmeta>GPSLatitude</x:xmpmeta>")
    content = make_site(
        {
            "images/a.png": png.getvalue(),
            "images/b.webp": webp.getvalue(),
            "listings/blue-mug.yaml": "title: Blue Mug\nprice: 28\nimages:\n  - {src: images/a.png, alt: A}\n"
            "  - {src: images/b.webp, alt: B}\n",
        }
    )
    result = build_site(content)
    for name in photo_files(result, "images/"):
        data = data_of(result, name)
        assert b"Elm Street" not in data and b"GPS" not in data and b"Exif" not in data, name
        assert image_metadata_problem(data) is None


def _gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (35.0, 35.0, 48.0)}
    return exif


def test_an_iphone_heic_photo_is_published_as_jpeg_and_webp(make_site) -> None:
    pillow_heif = pytest.importorskip("pillow_heif")
    buf = io.BytesIO()
    pillow_heif.from_pillow(scene((1200, 900))).save(buf, quality=80)
    content = make_site(
        {"images/IMG_0042.HEIC": buf.getvalue(), "listings/blue-mug.yaml": listing("images/IMG_0042.HEIC")}
    )
    result = build_site(content)
    assert set(photo_files(result, "images/IMG_0042")) == {
        f"images/IMG_0042-{w}.{ext}" for ext in ("jpg", "webp") for w in (480, 800, 1200)
    }
    assert data_of(result, "images/IMG_0042-800.jpg")[:3] == b"\xff\xd8\xff"


def test_avif_is_made_when_site_yaml_asks_for_it(make_site) -> None:
    site = "title: Test Studio\nbase_url: https://shop.example/\ncontact:\n  email: hello@shop.example\n"
    site += "images:\n  widths: [400, 800]\n  formats: [avif, webp, jpeg]\n  quality: 60\n"
    result = build_site(make_site({"site.yaml": site}))
    assert set(photo_files(result, "images/mug")) == {
        f"images/mug-{w}.{ext}" for ext in ("avif", "jpg", "webp") for w in (400, 800)
    }
    page = text_of(result, "listings/blue-mug/index.html")
    # The best format first: a browser takes the first <source> it reads.
    assert page.index('type="image/avif"') < page.index('type="image/webp"')


def test_svg_and_gif_are_published_as_they_are_and_an_svg_with_a_script_is_refused(make_site) -> None:
    gif = io.BytesIO()
    Image.new("P", (900, 900)).save(gif, "GIF")
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle r="4" cx="5" cy="5"/></svg>'
    files = {
        "images/spin.gif": gif.getvalue(),
        "images/logo.svg": svg,
        "listings/blue-mug.yaml": "title: Blue Mug\nprice: 28\nimages:\n  - {src: images/spin.gif, alt: A}\n"
        "  - {src: images/logo.svg, alt: B}\n",
    }
    result = build_site(make_site(files))
    assert data_of(result, "images/spin.gif") == gif.getvalue()
    assert data_of(result, "images/logo.svg") == svg
    bad = svg.replace(b"<circle", b"<script>alert(1)</script><circle")
    with pytest.raises(BuildFailed) as info:
        build_site(make_site({**files, "images/logo.svg": bad}))
    [err] = info.value.errors
    assert (Path(err.path).name, err.line) == ("blue-mug.yaml", 5)
    assert err.message.startswith("images[1].src: this SVG file contains a script")


# -- mistakes, at the line that names the photo -------------------------------------------------


def test_a_damaged_photo_is_an_error_at_its_line(make_site, phone_photo: bytes) -> None:
    content = make_site(
        {"images/mug.jpg": phone_photo[: len(phone_photo) // 2], "listings/blue-mug.yaml": listing("images/mug.jpg")}
    )
    with pytest.raises(BuildFailed) as info:
        build_site(content)
    [err] = info.value.errors
    assert (Path(err.path).name, err.line, err.column) == ("blue-mug.yaml", 4, 11)
    assert err.message.startswith("images[0].src: this photo is damaged (")
    assert err.hint == "copy or export the photo again from your phone or camera"


def test_a_format_makerfront_does_not_publish_is_named(make_site) -> None:
    ico = io.BytesIO()
    Image.new("RGB", (64, 64)).save(ico, "ICO")
    content = make_site({"images/mug.ico": ico.getvalue(), "listings/blue-mug.yaml": listing("images/mug.ico")})
    with pytest.raises(BuildFailed) as info:
        build_site(content)
    [err] = info.value.errors
    assert err.message == "images[0].src: images/mug.ico is in the ICO format, which makerfront does not publish"
    assert err.line == 4


def test_small_and_odd_photos_are_warnings_with_their_line(make_site) -> None:
    content = make_site(
        {
            "images/small.png": png_bytes(size=(600, 600)),
            "images/strip.png": png_bytes(size=(3200, 800)),
            "listings/blue-mug.yaml": "title: Blue Mug\nprice: 28\nimages:\n  - {src: images/small.png, alt: A}\n"
            "  - {src: images/strip.png, alt: B}\n",
        }
    )
    result = build_site(content)
    assert [
        (w.line, w.message.split(":")[0], w.message.split(":")[1].split(",")[0].strip())
        for w in result.content_warnings
    ] == [
        (4, "images[0].src", "this photo is only 600 pixels wide"),
        (5, "images[1].src", "this photo is 3200 x 800 pixels"),
    ]


def test_images_settings_are_checked_at_their_lines(make_site) -> None:
    site = "title: Test Studio\nbase_url: https://shop.example/\ncontact:\n  email: hello@shop.example\n"
    site += "images:\n  widths: [480, wide, 9000]\n  formats: [webp, gif]\n  quality: 101\n  qualty: 3\n"
    with pytest.raises(BuildFailed) as info:
        build_site(make_site({"site.yaml": site}))
    found = [(e.line, e.message) for e in info.value.errors]
    assert found == [
        (6, 'images.widths[1]: expected a width in pixels from 16 to 4096, got "wide"'),
        (6, "images.widths[2]: expected a width in pixels from 16 to 4096, got 9000"),
        (7, 'images.formats[1]: expected one of jpeg, webp, avif, got "gif"'),
        (8, "images.quality: expected a number from 1 to 100, got 101"),
        (9, "images.qualty: unknown field 'qualty'"),
    ]
    no_jpeg = site.split("images:")[0] + "images:\n  formats: [webp]\n"
    with pytest.raises(BuildFailed) as info:
        build_site(make_site({"site.yaml": no_jpeg}))
    assert "jpeg is always made" in info.value.errors[0].message


def test_a_focus_point_crops_cards_and_is_checked(make_site) -> None:
    mug = "title: Blue Mug\nprice: 28\nimages:\n  - {src: images/mug.png, alt: A blue mug, focus: top}\n"
    result = build_site(make_site({"listings/blue-mug.yaml": mug}))
    home = text_of(result, "index.html")
    assert 'style="object-position: 50% 0%"' in home
    listing_page = text_of(result, "listings/blue-mug/index.html")
    main = listing_page.split('class="photo-main"')[1].split("</figure>")[0]
    assert "object-position" not in main  # the listing page shows the photo whole
    bad = mug.replace("focus: top", "focus: 150% up")
    with pytest.raises(BuildFailed) as info:
        build_site(make_site({"listings/blue-mug.yaml": bad}))
    [err] = info.value.errors
    assert err.line == 4 and err.message.startswith("images[0].focus: expected top, bottom")


# -- private photos, the cache, the guard -------------------------------------------------------


def test_private_photos_tell_neither_their_file_name_nor_the_slug(make_site) -> None:
    private = (
        "title: Mug for Sam\nprice: 40\nprivate: true\nbuyer: Sam\nimages:\n  - {src: images/sams-mug.png, alt: A}\n"
    )
    result = build_site(make_site({"listings/sams-mug.yaml": private, "images/sams-mug.png": png_bytes()}))
    (folder,) = {o.split("/")[1] for o in result.outputs if o.startswith("p/")}
    names = [o for o in result.outputs if o.startswith(f"p/{folder}/") and not o.endswith(".html")]
    assert len(names) == 4
    assert not [n for n in names if "sam" in n.casefold() or "mug" in n.casefold()]
    assert not [o for o in result.outputs if "sams-mug" in o]


def test_an_unchanged_photo_is_taken_from_the_cache_and_a_removed_one_is_pruned(make_site, tmp_path: Path) -> None:
    content = make_site({"images/second.png": png_bytes((1, 2, 3))})
    out = tmp_path / "out"
    first = build_into(content, out)
    assert first.photos.made == 1
    (content / "listings" / "blue-mug.yaml").write_text(
        listing("images/mug.png").replace("A sturdy mug.", "A sturdier mug."), encoding="utf-8"
    )
    second = build_into(content, out)
    assert second.photos.made == 0
    assert (out / "images" / "mug-800.webp").read_bytes() == read_content(first.outputs["images/mug-800.webp"])
    cache = tmp_path / ".makerfront-cache" / "out" / "images"
    assert len([p for p in cache.iterdir() if p.is_dir()]) == 1
    (content / "listings" / "blue-mug.yaml").write_text(listing("images/second.png"), encoding="utf-8")
    third = build_into(content, out)
    assert third.photos.made == 1
    assert len([p for p in cache.iterdir() if p.is_dir()]) == 1  # the first photo's entry is gone
    assert not (out / "images" / "mug-800.jpg").exists()


def test_the_guard_stops_a_static_photo_with_a_gps_position(make_site, phone_photo: bytes) -> None:
    content = make_site({"static/shop-front.jpg": phone_jpeg((800, 600))})
    with pytest.raises(BuildFailed) as info:
        build_site(content)
    [err] = info.value.errors
    assert err.message == (
        "the file shop-front.jpg would publish the GPS position where it was taken and the camera's serial number"
    )
    assert err.path is not None and Path(err.path).name == "shop-front.jpg"


def test_the_photo_files_are_the_same_in_every_build(make_site, tmp_path: Path) -> None:
    """Made in one process or by two workers, the same content gives the same bytes."""
    mug = "title: Blue Mug\nprice: 28\nimages:\n  - {src: images/mug.jpg, alt: A}\n  - {src: images/back.jpg, alt: B}\n"
    content = make_site(
        {"images/mug.jpg": phone_jpeg((1700, 1200)), "images/back.jpg": phone_jpeg((1200, 1700), orientation=1),
         "listings/blue-mug.yaml": mug}
    )  # fmt: skip
    one = build_site(content, jobs=1)
    two = build_site(content, jobs=2)
    names = photo_files(one, "images/")
    assert len(names) == 12 and names == photo_files(two, "images/")
    assert all(data_of(one, n) == data_of(two, n) for n in names)


def test_the_preview_remakes_no_unchanged_photo(make_site) -> None:
    """`serve` has no build cache on disk: it keeps the photos of its last build in memory."""
    from conftest import options

    from generator.pipeline import build

    content = make_site()
    first = build(options(content, jobs=1))
    assert first.photos.made == 1
    (content / "maker.yaml").write_text((content / "maker.yaml").read_text() + "intro: Hello.\n", encoding="utf-8")
    again = build(options(content, jobs=1), first.reuse())
    assert again.photos.made == 0
    assert again.outputs["images/mug-800.webp"] == first.outputs["images/mug-800.webp"]
    (content / "images" / "mug.png").write_bytes(png_bytes((9, 9, 9)))
    changed = build(options(content, jobs=1), again.reuse())
    assert changed.photos.made == 1
    assert changed.outputs["images/mug-800.webp"] != first.outputs["images/mug-800.webp"]
