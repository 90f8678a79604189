"""A leak scanner for tests, written independently of generator/guard.py.

It reads every file and folder name in a built output folder and looks for each private
listing's token, slug, title, buyer, a distinctive description phrase and its own photo file
names. Each may appear only inside that listing's own ``p/<token>/`` folder. Matching is plain
substring, case-insensitive, on the bytes as written and after undoing HTML entities, JSON escapes
and percent-encoding, each also with compatibility forms folded (NFKC), format characters (soft
hyphens, zero-width joiners) dropped and whitespace runs made one space: stricter than the
build's guard, so tests must use distinctive values.
"""

from __future__ import annotations

import html
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, unquote_plus

from generator.secret import listing_token


@dataclass(frozen=True)
class PrivateFacts:
    slug: str
    title: str
    buyer: str | None
    phrase: str
    """A phrase from the description that appears nowhere else."""
    images: tuple[str, ...] = ()
    """Photo file names only this listing uses."""
    token: str = ""
    extra: tuple[str, ...] = field(default=())
    """Anything else that must not leak (e.g. an option label only this listing has)."""

    @property
    def folder(self) -> str:
        return f"p/{self.token}/"

    def needles(self) -> dict[str, str]:
        found = {"token": self.token, "slug": self.slug, "title": self.title, "phrase": self.phrase}
        if self.buyer:
            found["buyer"] = self.buyer
        for i, name in enumerate(self.images):
            found[f"image {i}"] = name
        for i, value in enumerate(self.extra):
            found[f"extra {i}"] = value
        return found


def with_tokens(facts: Iterable[PrivateFacts], secret: str) -> list[PrivateFacts]:
    return [
        PrivateFacts(
            slug=f.slug,
            title=f.title,
            buyer=f.buyer,
            phrase=f.phrase,
            images=f.images,
            token=listing_token(secret, f.slug),
            extra=f.extra,
        )
        for f in facts
    ]


_JSON_U = re.compile(r"\\u([0-9a-fA-F]{4})")


def _forms(text: str) -> list[str]:
    plain = html.unescape(text)
    forms = [text, plain, unquote(plain), unquote_plus(plain)]
    forms.append(_JSON_U.sub(lambda m: chr(int(m.group(1), 16)), plain).replace('\\"', '"').replace("\\/", "/"))
    return [f.casefold() for f in forms] + [_plain(f) for f in forms]


def _plain(text: str) -> str:
    """NFKC, case folded, without format characters (category Cf), whitespace runs one space."""
    kept = "".join(ch for ch in unicodedata.normalize("NFKC", text) if unicodedata.category(ch) != "Cf")
    return " ".join(kept.casefold().split())


def all_paths(out: Path) -> list[str]:
    """Every file and folder under out, as POSIX paths relative to it (folders end in '/')."""
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(out):
        base = Path(dirpath).relative_to(out)
        found += [(base / d).as_posix() + "/" for d in dirnames]
        found += [(base / f).as_posix() for f in filenames]
    return sorted(found)


def scan(out: Path, facts: Iterable[PrivateFacts]) -> list[str]:
    """Every place a private listing's data appears outside its own folder, as readable lines."""
    facts = list(facts)
    problems: list[str] = []
    for rel in all_paths(out):
        text_forms: list[str] | None = None
        if not rel.endswith("/"):
            data = (out / rel).read_bytes()
            text_forms = _forms(data.decode("utf-8", errors="replace"))
        path_forms = _forms(rel)
        for f in facts:
            if rel.startswith(f.folder) or rel == f.folder:
                continue
            for what, value in f.needles().items():
                needles = {value.casefold(), _plain(value)}
                if any(n in p for p in path_forms for n in needles):
                    problems.append(f"{rel}: path contains {f.slug}'s {what}")
                if text_forms is not None and any(n in t for t in text_forms for n in needles):
                    problems.append(f"{rel}: contains {f.slug}'s {what}")
    return problems


def assert_visible_in_own_folder(out: Path, facts: Iterable[PrivateFacts]) -> None:
    """Positive control: the scanner would see each value where it belongs, so a clean scan means
    something (it is not looking for strings the build never produces)."""
    for f in facts:
        page = (out / f.folder / "index.html").read_text(encoding="utf-8")
        assert f.title in html.unescape(page), f.slug
        assert f.phrase in html.unescape(page), f.slug
        if f.buyer:
            assert f.buyer in html.unescape(page), f.slug
        # Its photos are in its folder, under names that say nothing of the photos' own names.
        shown = set(re.findall(r"photo-[0-9a-f]{16}", page))
        assert len(shown) >= len(set(f.images)), f.slug
        files = [p.name for p in (out / f.folder).iterdir()]
        for prefix in shown:
            assert any(name.startswith(prefix + "-") for name in files), (f.slug, prefix)
        for name in f.images:
            stem = name.rsplit(".", 1)[0].casefold()
            assert not any(stem in x.casefold() for x in files), (f.slug, name)
