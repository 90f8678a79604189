"""`makerfront init` and `makerfront new listing`: a maker's first files, from the starter shop
that ships inside the package (generator/starter/). Never overwrites a file."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from . import __version__
from .config import base_url_problem, language_problem
from .errors import SiteError
from .fields import is_currency
from .model import MAX_TAG_BYTES
from .schema import SCHEMA_DIR, modeline, write_schemas
from .text import slugify

STARTER = Path(str(files("generator") / "starter"))
"""The starter shop: content/ and the files around it (dotfiles stored without their dot, as
package data does not reliably carry dotfiles)."""

_RENAMED = {"gitignore": ".gitignore", "github": ".github"}
_SCHEMA_OF = {"content/site.yaml": "site", "content/maker.yaml": "maker"}


@dataclass(frozen=True, slots=True, kw_only=True)
class ShopSettings:
    """What `init` fills into the starter's site.yaml."""

    title: str = "My Handmade Shop"
    base_url: str = "https://example.com/"
    language: str = "en"
    currency: str = "USD"

    def problems(self) -> list[str]:
        found = []
        for option, value in (
            ("--title", self.title),
            ("--base-url", self.base_url),
            ("--language", self.language),
            ("--currency", self.currency),
        ):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                # A byte the terminal could not decode arrives as a lone surrogate (a Latin-1
                # terminal sends "Töpferei" as b"T\xf6pferei"); it cannot go into a UTF-8 file.
                found.append(
                    f"{option}: cannot be written as UTF-8 (a byte at position {exc.start + 1} is not valid "
                    "text in your terminal's encoding); set the terminal to UTF-8 or type the text into "
                    "content/site.yaml afterwards"
                )
        if found:
            return found
        if not self.title.strip():
            found.append("--title: must not be empty")
        if (problem := base_url_problem(self.base_url)) is not None:
            found.append(f"--base-url: {problem}")
        if (problem := language_problem(self.language)) is not None:
            found.append(f"--language: {problem}")
        if not is_currency(self.currency.upper()):
            found.append(
                f"--currency: expected a three-letter currency code such as USD, EUR or JPY, got {self.currency!r}"
            )
        return found


@dataclass(frozen=True, slots=True)
class InitResult:
    written: list[Path]
    kept: list[Path]
    """Files that already existed and were left as they were (--force)."""
    existing_shop: bool = False
    """content/site.yaml was already there, so nothing was added inside content/ (--force)."""


def _disk_problem(exc: OSError | UnicodeError, fallback: Path) -> SiteError:
    """An OSError or UnicodeError as a one-line SiteError naming the path and the plain reason."""
    if isinstance(exc, OSError):
        return SiteError.from_os_error(exc, fallback)
    err = SiteError(f"cannot be written as UTF-8 ({exc})", path=fallback)
    err.__cause__ = exc
    return err


def _make_dirs(folder: Path, created: list[Path]) -> None:
    """mkdir -p that records, in order, each folder it made (so a failed init can remove them)."""
    missing = []
    while not (folder.exists() or folder.is_symlink()):
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir()
        created.append(path)


def _undo(created: list[Path]) -> None:
    """Remove what this run created, newest first; folders only when empty."""
    for path in reversed(created):
        try:
            if path.is_dir() and not path.is_symlink():
                path.rmdir()
            else:
                path.unlink()
        except OSError:
            pass


def _yaml_text(value: str) -> str:
    """A YAML scalar that reads back as exactly ``value`` (a JSON string is valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def _starter_files() -> list[tuple[str, Path]]:
    """(path in the new shop, source) of every starter file, in a fixed order."""
    out = []
    for path in sorted(STARTER.rglob("*")):
        if not path.is_file() or path.name == "new-listing.yaml" or "__pycache__" in path.parts:
            continue
        parts = list(path.relative_to(STARTER).parts)
        parts[0] = _RENAMED.get(parts[0], parts[0])
        out.append(("/".join(parts), path))
    return out


def init_shop(folder: Path, settings: ShopSettings, *, force: bool = False) -> InitResult:
    """Write a complete starter shop into ``folder``. Refuses a folder that has files in it
    unless ``force``; even then, never replaces an existing file. Raises SiteError."""
    if problems := settings.problems():
        raise SiteError("; ".join(problems))
    created: list[Path] = []
    try:
        if folder.exists() and not folder.is_dir():
            raise SiteError("this is a file, not a folder", path=folder, hint="choose another name for the new shop")
        if folder.is_dir() and any(folder.iterdir()) and not force:
            raise SiteError(
                "this folder is not empty, so a new shop is not made here",
                path=folder,
                hint="choose a new folder name, or add --force to add the starter files (existing files are kept)",
            )
        return _write_starter(folder, settings, created)
    except (OSError, UnicodeError) as exc:
        _undo(created)
        raise _disk_problem(exc, folder) from exc


def _write_starter(folder: Path, settings: ShopSettings, created: list[Path]) -> InitResult:
    schemas = folder / SCHEMA_DIR
    site_yaml = folder / "content" / "site.yaml"
    existing_shop = site_yaml.exists() or site_yaml.is_symlink()
    written: list[Path] = []
    kept: list[Path] = []
    _make_dirs(folder, created)
    for rel, source in _starter_files():
        target = folder / rel
        if existing_shop and rel.startswith("content/"):
            # A shop is already here: the starter's example listings, photos and page would be
            # published by the next build.
            continue
        if target.exists() or target.is_symlink():
            kept.append(target)
            continue
        _make_dirs(target.parent, created)
        if source.suffix in (".yaml", ".md", ".txt", ".yml") or source.name == "gitignore":
            text = source.read_text(encoding="utf-8")
            if rel == "content/site.yaml":
                text = text.format(
                    title=_yaml_text(settings.title.strip()),
                    base_url=_yaml_text(settings.base_url),
                    language=_yaml_text(settings.language),
                    currency=_yaml_text(settings.currency.upper()),
                )
            if rel == "requirements.txt":
                text = text.replace("{version}", __version__)
            if rel.endswith(".yaml") and rel.startswith("content/"):
                name = _SCHEMA_OF.get(rel, "listing")
                text = modeline(name, target, schemas) + text
            _write_new(target, text, created)
        else:
            with source.open("rb") as src, target.open("xb") as dst:
                created.append(target)
                shutil.copyfileobj(src, dst)
        written.append(target)
    if not (schemas.is_dir() and any(schemas.iterdir())):
        _make_dirs(schemas, created)
        # The folder is new or empty, so every schema written into it is this run's.
        created.extend(_schema_names(schemas))
        written.extend(write_schemas(schemas))
    return InitResult(written=written, kept=kept, existing_shop=existing_shop)


def _schema_names(schemas: Path) -> list[Path]:
    from .schema import DOCUMENTS, schema_file

    return [schemas / schema_file(name) for name in DOCUMENTS]


_LOOKS_LIKE_PATH = re.compile(r"[/\\.]")


def listing_slug_problem(slug: str) -> str | None:
    """Why ``slug`` cannot name a new listing file, or None."""
    if not slug.strip():
        return "the name must not be empty"
    if slug.startswith("-"):
        return "a listing name cannot start with '-', e.g. blue-bowl"
    if len(slug.encode("utf-8", "surrogatepass")) > MAX_TAG_BYTES:
        # Its file is listings/<slug>.yaml and its page listings/<slug>/: 255 bytes a name at most.
        return (
            f"the name is too long to be a web address ({len(slug.encode('utf-8', 'surrogatepass'))} bytes); "
            "at most about 200 letters, or 60 Chinese or Japanese characters"
        )
    if _LOOKS_LIKE_PATH.search(slug):
        return "give only the name, without a folder or .yaml, e.g. blue-bowl"
    if slugify(slug) != slug:
        suggestion = slugify(slug)
        example = f": {suggestion}" if suggestion else ", e.g. blue-bowl"
        return f"use lower-case letters, digits and dashes, with no spaces{example}"
    return None


def new_listing(content: Path, slug: str) -> Path:
    """Write content/listings/<slug>.yaml from the commented template. Raises SiteError."""
    if (problem := listing_slug_problem(slug)) is not None:
        raise SiteError(f"cannot make a listing called {slug!r}: {problem}")
    if not content.is_dir():
        raise SiteError(
            "the content folder does not exist",
            path=content,
            hint="run this in your shop's folder (the one with content/ in it), or make a shop with: makerfront init",
        )
    target = content / "listings" / f"{slug}.yaml"
    if target.exists() or target.is_symlink():
        raise SiteError(
            "a listing with this name already exists", path=target, hint="choose another name, or edit that file"
        )
    title = " ".join(word[:1].upper() + word[1:] for word in slug.split("-"))
    text = (STARTER / "new-listing.yaml").read_text(encoding="utf-8")
    text = text.replace("{title}", title.replace('"', "'")).replace("{slug}", slug)
    created: list[Path] = []
    try:
        _make_dirs(target.parent, created)
        _write_new(target, modeline("listing", target, content.parent / SCHEMA_DIR) + text, created)
    except (OSError, UnicodeError) as exc:
        _undo(created)
        raise _disk_problem(exc, target) from exc
    return target


def _write_new(path: Path, text: str, created: list[Path]) -> None:
    data = text.encode("utf-8")  # before the file exists: a text that cannot be written leaves none
    # "x": fails instead of replacing a file that appeared meanwhile.
    with path.open("xb") as f:
        created.append(path)
        f.write(data)
