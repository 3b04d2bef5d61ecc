"""Fixtures of the ingest tests: registered strategies, a context factory, a file writer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from stratmon.domain.records import Strategy
from stratmon.ingest import IngestContext, InMemoryView

TODAY = dt.date(2024, 3, 1)

STRATEGIES = {
    "EQ1": Strategy("EQ1", "US equity momentum", calendar="XNYS"),
    "EQ2": Strategy("EQ2", "US equity value", calendar="XNYS"),
    "BTC1": Strategy("BTC1", "Bitcoin trend", calendar="24/7", periods_per_year=365),
}


@pytest.fixture
def view() -> InMemoryView:
    return InMemoryView()


@pytest.fixture
def make_ctx(view: InMemoryView) -> Callable[..., IngestContext]:
    def make(**kw: Any) -> IngestContext:
        kw.setdefault("strategies", STRATEGIES)
        kw.setdefault("view", view)
        kw.setdefault("today", TODAY)
        return IngestContext(**kw)

    return make


@pytest.fixture
def ctx(make_ctx: Callable[..., IngestContext]) -> IngestContext:
    return make_ctx()


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    def w(name: str, text: str) -> Path:
        p = tmp_path / name
        p.write_text(text.lstrip("\n"), encoding="utf-8")
        return p

    return w
