"""Write docs/themes.md, the theme author's reference, from generator/views.py.

    python tools/make_theme_docs.py          # write docs/themes.md
    python tools/make_theme_docs.py --check  # exit 1 if docs/themes.md is out of date

tests/test_views.py runs the check, so the reference never falls behind the views.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.views import theme_reference

DOCS = Path(__file__).resolve().parent.parent / "docs" / "themes.md"


USAGE = "usage: python tools/make_theme_docs.py [--check]"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args not in ([], ["--check"]):
        # Anything else (--help, a typo such as --chek) must not overwrite docs/themes.md.
        print(USAGE, file=sys.stderr)
        print("  (no argument: write docs/themes.md; --check: exit 1 if it is out of date)", file=sys.stderr)
        return 2
    text = theme_reference()
    if args == ["--check"]:
        if DOCS.read_text(encoding="utf-8") != text:
            print(f"{DOCS} is out of date: run python tools/make_theme_docs.py", file=sys.stderr)
            return 1
        return 0
    DOCS.write_text(text, encoding="utf-8")
    print(f"wrote {DOCS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
