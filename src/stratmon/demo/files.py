"""Write simulated results as the input files a user would drop into stratmon's inbox.

Formats follow DESIGN.md "Input formats" (UTF-8 CSV with a header):

- ``performance_data_{YYYY-MM-DD}.csv``: one row per strategy simulated on that session:
  ``date, strategy_id, nav, daily_pnl, realized_pnl, unrealized_pnl, cash_flow, num_positions,
  gross_exposure_usd, net_exposure_usd, num_trades, trade_volume_usd, cash_balance``.
- ``executions_{YYYY-MM-DD}.csv`` (only on sessions with fills): ``execution_id, strategy_id,
  timestamp, symbol, side, quantity, price, commission, currency``; the timestamp is the XNYS
  close as naive UTC ISO 8601 and ``commission`` includes fees.
- ``positions_{YYYY-MM-DD}.csv``: the open positions at the close, ``date, strategy_id, symbol,
  quantity, market_value, unrealized_pnl, sector, asset_class``; a flat strategy lists its
  symbols at zero quantity (a strategy without a row that day has unknown positions).
- ``backtest_returns.csv``: ``date, strategy_id, return`` (simple daily returns from the
  backtest NAV; the first backtest session has no return).
- ``strategies.csv`` and ``strategies.yaml``: the registry, one entry per strategy with the
  fields of :class:`stratmon.domain.records.Strategy`.

Money is written with 2 decimals, quantities as integers, returns with full float precision.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import weakref
from collections.abc import Mapping
from pathlib import Path

import yaml

from stratmon.demo.simulate import SimResult
from stratmon.domain.records import Strategy

PERFORMANCE_COLUMNS: tuple[str, ...] = (
    "date",
    "strategy_id",
    "nav",
    "daily_pnl",
    "realized_pnl",
    "unrealized_pnl",
    "cash_flow",
    "num_positions",
    "gross_exposure_usd",
    "net_exposure_usd",
    "num_trades",
    "trade_volume_usd",
    "cash_balance",
)
EXECUTION_COLUMNS: tuple[str, ...] = (
    "execution_id",
    "strategy_id",
    "timestamp",
    "symbol",
    "side",
    "quantity",
    "price",
    "commission",
    "currency",
)
POSITION_COLUMNS: tuple[str, ...] = (
    "date",
    "strategy_id",
    "symbol",
    "quantity",
    "market_value",
    "unrealized_pnl",
    "sector",
    "asset_class",
)
BACKTEST_COLUMNS: tuple[str, ...] = ("date", "strategy_id", "return")
STRATEGY_COLUMNS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Strategy))


class _Lists:
    """Plain-Python copies of a result's arrays (numpy scalars are slow to format one by one)."""

    def __init__(self, r: SimResult) -> None:
        self.nav = r.nav.tolist()
        self.daily_pnl = r.daily_pnl.tolist()
        self.realized = r.realized_pnl.tolist()
        self.unrealized = r.unrealized_pnl.tolist()
        self.cash_flow = r.cash_flow.tolist()
        self.num_positions = r.num_positions.tolist()
        self.gross = r.gross_exposure.tolist()
        self.net = r.net_exposure.tolist()
        self.num_trades = r.num_trades.tolist()
        self.volume = r.trade_volume.tolist()
        self.cash = r.cash_balance.tolist()
        self.qty = r.quantity.tolist()
        self.mv = r.market_value.tolist()
        self.upnl = r.position_unrealized_pnl.tolist()


_LISTS: weakref.WeakKeyDictionary[SimResult, _Lists] = weakref.WeakKeyDictionary()


def _lists(r: SimResult) -> _Lists:
    got = _LISTS.get(r)
    if got is None:
        got = _LISTS[r] = _Lists(r)
    return got


def _m(x: float) -> str:
    return f"{x:.2f}"


def write_day_files(inbox: Path, day: dt.date, results: Mapping[str, SimResult]) -> list[Path]:
    """Write one session's performance, executions and positions files into ``inbox``.

    Parameters
    ----------
    inbox : Path
        Folder to write into (created if missing).
    day : datetime.date
        The session. Strategies whose result does not cover it are left out.
    results : mapping strategy_id -> SimResult
        Usually the live results.

    Returns
    -------
    list of Path
        The files written (none if no result covers ``day``), performance file first.
    """
    rows_perf: list[list[object]] = []
    rows_exec: list[list[object]] = []
    rows_pos: list[list[object]] = []
    iso = day.isoformat()
    for sid, r in results.items():
        i = r.index_of(day)
        if i is None:
            continue
        L = _lists(r)
        rows_perf.append(
            [
                iso,
                sid,
                _m(L.nav[i]),
                _m(L.daily_pnl[i]),
                _m(L.realized[i]),
                _m(L.unrealized[i]),
                _m(L.cash_flow[i]),
                L.num_positions[i],
                _m(L.gross[i]),
                _m(L.net[i]),
                L.num_trades[i],
                _m(L.volume[i]),
                _m(L.cash[i]),
            ]
        )
        if L.num_trades[i]:
            for ex in r.executions_on(i):
                rows_exec.append(
                    [
                        ex.execution_id,
                        ex.strategy_id,
                        ex.timestamp.isoformat(),
                        ex.symbol,
                        ex.side,
                        f"{ex.quantity:.0f}",
                        f"{ex.price:.2f}",
                        _m(ex.commission + ex.fees),
                        ex.currency,
                    ]
                )
        # Every session has a snapshot per strategy: a flat book is its symbols at zero (a
        # day without a snapshot would mean "positions unknown", not flat).
        spec = r.strategy.spec
        flat = not L.num_positions[i]
        for k, sym in enumerate(r.symbols):
            q = L.qty[i][k]
            if q or flat:
                rows_pos.append(
                    [
                        iso,
                        sid,
                        sym,
                        q,
                        _m(L.mv[i][k]),
                        _m(L.upnl[i][k]),
                        spec.sector,
                        spec.asset_class,
                    ]
                )
    if not rows_perf:
        return []
    inbox.mkdir(parents=True, exist_ok=True)
    written = [_write(inbox / f"performance_data_{iso}.csv", PERFORMANCE_COLUMNS, rows_perf)]
    if rows_exec:
        written.append(_write(inbox / f"executions_{iso}.csv", EXECUTION_COLUMNS, rows_exec))
    if rows_pos:
        written.append(_write(inbox / f"positions_{iso}.csv", POSITION_COLUMNS, rows_pos))
    return written


def write_backtest_files(directory: Path, results: Mapping[str, SimResult]) -> list[Path]:
    """Write the backtest daily returns and the strategy registry into ``directory``.

    Parameters
    ----------
    directory : Path
        Folder to write into (created if missing).
    results : mapping strategy_id -> SimResult
        The backtest results (their ``strategy.spec`` fills the registry).

    Returns
    -------
    list of Path
        ``backtest_returns.csv``, ``strategies.csv``, ``strategies.yaml``.
    """
    directory.mkdir(parents=True, exist_ok=True)
    rows: list[list[object]] = []
    for sid, r in results.items():
        rets = r.returns().tolist()
        rows.extend([d.isoformat(), sid, repr(x)] for d, x in zip(r.dates[1:], rets, strict=True))
    paths = [_write(directory / "backtest_returns.csv", BACKTEST_COLUMNS, rows)]

    specs = [r.strategy.spec for r in results.values()]
    reg_rows = [[_cell(getattr(s, c)) for c in STRATEGY_COLUMNS] for s in specs]
    paths.append(_write(directory / "strategies.csv", STRATEGY_COLUMNS, reg_rows))
    yaml_path = directory / "strategies.yaml"
    doc = {"strategies": [dataclasses.asdict(s) for s in specs]}
    with yaml_path.open("w", encoding="utf-8") as fh:
        yaml.safe_dump(doc, fh, sort_keys=False, allow_unicode=True)
    paths.append(yaml_path)
    return paths


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _write(path: Path, header: tuple[str, ...], rows: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    return path
