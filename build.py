#!/usr/bin/env python3
"""makerfront entry point: `python build.py` builds content/ into output/. See README.md."""

from generator.cli import run

if __name__ == "__main__":
    run()
