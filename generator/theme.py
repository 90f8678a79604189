"""Themes: the template search path and static files, from config (never from a folder listing)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from .errors import ErrorList, SiteError
from .fields import Reader
from .load import YMap, load_yaml_file
from .plan import check_file_name

BUILTIN_THEMES = Path(str(files("generator") / "themes"))
"""Themes shipped inside the makerfront package (package data); `default` is always the last in
the chain. A folder of the same name in the maker's themes folder overrides it file by file."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Theme:
    chain: tuple[Path, ...]
    """Theme folders, most specific first, ending with the built-in default."""
    extra: dict[str, Any]
    """Defaults from theme.yaml `extra:`, child themes overriding parents."""

    @property
    def template_dirs(self) -> list[Path]:
        return [d / "templates" for d in self.chain if (d / "templates").is_dir()]

    @property
    def locale_dirs(self) -> list[Path]:
        """The theme chain's translation catalogs (`locale/<code>/LC_MESSAGES/makerfront.po`),
        most specific first: a theme may word any message its own way (see i18n.py)."""
        return [d / "locale" for d in self.chain if (d / "locale").is_dir()]

    def static_files(self) -> list[tuple[str, Path]]:
        """(output name, source) for static files, a child theme's file replacing its parent's."""
        files: dict[str, Path] = {}
        for folder in reversed(self.chain):
            static = folder / "static"
            if not static.is_dir():
                continue
            for path in sorted(static.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    # A symlink in a (downloaded) theme must not publish a file from elsewhere on disk.
                    if not path.resolve().is_relative_to(static.resolve()):
                        raise SiteError("this file links to a place outside the theme's static folder", path=path)
                    check_file_name(path)
                    files[path.relative_to(static).as_posix()] = path
        return sorted(files.items())


def _find(name: str, themes_dir: Path) -> list[Path]:
    """The folders of theme ``name``: the maker's own first, then the built-in one of that name
    (so a maker's themes/default/ holds only the files it changes)."""
    found = [base / name for base in (themes_dir, BUILTIN_THEMES) if (base / name).is_dir()]
    if len(found) == 2 and found[0].resolve() == found[1].resolve():
        del found[1]
    return found


def load_theme(name: str, themes_dir: Path) -> Theme:
    errors = ErrorList()
    chain: list[Path] = []
    extras: list[dict[str, Any]] = []
    current: str | None = name
    while current is not None:
        folders = _find(current, themes_dir)
        if not folders:
            raise SiteError(
                f"theme '{current}' not found",
                path=themes_dir / current,
                hint=f"create the folder {themes_dir.as_posix()}/{current}/templates, or remove the theme: "
                "line from site.yaml to use the built-in theme",
            )
        if any(folder in chain for folder in folders):
            raise SiteError("themes extend each other in a loop", path=folders[0] / "theme.yaml")
        chain.extend(folders)
        parent: str | None = None
        for meta in (folder / "theme.yaml" for folder in folders):
            if not meta.is_file():
                continue
            doc = load_yaml_file(meta)
            if doc.data is not None and not isinstance(doc.data, YMap):
                raise SiteError("expected 'name: value' lines", path=meta, line=1)
            if isinstance(doc.data, YMap):
                r = Reader(doc.data, meta, errors)
                r.text("name")
                r.text("description")
                parent = parent or r.text("extends")
                extra = r.raw_value("extra", False)
                if isinstance(extra, YMap):
                    extras.append(dict(extra))
                r.done()
        if parent is None and current != "default":
            parent = "default"
        current = parent
    errors.raise_if_any()
    merged: dict[str, Any] = {}
    for extra in reversed(extras):
        merged.update(extra)
    return Theme(chain=tuple(chain), extra=merged)
