"""The site secret: where it comes from, the file it lives in, and the tokens derived from it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import stat
from pathlib import Path

import pytest
from conftest import TEST_SECRET, build_into, build_site, png_bytes
from leakscan import all_paths

from generator import cli
from generator.errors import SiteError
from generator.secret import (
    ENV_VAR,
    SECRET_FILE,
    listing_token,
    resolve_secret,
    secret_file_for,
    secret_fingerprint,
)

PRIVATE = """\
title: Secret Heron Jug
price: 60
private: true
buyer: Wilhelmina Strand
images:
  - {src: images/heron.png, alt: A heron jug}
"""


def private_site(make_site) -> Path:
    return make_site({"listings/heron-jug.yaml": PRIVATE, "images/heron.png": png_bytes((9, 9, 9))})


def only_file_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.delenv("CI", raising=False)


# -- tokens -------------------------------------------------------------------------------------


def test_token_is_truncated_base32_hmac_sha256_of_the_slug() -> None:
    digest = hmac.new(b"k" * 20, b"listing:eagle-mug", hashlib.sha256).digest()
    expected = base64.b32encode(digest).decode().lower()[:32]
    assert listing_token("k" * 20, "eagle-mug") == expected
    for slug in ("eagle-mug", "a", "bird-mugs-for-sam"):
        token = listing_token(TEST_SECRET, slug)
        assert len(token) == 32  # 160 bits
        assert set(token) <= set("abcdefghijklmnopqrstuvwxyz234567")  # URL-safe, never a leading '-'
        assert token == token.lower()


def test_token_depends_on_secret_and_slug_and_nothing_else() -> None:
    assert listing_token("secret-one-aaaaaaaa", "mug") == listing_token("secret-one-aaaaaaaa", "mug")
    assert listing_token("secret-one-aaaaaaaa", "mug") != listing_token("secret-two-aaaaaaaa", "mug")
    assert listing_token("secret-one-aaaaaaaa", "mug") != listing_token("secret-one-aaaaaaaa", "mug-2")
    assert "mug" not in listing_token("secret-one-aaaaaaaa", "mug").lower()


# -- where the secret comes from ----------------------------------------------------------------


def test_environment_variable_wins_over_the_file(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (tmp_path / SECRET_FILE).write_text("from-the-file-0123456789\n")
    secret = resolve_secret(content, env={ENV_VAR: " from-the-environment-0123 \n"})
    assert (secret.value, secret.source) == ("from-the-environment-0123", ENV_VAR)


def test_environment_and_file_that_differ_get_a_note(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (tmp_path / SECRET_FILE).write_text("from-the-file-0123456789\n")
    assert resolve_secret(content, env={ENV_VAR: "from-the-file-0123456789"}).notes == ()
    notes = resolve_secret(content, env={ENV_VAR: "from-the-environment-0123"}).notes
    assert any("MAKERFRONT_SECRET differs from" in n for n in notes)
    assert not any("from-the-environment-0123" in n or "from-the-file" in n for n in notes)


def test_empty_build_option_secret_is_an_error(make_site) -> None:
    with pytest.raises(SiteError, match="must not be empty"):
        build_site(private_site(make_site), secret=" ")


def test_empty_environment_variable_is_an_error_not_a_new_secret(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    with pytest.raises(SiteError, match="MAKERFRONT_SECRET is set but empty"):
        resolve_secret(content, env={ENV_VAR: "  "})
    assert not (tmp_path / SECRET_FILE).exists()


def test_file_is_created_once_next_to_the_content_folder_with_mode_0600(tmp_path: Path) -> None:
    content = tmp_path / "shop" / "content"
    content.mkdir(parents=True)
    first = resolve_secret(content, env={})
    path = tmp_path / "shop" / SECRET_FILE
    assert secret_file_for(content) == path.resolve()
    assert path.is_file() and first.source == path.resolve().as_posix()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert any("created" in n for n in first.notes)
    assert len(first.value) >= 40  # token_urlsafe(32): 256 random bits
    lines = [x for x in path.read_text().splitlines() if x and not x.startswith("#")]
    assert lines == [first.value]
    second = resolve_secret(content, env={})
    assert second.value == first.value and second.notes == ()
    (tmp_path / "other" / "content").mkdir(parents=True)
    assert resolve_secret(tmp_path / "other" / "content", env={}).value != first.value


def test_file_created_with_0600_whatever_the_umask(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    old = os.umask(0)
    try:
        resolve_secret(content, env={})
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / SECRET_FILE).stat().st_mode) == 0o600


def test_readable_secret_file_gets_a_warning(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    path = tmp_path / SECRET_FILE
    path.write_text("a-long-enough-secret-value-123\n")
    path.chmod(0o644)
    notes = resolve_secret(content, env={}).notes
    assert any("can be read by other users" in n and "chmod 600" in n for n in notes)


def test_short_secret_gets_a_warning(tmp_path: Path) -> None:
    notes = resolve_secret(tmp_path, env={ENV_VAR: "short"}).notes
    assert any("only 5 characters long" in n for n in notes)


@pytest.mark.parametrize("text", ["", "# only a comment\n", "one\ntwo\n"])
def test_damaged_secret_file_is_an_error(tmp_path: Path, text: str) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (tmp_path / SECRET_FILE).write_text(text)
    with pytest.raises(SiteError, match="exactly one secret line") as err:
        resolve_secret(content, env={})
    assert err.value.path == (tmp_path / SECRET_FILE).resolve()


def test_ci_without_a_secret_is_an_error(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    with pytest.raises(SiteError, match="MAKERFRONT_SECRET is not set on this CI host"):
        resolve_secret(content, env={"CI": "true"})
    assert not (tmp_path / SECRET_FILE).exists()
    (tmp_path / SECRET_FILE).write_text("checked-in-by-mistake-or-restored-123\n")
    assert resolve_secret(content, env={"CI": "true"}).value == "checked-in-by-mistake-or-restored-123"


# -- builds -------------------------------------------------------------------------------------


def _folders(out: Path) -> list[str]:
    return sorted(p.name for p in (out / "p").iterdir())


def test_first_build_creates_the_file_and_later_builds_reuse_it(
    make_site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    only_file_secret(monkeypatch)
    content = private_site(make_site)
    a, b = tmp_path / "a", tmp_path / "b"
    first = build_into(content, a)
    secret_file = tmp_path / SECRET_FILE
    assert secret_file.is_file() and stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert any("created" in w for w in first.warnings)
    second = build_into(content, b)
    assert not any("created" in w for w in second.warnings)
    assert _folders(a) == _folders(b) and len(_folders(a)) == 1
    # The secret is never written into the output, not even on the private page.
    value = next(x for x in secret_file.read_text().splitlines() if not x.startswith("#"))
    for rel in all_paths(a):
        assert value not in rel
        if not rel.endswith("/"):
            assert value.encode() not in (a / rel).read_bytes(), rel
    assert not (a / SECRET_FILE).exists()


def test_no_secret_file_for_a_shop_without_private_listings(
    make_site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    only_file_secret(monkeypatch)
    build_into(make_site(), tmp_path / "out")
    assert not (tmp_path / SECRET_FILE).exists()


def test_same_secret_same_urls_on_another_machine(make_site, tmp_path: Path) -> None:
    """Two checkouts of the shop (different folders) with the same secret give the same address."""
    out1, out2 = tmp_path / "o1", tmp_path / "o2"
    build_into(private_site(make_site), out1, secret="shared-secret-between-laptops")
    other = tmp_path / "elsewhere" / "content"
    other.parent.mkdir()
    os.rename(tmp_path / "content", other)
    build_into(other, out2, secret="shared-secret-between-laptops")
    assert _folders(out1) == _folders(out2) == [listing_token("shared-secret-between-laptops", "heron-jug")]
    page = f"p/{_folders(out1)[0]}/index.html"
    assert (out1 / page).read_bytes() == (out2 / page).read_bytes()


def test_different_secret_different_urls(make_site) -> None:
    content = private_site(make_site)
    one = {o for o in build_site(content, secret="first-secret-abcdefgh").outputs if o.startswith("p/")}
    two = {o for o in build_site(content, secret="second-secret-abcdefgh").outputs if o.startswith("p/")}
    assert one and two and not one & two


def test_environment_secret_is_used_by_the_build(make_site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, "from-env-for-this-build-1234")
    result = build_site(private_site(make_site))
    assert f"p/{listing_token('from-env-for-this-build-1234', 'heron-jug')}/index.html" in result.outputs


def test_output_folder_must_not_hold_the_secret_file(make_site, tmp_path: Path) -> None:
    content = private_site(make_site)
    with pytest.raises(SiteError, match="content folder is inside the output folder"):
        build_into(content, tmp_path)


def test_cli_build_reports_a_missing_ci_secret(make_site, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.delenv(ENV_VAR)
    monkeypatch.setenv("CI", "true")
    content = private_site(make_site)
    assert cli.main(["build", "--content", str(content), "--output", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "MAKERFRONT_SECRET is not set on this CI host" in err
    assert not (tmp_path / "out").exists()


def test_secret_fingerprint_for_build_caches(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    assert secret_fingerprint(content, env={}) == ""
    assert not (tmp_path / SECRET_FILE).exists()  # looking never creates the file
    one = secret_fingerprint(content, env={ENV_VAR: "first-secret-value-123"})
    two = secret_fingerprint(content, env={ENV_VAR: "second-secret-value-123"})
    assert one and two and one != two
    assert "first-secret-value-123" not in one
    (tmp_path / SECRET_FILE).write_text("first-secret-value-123\n")
    assert secret_fingerprint(content, env={}) == one
