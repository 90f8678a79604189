"""The one error type makerfront reports to makers: a file, a line, a field, what went wrong."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceRef:
    """Where something came from: a file and a 1-based line (0 when unknown)."""

    path: Path
    """File the entity was read from."""
    line: int = 0
    """1-based line number; 0 when the position is unknown."""
    column: int = 0
    """1-based column; 0 when unknown."""


class SiteError(Exception):
    """One problem with the maker's files, printed as ``path:line:col: message``."""

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int = 0,
        column: int = 0,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.column = column
        self.hint = hint

    @classmethod
    def from_os_error(cls, exc: OSError, fallback: Path, prefix: str = "", hint: str | None = None) -> SiteError:
        """What the disk refused, as a message: the path it names (else ``fallback``) and its
        reason in plain words ('read-only file system', 'file name too long')."""
        where = Path(os.fsdecode(exc.filename)) if exc.filename else fallback
        err = cls(prefix + (exc.strerror or str(exc)).lower(), path=where, hint=hint)
        err.__cause__ = exc
        return err

    @classmethod
    def at(cls, ref: SourceRef, message: str, hint: str | None = None) -> SiteError:
        return cls(message, path=ref.path, line=ref.line, column=ref.column, hint=hint)

    def location(self) -> str:
        if self.path is None:
            return ""
        where = display_path(self.path)
        if self.line:
            where += f":{self.line}"
            if self.column:
                where += f":{self.column}"
        return where

    def __str__(self) -> str:
        where = self.location()
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def sort_key(self) -> tuple[str, int, int, str]:
        return (str(self.path or ""), self.line, self.column, self.message)


class BuildFailed(Exception):
    """Several SiteErrors found in one run; the build stops before anything is written."""

    def __init__(self, errors: list[SiteError], warnings: list[SiteError] | None = None) -> None:
        self.errors = sorted(errors, key=SiteError.sort_key)
        self.warnings = sorted(warnings or (), key=SiteError.sort_key)
        """Found in the same run: shown with the errors, since one may explain another (a title
        cut short by a '#' is missing)."""
        super().__init__(f"{len(self.errors)} error(s)")

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


@dataclass(slots=True)
class ErrorList:
    """Collects every error of a run, so a maker sees all of them at once."""

    errors: list[SiteError] = field(default_factory=list)
    warnings: list[SiteError] = field(default_factory=list)
    """Likely mistakes that do not fail the build (load.RawDoc.warnings), printed as 'warning: ...'."""

    def add(self, error: SiteError) -> None:
        self.errors.append(error)

    def raise_if_any(self) -> None:
        if self.errors:
            raise BuildFailed(self.errors, self.warnings)

    def __bool__(self) -> bool:
        return bool(self.errors)


def display_path(path: Path) -> str:
    """A path as the maker typed it: relative to the working folder when possible.

    Symlinks are not followed first: an error about content/static (a link to elsewhere) must
    name content/static, not the place it points to."""
    cwd = Path.cwd()
    for candidate, base in ((Path(os.path.abspath(path)), Path(os.path.abspath(cwd))), (path.resolve(), cwd.resolve())):
        try:
            return candidate.relative_to(base).as_posix()
        except ValueError:
            continue
    return path.as_posix()
