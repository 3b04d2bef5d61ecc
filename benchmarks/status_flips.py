"""Benchmark: how often does the comparison status change, with and without hysteresis?

Simulates strategies whose truth is known and runs :func:`stratmon.compare.status_judgement
.judge_status` on every live session, for the three windows the engine shows ("live to date",
"90 sessions", "30 sessions"), exactly as the daily job would feed it:

* backtest: 2,520 IID Gaussian daily returns, volatility 1 % a day, annual Sharpe 1;
* ``healthy``: the live returns come from the same process for ``live_years`` years;
* ``decayed``: the mean drops to 0 (annual Sharpe 0) after the first live year (session 252).

Each session and window: the band results of ``compare_metrics`` (sharpe_ratio, cagr,
max_drawdown), the PSR of the live window against the backtest Sharpe (live skew and kurtosis,
``sharpe_p_value``), Welch's one-sided t-test of the mean daily return (``mean_p_value``) and
the probability of a max drawdown at least as deep within ``n_obs`` sessions under an IID
bootstrap of the backtest (1,000 paths, ``drawdown_probability``).

Printed per scenario and window: **status changes per strategy-year** (changes between judged
statuses; the one-off move out of ``insufficient_data`` is not counted) without hysteresis
(``previous=None`` every session: the memoryless judgement) and with the default hysteresis
(alpha 0.05 to enter, 0.10 to hold, 5 faded sessions to leave); the share of strategy-days not
``on_track`` (healthy: the false-alarm rate of the status); for the decayed scenario, the
share of decayed sessions shown ``underperforming`` and the median delay (decayed sessions) to
the first ``underperforming``.

Usage: ``python benchmarks/status_flips.py [--strategies N] [--years Y] [--seed S]``.
"""

from __future__ import annotations

import argparse
import itertools
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy import stats

from stratmon.compare.significance import probabilistic_sharpe_ratio, sharpe_ratio_variance
from stratmon.compare.status import compare_metrics
from stratmon.compare.status_judgement import (
    StatusConfig,
    StatusState,
    WindowEvidence,
    judge_status,
)

PPY = 252
BACKTEST_SESSIONS = 2520
DAILY_VOL = 0.01
SHARPE = 1.0
DECAY_AT = 252
BOOTSTRAP_PATHS = 1000
WINDOWS: tuple[tuple[str, int | None], ...] = (
    ("live to date", None),
    ("90 sessions", 90),
    ("30 sessions", 30),
)
METRICS = ("sharpe_ratio", "cagr", "max_drawdown")


def _max_drawdown_rows(log_wealth: np.ndarray) -> np.ndarray:
    """Max drawdown of each row of log wealth paths (anchored at 0 before the first return)."""
    anchored = np.concatenate([np.zeros((log_wealth.shape[0], 1)), log_wealth], axis=1)
    peak = np.maximum.accumulate(anchored, axis=1)
    return np.asarray(np.expm1((anchored - peak).min(axis=1)))


def _running_max_drawdown(log_wealth: np.ndarray) -> np.ndarray:
    """Max drawdown to date at every step of each row, shape like ``log_wealth``."""
    anchored = np.concatenate([np.zeros((log_wealth.shape[0], 1)), log_wealth], axis=1)
    peak = np.maximum.accumulate(anchored, axis=1)
    return np.asarray(np.expm1(np.minimum.accumulate(anchored - peak, axis=1)[:, 1:]))


@dataclass(frozen=True)
class _Backtest:
    metrics: dict[str, float]
    sharpe_pp: float
    mean: float
    var: float
    n: int
    dd_by_horizon: np.ndarray  # shape (paths, horizon): max drawdown within h sessions, sorted


def _backtest(rng: np.random.Generator, horizon: int) -> _Backtest:
    mu = SHARPE * DAILY_VOL / math.sqrt(PPY)
    r = rng.normal(mu, DAILY_VOL, BACKTEST_SESSIONS)
    mean, sd = float(r.mean()), float(r.std(ddof=1))
    log_w = np.log1p(r)
    boot = rng.choice(log_w, size=(BOOTSTRAP_PATHS, horizon), replace=True).cumsum(axis=1)
    dd = np.sort(_running_max_drawdown(boot), axis=0)
    metrics = {
        "sharpe_ratio": mean / sd * math.sqrt(PPY),
        "cagr": math.exp(log_w.sum() * PPY / r.size) - 1.0,
        "max_drawdown": float(_max_drawdown_rows(log_w.cumsum()[None, :])[0]),
    }
    return _Backtest(metrics, mean / sd, mean, sd * sd, r.size, dd)


def _window_stats(live: np.ndarray, width: int | None) -> dict[str, np.ndarray]:
    """Per session t = 1..T: n, Sharpe (pp and annual), CAGR, skew, kurtosis, mean, var, MaxDD."""
    T = live.size
    t = np.arange(1, T + 1)
    n = t if width is None else np.minimum(t, width)
    powers = [np.concatenate([[0.0], np.cumsum(live**k)]) for k in (1, 2, 3, 4)]
    logs = np.concatenate([[0.0], np.cumsum(np.log1p(live))])
    start = t - n
    s1, s2, s3, s4 = (p[t] - p[start] for p in powers)
    nf = n.astype(float)
    with np.errstate(all="ignore"):
        mean = s1 / nf
        m2 = s2 / nf - mean**2
        m3 = s3 / nf - 3 * mean * s2 / nf + 2 * mean**3
        m4 = s4 / nf - 4 * mean * s3 / nf + 6 * mean**2 * s2 / nf - 3 * mean**4
        var = m2 * nf / (nf - 1)
        sd = np.sqrt(var)
        skew = m3 / m2**1.5
        kurt = m4 / m2**2
        cagr = np.expm1((logs[t] - logs[start]) * PPY / nf)
    log_w = logs[1:]
    if width is None:
        dd = _running_max_drawdown(log_w[None, :])[0]
    else:
        dd = _running_max_drawdown(log_w[None, :width])[0]
        if width < T:
            padded = np.concatenate([[0.0], log_w])
            win = sliding_window_view(padded, width + 1)[1:]  # rows end at t = width+1..T
            rel = win[:, 1:] - win[:, :1]
            dd = np.concatenate([dd, _max_drawdown_rows(rel)])
    return {
        "n": n,
        "sharpe_pp": mean / sd,
        "sharpe": mean / sd * math.sqrt(PPY),
        "cagr": cagr,
        "skew": skew,
        "kurt": kurt,
        "mean": mean,
        "var": var,
        "max_drawdown": dd,
    }


def _evidence(
    live: np.ndarray, bt: _Backtest, label: str, width: int | None, sharpe_test: str = "psr"
) -> list[WindowEvidence]:
    w = _window_stats(live, width)
    with np.errstate(all="ignore"):
        if sharpe_test == "psr":
            psr = np.asarray(
                probabilistic_sharpe_ratio(
                    w["sharpe_pp"], w["n"], w["skew"], w["kurt"], bt.sharpe_pp
                )
            )
            test_name = "PSR vs backtest"
        else:  # Mertens z-test, one-sided "less" (both samples' estimation error)
            v_l = np.asarray(sharpe_ratio_variance(w["sharpe_pp"], w["n"], w["skew"], w["kurt"]))
            v_b = float(sharpe_ratio_variance(bt.sharpe_pp, bt.n, 0.0, 3.0))
            psr = stats.norm.cdf((w["sharpe_pp"] - bt.sharpe_pp) / np.sqrt(v_l + v_b))
            test_name = "Sharpe z-test (Mertens)"
        se2_l, se2_b = w["var"] / w["n"], bt.var / bt.n
        tstat = (w["mean"] - bt.mean) / np.sqrt(se2_l + se2_b)
        df = (se2_l + se2_b) ** 2 / (se2_l**2 / (w["n"] - 1) + se2_b**2 / (bt.n - 1))
        p_mean = stats.t.cdf(tstat, df)
    paths = bt.dd_by_horizon.shape[0]
    out = []
    for i in range(live.size):
        n = int(w["n"][i])
        dd = float(w["max_drawdown"][i])
        col = bt.dd_by_horizon[:, n - 1]
        prob = float(np.searchsorted(col, dd, side="right")) / paths
        comps = compare_metrics(
            {"sharpe_ratio": w["sharpe"][i], "cagr": w["cagr"][i], "max_drawdown": dd},
            bt.metrics,
            n_obs=n,
            n_trades=0,
            metrics=METRICS,
        )
        out.append(
            WindowEvidence(
                label,
                n,
                comps,
                sharpe_p_value=float(psr[i]) if math.isfinite(psr[i]) else math.nan,
                mean_p_value=float(p_mean[i]) if math.isfinite(p_mean[i]) else math.nan,
                drawdown_probability=prob,
                sharpe_test=test_name,
            )
        )
    return out


def status_paths(
    evidence: Iterable[WindowEvidence], config: StatusConfig | None, *, hysteresis: bool
) -> list[str]:
    """Statuses shown session by session (``hysteresis=False``: memoryless every session)."""
    state: StatusState | None = None
    out = []
    for ev in evidence:
        view, state = judge_status(ev, state if hysteresis else None, config)
        out.append(view.status)
    return out


def count_changes(path: list[str]) -> int:
    """Changes between judged statuses (moves into or out of ``insufficient_data`` excluded)."""
    return sum(
        1 for a, b in itertools.pairwise(path) if a != b and "insufficient_data" not in (a, b)
    )


def simulate(
    n_strategies: int = 200,
    live_years: int = 4,
    seed: int = 20240613,
    config: StatusConfig | None = None,
    sharpe_test: str = "psr",
) -> dict[tuple[str, str], dict[str, float]]:
    """Flip rates and alarm shares per (scenario, window) with and without hysteresis.

    ``config`` is the hysteresis configuration (default :class:`StatusConfig`); "without" is
    the memoryless judgement at the same ``alpha``. ``sharpe_test``: ``"psr"`` (PSR against
    the backtest Sharpe, which treats the backtest Sharpe as known) or ``"z"`` (Mertens
    two-sample z-test, which also counts the backtest's estimation error).
    """
    rng = np.random.default_rng(seed)
    T = live_years * PPY
    mu = SHARPE * DAILY_VOL / math.sqrt(PPY)
    acc: dict[tuple[str, str], dict[str, list[float]]] = {}
    for _ in range(n_strategies):
        bt = _backtest(rng, T)
        noise = rng.normal(0.0, DAILY_VOL, T)
        healthy = mu + noise
        decayed = healthy.copy()
        decayed[DECAY_AT:] -= mu
        for scenario, live in (("healthy", healthy), ("decayed", decayed)):
            for label, width in WINDOWS:
                evs = _evidence(live, bt, label, width, sharpe_test)
                a = acc.setdefault((scenario, label), {})
                for mode, hyst in (("without", False), ("with", True)):
                    path = status_paths(evs, config, hysteresis=hyst)
                    a.setdefault(f"changes_{mode}", []).append(count_changes(path))
                    judged = [s for s in path if s != "insufficient_data"]
                    a.setdefault(f"not_on_track_{mode}", []).append(
                        sum(s != "on_track" for s in judged) / max(len(judged), 1)
                    )
                    a.setdefault(f"bad_{mode}", []).append(
                        sum(s in ("underperforming", "alert") for s in judged) / max(len(judged), 1)
                    )
                    if scenario == "decayed":
                        after = path[DECAY_AT:]
                        a.setdefault(f"under_share_{mode}", []).append(
                            sum(s == "underperforming" for s in after) / len(after)
                        )
                        first = next(
                            (k for k, s in enumerate(after) if s == "underperforming"), math.inf
                        )
                        a.setdefault(f"delay_{mode}", []).append(first)
    years = n_strategies * live_years
    out: dict[tuple[str, str], dict[str, float]] = {}
    for key, a in acc.items():
        row: dict[str, float] = {}
        for mode in ("without", "with"):
            row[f"changes_per_year_{mode}"] = float(np.sum(a[f"changes_{mode}"])) / years
            row[f"not_on_track_{mode}"] = float(np.mean(a[f"not_on_track_{mode}"]))
            row[f"bad_{mode}"] = float(np.mean(a[f"bad_{mode}"]))
            if key[0] == "decayed":
                row[f"under_share_{mode}"] = float(np.mean(a[f"under_share_{mode}"]))
                row[f"median_delay_{mode}"] = float(np.median(a[f"delay_{mode}"]))
        out[key] = row
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--strategies", type=int, default=200)
    ap.add_argument("--years", type=int, default=4)
    ap.add_argument("--seed", type=int, default=20240613)
    ap.add_argument("--sharpe-test", choices=("psr", "z"), default="psr")
    args = ap.parse_args()
    t0 = time.perf_counter()
    res = simulate(args.strategies, args.years, args.seed, sharpe_test=args.sharpe_test)
    print(
        f"{args.strategies} strategies x {args.years} live years per scenario, "
        f"seed {args.seed}, Sharpe test {args.sharpe_test}, {time.perf_counter() - t0:.1f} s"
    )
    print(
        f"{'scenario':<9} {'window':<13} {'chg/yr w/o':>10} {'chg/yr with':>11} "
        f"{'!on_track w/o':>13} {'!on_track with':>14} {'bad w/o':>8} {'bad with':>8} "
        f"{'under w/o':>9} {'under with':>10} "
        f"{'delay w/o':>9} {'delay with':>10}"
    )
    for (scenario, window), r in res.items():
        under = (
            f"{r['under_share_without']:>9.1%} {r['under_share_with']:>10.1%} "
            f"{r['median_delay_without']:>9.0f} {r['median_delay_with']:>10.0f}"
            if scenario == "decayed"
            else f"{'':>9} {'':>10} {'':>9} {'':>10}"
        )
        print(
            f"{scenario:<9} {window:<13} {r['changes_per_year_without']:>10.2f} "
            f"{r['changes_per_year_with']:>11.2f} {r['not_on_track_without']:>13.1%} "
            f"{r['not_on_track_with']:>14.1%} {r['bad_without']:>8.1%} {r['bad_with']:>8.1%} "
            f"{under}"
        )


if __name__ == "__main__":
    main()
