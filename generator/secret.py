"""The site secret and the private-listing tokens derived from it.

A private listing lives at ``p/<token>/``, where the token is an HMAC-SHA256 of the listing's slug
keyed with a site secret. The same secret and slug always give the same token, so a link sent to a
buyer keeps working across rebuilds and machines; without the secret the token cannot be guessed
from anything in the content.

Where the secret comes from, first match wins:
1. the environment variable ``MAKERFRONT_SECRET`` (CI hosts, several machines sharing one shop);
2. the file ``.makerfront-secret`` next to the content folder (the project root for ./content),
   created by the first build that needs it with a random value and permissions 0600.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import SiteError

ENV_VAR = "MAKERFRONT_SECRET"
SECRET_FILE = ".makerfront-secret"
TOKEN_LENGTH = 32
"""Characters of lower-case base32 in a token: 32 x 5 = 160 bits (the issue asks for at least 128).
Base32 rather than base64url: a token never starts with '-' (which shell tools such as grep or ls
would read as an option), and case-insensitive file systems (macOS, Windows) cannot merge two
private folders."""
MIN_SECRET_LENGTH = 16
"""Shorter secrets still work but get a warning: a short secret can be guessed by brute force."""

_FILE_HEADER = (
    "# makerfront site secret. Private listing addresses (p/<token>/) are derived from it.\n"
    "# Keep this file out of git and back it up: changing or losing it changes every private address.\n"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Secret:
    value: str
    source: str
    """Where it came from, for messages: 'MAKERFRONT_SECRET' or the file path."""
    notes: tuple[str, ...] = ()
    """Things the maker should know (file created, weak permissions, short secret)."""


def listing_token(secret: str, slug: str) -> str:
    """The URL-safe token of a private listing: lower-case base32 of
    HMAC-SHA256(secret, 'listing:' + slug), truncated to TOKEN_LENGTH characters (no padding)."""
    digest = hmac.new(secret.encode("utf-8"), f"listing:{slug}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii").lower()[:TOKEN_LENGTH]


def secret_file_for(content: Path) -> Path:
    """The secret file of the shop whose content folder is ``content``: next to that folder."""
    return content.resolve().parent / SECRET_FILE


def _is_ci(env: Mapping[str, str]) -> bool:
    return env.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _read_file(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SiteError(f"cannot read the secret file: {exc}", path=path) from exc
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if len(lines) != 1:
        raise SiteError(
            f"the secret file must contain exactly one secret line, found {len(lines)}",
            path=path,
            hint=f"restore it from your backup, or delete it to make a new one (every private address changes), "
            f"or set {ENV_VAR}",
        )
    return lines[0]


def _create_file(path: Path) -> str:
    value = secrets.token_urlsafe(32)
    try:
        # O_EXCL: never overwrite a secret another build created a moment ago. Mode 0600 from the
        # start, so the secret is never readable by other users, not even briefly.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_file(path)
    except OSError as exc:
        raise SiteError(
            f"cannot create the secret file for private listings: {exc}",
            path=path,
            hint=f"set the environment variable {ENV_VAR} instead",
        ) from exc
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(_FILE_HEADER + value + "\n")
    return value


def resolve_secret(content: Path, env: Mapping[str, str] | None = None, create: bool = True) -> Secret:
    """The site secret: MAKERFRONT_SECRET if set, else the secret file (created when missing;
    with ``create`` False, as `check` asks, a stand-in is returned instead and nothing written)."""
    env = os.environ if env is None else env
    notes: list[str] = []
    if ENV_VAR in env:
        value = env[ENV_VAR].strip()
        if not value:
            # A CI secret that is not configured often arrives as an empty string; silently
            # falling back to a random secret would change every private address on each deploy.
            raise SiteError(
                f"the environment variable {ENV_VAR} is set but empty",
                hint="set it to your shop's secret (the secret line of .makerfront-secret), or unset it",
            )
        source = ENV_VAR
        path = secret_file_for(content)
        if path.exists():
            try:
                differs = _read_file(path) != value
            except SiteError:
                differs = True
            if differs:
                # Both set and different: `links` on this computer and a CI build would give
                # different addresses. Say so rather than pick one silently.
                notes.append(f"{ENV_VAR} differs from {path}; using {ENV_VAR} (private addresses follow it)")
    else:
        path = secret_file_for(content)
        source = path.as_posix()
        if path.exists():
            value = _read_file(path)
            if os.name == "posix" and path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
                notes.append(f"{path.name} can be read by other users of this computer; run: chmod 600 {path}")
        elif _is_ci(env):
            raise SiteError(
                f"private listings need the site secret, but {ENV_VAR} is not set on this CI host",
                path=path,
                hint=f"set {ENV_VAR} as a CI secret to the secret line of your .makerfront-secret; "
                "a fresh random secret on every deploy would change every private address",
            )
        elif not create:
            value = secrets.token_urlsafe(32)
            notes.append(f"the first build will create {path} (the secret behind private listing addresses)")
        else:
            value = _create_file(path)
            notes.append(
                f"created {path} (the secret behind private listing addresses): keep it out of git and back it up"
            )
    if len(value) < MIN_SECRET_LENGTH:
        notes.append(
            f"the site secret from {source} is only {len(value)} characters long; "
            f"use at least {MIN_SECRET_LENGTH} random characters so private addresses cannot be guessed"
        )
    return Secret(value=value, source=source, notes=tuple(notes))


def secret_fingerprint(content: Path, env: Mapping[str, str] | None = None) -> str:
    """A short, non-reversible fingerprint of the secret a build would use now ('' when there is
    none yet), for build caches: a new secret must invalidate a cached build (every private
    address moves), but nothing stored on disk may hold the secret. Never creates the file."""
    env = os.environ if env is None else env
    if ENV_VAR in env:
        value = env[ENV_VAR].strip()
    else:
        path = secret_file_for(content)
        if not path.exists():
            return ""
        try:
            value = _read_file(path)
        except SiteError:
            return "unreadable"
    return fingerprint_of(value)


def fingerprint_of(value: str) -> str:
    """secret_fingerprint of a known secret value."""
    return hmac.new(value.encode("utf-8"), b"makerfront build cache", hashlib.sha256).hexdigest()[:16]
