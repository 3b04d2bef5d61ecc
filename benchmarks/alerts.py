"""Benchmark: how often does each alert rule fire when nothing is wrong, and how fast after a
decay? (a script that prints a table)

Simulated strategies that behave exactly like their backtests, in the two process families of
``benchmarks/detection.py`` (IID Gaussian, 1 % a day; GARCH(1,1)-t fitted to the S&P 500),
with annual Sharpe ratios 1, 2 and 3. Each strategy is one continuous path: a 5-year backtest
(1,260 sessions) then its live record.

* Healthy: 3 live years (756 sessions), nothing changes.
* Decay: the same noise, the mean drops to 0 (annual Sharpe 0) after the first live year
  (session 252) for 504 more sessions.

The rules run the way production runs them (:func:`stratmon.alerts.calibrate.replay`): the
registry's condition functions on every live session, fed the figures the engine computes
(``summarize`` rows of the whole record and of the rules' windows, the PSR and the bootstrap
drawdown probabilities of the backtest evidence, the decay detector restarted after each
alarm), then the state machine's for/clear hysteresis of ``alerts/config.py`` (for 2, clear
3). A firing is one transition into the firing state, at warning or worse (the judgement rules
are all warning or worse). With daily returns only, the win rate is the hit rate of the
window's sessions. Rules that need positions, exposure or margin are not simulated.

Printed: per rule, **firings per strategy-year** in each cell and over all cells (healthy
scenario) and the **median delay** (decayed sessions until the first firing that starts after
the change; ">504" when most strategies are not caught); then the unions -- one episode while
any rule of a concern fires (what grouping per concern will show), all judgement rules
together (the target: <= 1 per strategy-year), and the return-based limits apart (a breached
limit is not a false alarm).

Measured with the defaults (``--strategies 40`` per cell: 240 strategies, 720 strategy-years,
seed 20240601; 220 s on 2 cores) -- the figures quoted in the rules' docstrings and in
docs/alerts.md. Firings per strategy-year, mean of the six cells (worst cell): all judgement
rules together 0.49 (0.76, GARCH Sharpe 3) -- target <= 1: PASS; per concern performance 0.18,
drawdown 0.04, risk 0.25 (volatility, GARCH only), decay 0.19; per rule underperformance 0.037,
relative_sharpe 0.033, relative_return 0.044, win_rate 0.106, psr 0.033, drawdown 0.062,
max_drawdown_vs_backtest 0.019, statistical_drawdown 0.064, volatility 0.247, decay 0.185.
Limits apart: drawdown_tiers 1.02, drawdown_duration 0.55, value_at_risk 0.15 (together
0.93). Median delay after the decay: all judgement rules 106 sessions (decay alone 119;
drawdown_tiers 106).

Usage: ``python benchmarks/alerts.py [--quick] [--strategies N] [--seed S] [--set rule.key=v]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from detection import fit_garch, simulate
from stratmon.alerts.calibrate import (
    backtest_of,
    delays,
    firings_per_year,
    replay,
)
from stratmon.alerts.config import AlertConfig, alert_config_from_dict
from stratmon.alerts.registry import rule_spec

PPY = 252
BACKTEST = 1260
HEALTHY = 756
CHANGE = 252
DECAYED = 504
CELLS = [(k, sr) for k in ("gaussian", "garch_t") for sr in (1.0, 2.0, 3.0)]


def _config(sets: list[str]) -> AlertConfig:
    table: dict[str, Any] = {}
    for item in sets:
        key, value = item.split("=", 1)
        rule, field = key.split(".", 1)
        table.setdefault(rule, {})[field] = float(value) if "." in value else int(value)
    return alert_config_from_dict(table)


def _delay(x: float) -> str:
    return f">{DECAYED}" if not np.isfinite(x) else f"{x:.0f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="8 strategies per cell")
    ap.add_argument("--strategies", type=int, default=None, help="per cell (default 40)")
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--set", action="append", default=[], help="rule.key=value override")
    args = ap.parse_args()
    n = args.strategies or (8 if args.quick else 40)
    cfg = _config(args.set)
    rng = np.random.default_rng(args.seed)
    g = fit_garch()
    t0 = time.time()
    healthy: dict[str, list[Any]] = {}
    decayed: dict[str, list[Any]] = {}
    for kind, sr in CELLS:
        eps, _, sd_ref = simulate(kind, BACKTEST + HEALTHY, n, rng, g)
        mu = sr * sd_ref / np.sqrt(PPY)
        bt_paths = mu + eps[:BACKTEST]
        live_eps = eps[BACKTEST:]
        backtests = [backtest_of(bt_paths[:, j], PPY, key=f"{kind}{sr}{j}") for j in range(n)]
        group = np.arange(n)
        h = replay(backtests, group, mu + live_eps, cfg, periods_per_year=PPY)
        drop = np.where(np.arange(HEALTHY) < CHANGE, mu, 0.0)[:, None]
        d = replay(backtests, group, live_eps + drop, cfg, periods_per_year=PPY)
        healthy[f"{kind}/{sr:g}"] = [h]
        decayed[f"{kind}/{sr:g}"] = [d]
        print(f"  {kind} Sharpe {sr:g}: {n} strategies done ({time.time() - t0:.0f} s)", flush=True)
    cells = list(healthy)
    first = healthy[cells[0]][0]
    rules = first.rules

    def rate(fn: Any) -> list[float]:
        vals = [firings_per_year(fn(healthy[c][0]), PPY) for c in cells]
        return [*vals, float(np.mean(vals))]

    def delay(fn: Any) -> list[float]:
        per = [delays(fn(decayed[c][0]), CHANGE) for c in cells]
        return [*(float(np.median(x)) for x in per), float(np.median(np.concatenate(per)))]

    head = f"{'rule':<26}{'kind':<10}" + "".join(f"{c:>13}" for c in cells) + f"{'all':>8}"
    print(f"\nFirings per strategy-year, healthy ({n} strategies per cell, {HEALTHY} sessions)")
    print(head)
    print("-" * len(head))
    rows = []
    for r in rules:
        vals = rate(lambda res, r=r: res.firing[r])
        rows.append((r, vals))
        print(
            f"{r:<26}{rule_spec(r).kind:<10}"
            + "".join(f"{v:>13.3f}" for v in vals[:-1])
            + f"{vals[-1]:>8.3f}"
        )
    judgement = [r for r in rules if rule_spec(r).kind == "judgement"]
    limits = [r for r in rules if rule_spec(r).kind == "limit"]
    concerns = sorted({rule_spec(r).concern for r in judgement})
    unions = [
        (f"union {c} (judgement)", [r for r in judgement if rule_spec(r).concern == c])
        for c in concerns
    ]
    unions += [("ALL JUDGEMENT RULES", judgement), ("limits (return-based)", limits)]
    print("-" * len(head))
    for label, members in unions:
        vals = rate(lambda res, m=members: res.union(m))
        print(f"{label:<36}" + "".join(f"{v:>13.3f}" for v in vals[:-1]) + f"{vals[-1]:>8.3f}")
    print(f"\nMedian delay after a Sharpe-to-zero decay at live session {CHANGE} (sessions)")
    print(head)
    print("-" * len(head))
    for r in rules:
        vals = delay(lambda res, r=r: res.firing[r])
        print(
            f"{r:<26}{rule_spec(r).kind:<10}"
            + "".join(f"{_delay(v):>13}" for v in vals[:-1])
            + f"{_delay(vals[-1]):>8}"
        )
    for label, members in unions:
        vals = delay(lambda res, m=members: res.union(m))
        print(
            f"{label:<36}"
            + "".join(f"{_delay(v):>13}" for v in vals[:-1])
            + f"{_delay(vals[-1]):>8}"
        )
    total = rate(lambda res: res.union(judgement))[-1]
    verdict = "PASS" if total <= 1.0 else "FAIL"
    print(
        f"\n{verdict}: all judgement rules together fire {total:.2f} times per strategy-year "
        f"(target <= 1). {time.time() - t0:.0f} s."
    )


if __name__ == "__main__":
    main()
