"""Bring makerfront's message catalogs up to date with the code and the built-in theme.

    python tools/catalogs.py            # write generator/locale/makerfront.pot, update every .po
    python tools/catalogs.py --check    # exit 1 when a catalog is out of date (tests run this)
    python tools/catalogs.py --init ko  # start a new language's catalog

What pybabel extract/update do (babel.cfg is the mapping; `tr`/`ntr` are makerfront's own
keywords, see generator/i18n.py), written deterministically: no dates or line numbers that change
with every run, messages sorted, so a catalog changes only when a message does. Only .po files are
kept in the repository; a build compiles them when it loads them.
"""

from __future__ import annotations

import argparse
import io
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "generator" / "locale"
DOMAIN = "makerfront"
KEYWORDS = {**DEFAULT_KEYWORDS, "tr": None, "ntr": (1, 2), "script_text": None, "script_plural": (1, 2)}
FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)
"""The header date of every catalog: a date that changed on each run would change every file."""
WIDTH = 100


def extract() -> Catalog:
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)  # type: ignore[no-untyped-call]
    catalog = Catalog(project="makerfront", domain=DOMAIN, creation_date=FIXED_DATE, revision_date=FIXED_DATE,
                      msgid_bugs_address="", copyright_holder="makerfront", fuzzy=False)  # fmt: skip
    found = extract_from_dir(
        ROOT,
        method_map,
        options_map,
        keywords=KEYWORDS,
        comment_tags=("Translators:",),
        strip_comment_tags=True,
    )
    for filename, lineno, message, comments, context in found:
        if ".venv" in Path(filename).parts:
            continue
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def render(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=WIDTH, no_location=True, sort_output=True, omit_header=False,
             ignore_obsolete=True, include_previous=False)  # fmt: skip
    # Babel's version in the header would make every catalog "out of date" when Babel is upgraded.
    return b"".join(line for line in out.getvalue().splitlines(keepends=True) if not line.startswith(b'"Generated-By:'))


def updated(po: Path, template: Catalog) -> bytes:
    with po.open("rb") as f:
        catalog = read_po(f)
    catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
    catalog.creation_date = FIXED_DATE
    catalog.revision_date = FIXED_DATE
    catalog.fuzzy = False
    return render(catalog)


def catalogs() -> list[Path]:
    return sorted(LOCALE.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report catalogs that are out of date")
    parser.add_argument("--init", metavar="CODE", help="start the catalog of a new language (e.g. ko, pt_BR)")
    args = parser.parse_args(argv)
    template = extract()
    pot = LOCALE / f"{DOMAIN}.pot"
    wanted: dict[Path, bytes] = {pot: render(template)}
    for po in catalogs():
        wanted[po] = updated(po, template)
    if args.init:
        po = LOCALE / args.init / "LC_MESSAGES" / f"{DOMAIN}.po"
        if po.exists():
            print(f"{po} exists already", file=sys.stderr)
            return 1
        new = Catalog(locale=Locale.parse(args.init), domain=DOMAIN, project="makerfront",
                      creation_date=FIXED_DATE, revision_date=FIXED_DATE, fuzzy=False)  # fmt: skip
        new.update(template, no_fuzzy_matching=True)
        wanted[po] = render(new)
    stale = [path for path, data in wanted.items() if not path.is_file() or path.read_bytes() != data]
    if args.check:
        for path in stale:
            print(f"out of date: {path.relative_to(ROOT)} (run python tools/catalogs.py)")
        return 1 if stale else 0
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(wanted[path])
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
