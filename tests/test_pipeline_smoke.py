from pathlib import Path

from conftest import build_into, build_site, text_of


def test_minimal_site_builds_every_page(make_site) -> None:
    result = build_site(make_site())
    expected = {
        "index.html",
        "maker/index.html",
        "listings/blue-mug/index.html",
        "tags/mugs/index.html",
        "404.html",
        "images/mug-800.jpg",
        "images/mug-480.webp",
        "static/style.css",
    }
    assert expected <= set(result.outputs)
    home = text_of(result, "index.html")
    assert 'href="./listings/blue-mug/"' in home
    assert "$28.00" in home


def test_output_written_to_disk(make_site, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_into(make_site(), out)
    assert (out / "listings" / "blue-mug" / "index.html").is_file()
    assert (out / "images" / "mug-800.jpg").read_bytes()[:3] == b"\xff\xd8\xff"
    assert not (out / "images" / "mug.png").exists()  # the original is never published
