"""Themes: the template search path and static files, from config (never from a folder listing)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ErrorList, SiteError
from .fields import Reader
from .load import YMap, load_yaml_file

BUILTIN_THEMES = Path(__file__).resolve().parent.parent / "themes"
"""Themes shipped with makerfront; `default` is always the last in the chain."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Theme:
    chain: tuple[Path, ...]
    """Theme folders, most specific first, ending with the built-in default."""
    extra: dict[str, Any]
    """Defaults from theme.yaml `extra:`, child themes overriding parents."""

    @property
    def template_dirs(self) -> list[Path]:
        return [d / "templates" for d in self.chain if (d / "templates").is_dir()]

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
                    files[path.relative_to(static).as_posix()] = path
        return sorted(files.items())


def _find(name: str, themes_dir: Path) -> Path | None:
    for base in (themes_dir, BUILTIN_THEMES):
        if (base / name).is_dir():
            return base / name
    return None


def load_theme(name: str, themes_dir: Path) -> Theme:
    errors = ErrorList()
    chain: list[Path] = []
    extras: list[dict[str, Any]] = []
    current: str | None = name
    while current is not None:
        folder = _find(current, themes_dir)
        if folder is None:
            raise SiteError(
                f"theme '{current}' not found",
                path=themes_dir / current,
                hint=f"create the folder {themes_dir.as_posix()}/{current}/templates, or set theme: default",
            )
        if folder in chain:
            raise SiteError("themes extend each other in a loop", path=folder / "theme.yaml")
        chain.append(folder)
        parent: str | None = None
        meta = folder / "theme.yaml"
        if meta.is_file():
            doc = load_yaml_file(meta)
            if doc.data is not None and not isinstance(doc.data, YMap):
                raise SiteError("expected 'name: value' lines", path=meta, line=1)
            if isinstance(doc.data, YMap):
                r = Reader(doc.data, meta, errors)
                r.text("name")
                r.text("description")
                parent = r.text("extends")
                extra = r.raw_value("extra", False)
                if isinstance(extra, YMap):
                    extras.append(dict(extra))
                r.done()
        if parent is None and folder.name != "default":
            parent = "default"
        current = parent
    errors.raise_if_any()
    merged: dict[str, Any] = {}
    for extra in reversed(extras):
        merged.update(extra)
    return Theme(chain=tuple(chain), extra=merged)
