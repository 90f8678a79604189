"""Tests of the benchmark harness (benchmarks/*.py), kept beside it and out of the product's
suite: `.venv/bin/python -m pytest benchmarks/tests` (CI runs them after the product suite)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BENCHMARKS))

BUILD_DATE = date(2026, 11, 27)


@pytest.fixture(autouse=True)
def _fixed_date_and_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAKERFRONT_TODAY", BUILD_DATE.isoformat())
    monkeypatch.setenv("MAKERFRONT_SECRET", "benchmark-harness-tests-secret-0123456789")
