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
    if folder.exists() and not folder.is_dir():
        raise SiteError("this is a file, not a folder", path=folder, hint="choose another name for the new shop")
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise SiteError(
            "this folder is not empty, so a new shop is not made here",
            path=folder,
            hint="choose a new folder name, or add --force to add the starter files (existing files are kept)",
        )
    schemas = folder / SCHEMA_DIR
    written: list[Path] = []
    kept: list[Path] = []
    for rel, source in _starter_files():
        target = folder / rel
        if target.exists() or target.is_symlink():
            kept.append(target)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
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
            _write_new(target, text)
        else:
            shutil.copyfile(source, target)
        written.append(target)
    if not (schemas.exists() and any(schemas.iterdir())):
        written.extend(write_schemas(schemas))
    return InitResult(written=written, kept=kept)


_LOOKS_LIKE_PATH = re.compile(r"[/\\.]")


def listing_slug_problem(slug: str) -> str | None:
    """Why ``slug`` cannot name a new listing file, or None."""
    if not slug.strip():
        return "the name must not be empty"
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
    target.parent.mkdir(parents=True, exist_ok=True)
    _write_new(target, modeline("listing", target, content.parent / SCHEMA_DIR) + text)
    return target


def _write_new(path: Path, text: str) -> None:
    # "x": fails instead of replacing a file that appeared meanwhile.
    with path.open("x", encoding="utf-8", newline="\n") as f:
        f.write(text)
