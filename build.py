#!/usr/bin/env python3
"""makerfront entry point: `python build.py` builds content/ into output/. See README.md."""

import sys

from generator.cli import main

if __name__ == "__main__":
    sys.exit(main())
