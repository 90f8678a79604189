"""Property test: random storefronts with random public/private mixes never leak a private listing."""

from __future__ import annotations

import string
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import build_into, default_files, png_bytes, write_files
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from leakscan import PrivateFacts, assert_visible_in_own_folder, scan, with_tokens

WORDS = ["Quill", "Zephyr", "Marrow", "Tansy", "Brindle", "Corvid", "Sorrel", "Wicket"]
TAGS = ["mugs", "bowls", "birds", "gifts"]
BUYERS = ["Harriet Vane", "Osgood Pell", "Lucinda Marsh", "Ferris Quayle"]


@dataclass(frozen=True)
class Item:
    index: int
    word: str
    private: bool
    tags: tuple[str, ...]
    own_image: bool
    buyer: str | None
    expires: str | None

    @property
    def slug(self) -> str:
        return f"item-{self.index}-{self.word.lower()}"

    @property
    def title(self) -> str:
        return f"{self.word} Piece N{self.index}Q"

    @property
    def phrase(self) -> str:
        return f"glazed in {self.word.lower()}tone{self.index}x"

    @property
    def image(self) -> str:
        return f"images/own-{self.index}-{self.word.lower()}.png" if self.own_image else "images/mug.png"

    def yaml(self) -> str:
        lines = [
            f"title: {self.title}",
            f"price: {10 + self.index}",
            "images:",
            f"  - {{src: {self.image}, alt: Photo {self.index}}}",
            f"description: A piece {self.phrase}.",
            f"tags: [{', '.join(self.tags)}]",
        ]
        if self.private:
            lines.append("private: true")
            if self.buyer:
                lines.append(f"buyer: {self.buyer}")
            if self.expires:
                lines.append(f"expires: {self.expires}")
        return "\n".join(lines) + "\n"


@st.composite
def storefronts(draw: st.DrawFn) -> tuple[list[Item], str]:
    count = draw(st.integers(min_value=1, max_value=6))
    items = []
    for i in range(count):
        private = draw(st.booleans())
        items.append(
            Item(
                index=i,
                word=draw(st.sampled_from(WORDS)),
                private=private,
                tags=tuple(draw(st.lists(st.sampled_from(TAGS), max_size=3, unique=True))),
                own_image=draw(st.booleans()),
                # Buyers are distinct per listing: a shared buyer necessarily shows on both pages.
                buyer=f"{draw(st.sampled_from(BUYERS))} {i}" if private and draw(st.booleans()) else None,
                expires=draw(st.sampled_from([None, "2026-01-01", "2026-11-27", "2031-06-30"])) if private else None,
            )
        )
    secret = draw(st.text(alphabet=string.ascii_letters + string.digits + "-_", min_size=16, max_size=48))
    return items, secret


@pytest.mark.slow  # about 0.15 s per example
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(storefronts())
def test_random_storefronts_never_leak(store: tuple[list[Item], str]) -> None:
    items, secret = store
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        files: dict[str, str | bytes | None] = dict(default_files())  # includes the public Blue Mug
        for item in items:
            files[f"listings/{item.slug}.yaml"] = item.yaml()
            if item.own_image:
                files[item.image] = png_bytes((item.index * 30 % 255, 80, 120))
        write_files(root / "content", files)
        out = root / "out"
        result = build_into(root / "content", out, secret=secret)

        private = [x for x in items if x.private]
        live = [x for x in private if x.expires != "2026-01-01"]  # the build date is 2026-11-27
        facts = with_tokens(
            [
                PrivateFacts(
                    slug=x.slug,
                    title=x.title,
                    buyer=x.buyer,
                    phrase=x.phrase,
                    images=(Path(x.image).name,) if x.own_image else (),
                )
                for x in private
            ],
            secret,
        )
        assert scan(out, facts) == []
        assert_visible_in_own_folder(out, [f for f in facts if any(f.slug == x.slug for x in live)])
        assert result.private_count == len(live)
        built = {p.name for p in (out / "p").iterdir()} if (out / "p").exists() else set()
        assert built == {f.token for f in facts if any(f.slug == x.slug for x in live)}

        # Tag pages exist for, and count, public listings only (the Blue Mug is tagged mugs).
        public = [x for x in items if not x.private]
        for tag in TAGS:
            count = sum(tag in x.tags for x in public) + (tag == "mugs")
            page = out / "tags" / tag / "index.html"
            assert page.exists() == bool(count), tag
            if count:
                text = page.read_text()
                assert (f"{count} piece tagged" if count == 1 else f"{count} pieces tagged") in text
