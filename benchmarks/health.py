"""Benchmark: is the evidence-based health score calm when nothing is wrong and quick after a
decay? (a script that prints a table; the targets are issue 13's, section 2)

Simulated strategies whose truth is known, in the style of ``benchmarks/detection.py`` (its
GARCH fit and simulator are reused):

* ``gaussian``: IID normal, 1 % a day; ``t4``: IID Student t(4) scaled to 1 % a day;
  ``ar1``: AR(1) with phi = 0.1, unconditional sd 1 % a day; ``garch_t``: GARCH(1,1)-t fitted
  to the S&P 500 (see ``benchmarks/detection.py`` for the Sharpe scale of that family).
* Annual Sharpe 1, 2, 3 (mean = SR * reference sd / sqrt(252)); backtest 2,520 sessions.
* healthy: 1,260 live sessions, nothing changes. decay: the mean drops to 0 from live
  session 252 (0-based), 1,260 decayed sessions follow.

Per strategy and day the health score is computed exactly as the engine does, vectorised over
strategies: the real decay detector (``calibrate`` + ``DecayDetector``,
``false_alarm_days=1260``, restarted after each alarm event, as in the daily job) for the
CUSUM tail and the alarm; the PSR of the
whole live record against the backtest Sharpe; the cone percentile and the drawdown
probability from quantile grids of 1,000 stationary-bootstrap paths of each backtest (the
grids of :mod:`stratmon.compare.drawdown_probability`, block length = the calibration's);
winning days against the backtest's winning-day rate for the win-rate component; trades
simulated as Poisson with a per-strategy backtest rate drawn uniformly in [0.05, 0.5] per
session, the same rate live in both scenarios (a decay of returns does not change how often
the strategy trades).

Printed per scenario: healthy -- share of strategy-days after the first 60 live sessions
with health >= 60 (target >= 95 %) and with a verdict of ``on_track`` or ``watch`` (target
>= 97 %), the false-alarm rate of "health < 40" (entries per strategy-year) and the share of
days below 40; the marginal probability that the CUSUM stands above its threshold (what
``CUSUM_TAIL_KAPPA`` encodes); decay -- median delay (sessions after the change, the change
day counting 1) until health < 40, until the verdict reaches ``investigate``/``act``, and the
detector's own median delay (first alarm at or after the change of a detector restarted after
each pre-change false alarm, as in ``benchmarks/detection.py``), with the ratios (target <=
1.25x); the verdict figures are over the first 100 strategies of each scenario (the verdict
is a scalar function with hysteresis state) and their ratio uses the detector's delay on the
same 100. The decay alarm follows the daily job's life cycle (:mod:`stratmon.decay.alarm`):
each crossing is an event, the detector restarts, and the alarm is active for the 21 sessions
after each event; while it is active the performance p-value is at most the alarm's own and
the score is capped at 39, as in :func:`stratmon.health.health_score`. The verdict is
``stratmon.health.verdict.decide_verdict`` when that module exists; otherwise "investigate or
worse" is "health < 40 or an active decay alarm" and the table says so. GARCH paths are
floored at -95 % a day (the near-integrated fit has rare explosive paths).

Usage: ``python benchmarks/health.py [--quick] [--strategies N] [--seed S] [--only kinds]
[--save FILE.npz]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent))

from detection import GAUSS_VOL, Garch, fit_garch
from detection import simulate as simulate_detection
from stratmon.compare.bootstrap import stationary_bootstrap_indices
from stratmon.compare.cone import cone_grids
from stratmon.compare.drawdown_probability import grid_cdf
from stratmon.compare.significance import probabilistic_sharpe_ratio
from stratmon.decay import DecayDetector, calibrate
from stratmon.decay.alarm import HOLD_SESSIONS, active_alarm_p_value
from stratmon.health.components import (
    binomial_p_value,
    cusum_p_value,
    performance_p_value,
    poisson_p_value,
    psr_p_value,
    score_from_p,
)
from stratmon.health.score import ALARM_SCORE_CAP, HealthWeights

Array = npt.NDArray[np.float64]
PPY = 252
BACKTEST = 2520
CHANGE = 252
HEALTHY_LIVE = 1260
DECAY_LIVE = CHANGE + 1260
ARL0 = 1260
CONE_PATHS = 1000
WARMUP = 60
VERDICT_STRATEGIES = 100
AR_PHI = 0.1
KINDS = ("gaussian", "t4", "ar1", "garch_t")


def simulate(
    kind: str, n_steps: int, n: int, rng: np.random.Generator, g: Garch
) -> tuple[Array, float]:
    """Zero-mean innovations (T, N) in fractions and the reference sd of the Sharpe scale."""
    if kind in ("gaussian", "garch_t"):
        eps, _, sd = simulate_detection(kind, n_steps, n, rng, g)
        return eps, sd
    if kind == "t4":
        return rng.standard_t(4.0, (n_steps, n)) / np.sqrt(2.0) * GAUSS_VOL, GAUSS_VOL
    if kind == "ar1":
        burn = 100
        u = rng.standard_normal((n_steps + burn, n)) * np.sqrt(1 - AR_PHI**2) * GAUSS_VOL
        e = np.empty_like(u)
        e[0] = u[0] / np.sqrt(1 - AR_PHI**2)
        for t in range(1, u.shape[0]):
            e[t] = AR_PHI * e[t - 1] + u[t]
        return e[burn:], GAUSS_VOL
    raise ValueError(kind)


def build_grids(
    bt: Array, block: Array, horizon: int, rng: np.random.Generator
) -> tuple[Array, Array, Array, Array]:
    """Cone and drawdown quantile grids per strategy (as ``backtest_cone`` builds them):
    horizons, levels, two arrays (N, H, P)."""
    n = bt.shape[1]
    cum: list[Array] = []
    mdd: list[Array] = []
    hz = lv = None
    for j in range(n):
        x = np.log1p(bt[:, j])
        idx = stationary_bootstrap_indices(x.size, CONE_PATHS, horizon, float(block[j]), rng)
        c, d = cone_grids(np.cumsum(x[idx], axis=1), x.size, rng)
        cum.append(c.values)
        mdd.append(d.values)
        hz, lv = c.horizons, c.levels
    assert hz is not None and lv is not None
    return hz.astype(float), lv, np.stack(cum), np.stack(mdd)


def load_verdict() -> Any | None:
    if importlib.util.find_spec("stratmon.health.verdict") is None:
        return None
    from stratmon.health import verdict

    return getattr(verdict, "decide_verdict", None)


def run_live(
    live: Array,
    cal: Any,
    grids: tuple[Array, Array, Array, Array],
    bt_sr: Array,
    bt_win: Array,
    trade_rate: Array,
    rng: np.random.Generator,
    restart_before: int | None,
) -> dict[str, Array]:
    """Day-by-day p-values for every strategy; shapes (T, N)."""
    t_len, n = live.shape
    hz, lv, cum_g, dd_g = grids
    det = DecayDetector(cal)
    det_r = DecayDetector(cal) if restart_before is not None else None
    first_after = np.full(n, -1, dtype=np.int64)
    h = np.asarray(cal.threshold, float)
    s1 = np.zeros(n)
    s2 = np.zeros(n)
    s3 = np.zeros(n)
    s4 = np.zeros(n)
    lw = np.zeros(n)
    peak = np.zeros(n)
    wins = np.zeros(n)
    trades = np.zeros(n)
    out = {
        k: np.empty((t_len, n), dtype=np.float32) for k in ("s", "s_h", "psr", "cone", "dd", "wr")
    }
    out["tf"] = np.empty((t_len, n), dtype=np.float32)
    out["alarm"] = np.zeros((t_len, n), dtype=np.float32)
    out["alarm_count"] = np.zeros((t_len, n), dtype=np.float32)
    last_alarm = np.full(n, -(10**9))
    count = np.zeros(n)
    for t in range(t_len):
        r = live[t]
        # as the daily job (stratmon.decay.alarm): a crossing is an event, then a restart
        crossed = det.update(r)
        last_alarm[crossed] = t
        count[crossed] += 1
        det.reset(np.flatnonzero(crossed))
        if det_r is not None and restart_before is not None:
            new = det_r.update(r)
            if t < restart_before:
                det_r.reset(np.flatnonzero(new))
            else:
                first_after[new & (first_after < 0)] = t
        k = t + 1
        s1 += r
        s2 += r * r
        s3 += r**3
        s4 += r**4
        mean = s1 / k
        m2 = s2 / k - mean**2
        if k >= 30:
            m3 = s3 / k - 3 * mean * s2 / k + 2 * mean**3
            m4 = s4 / k - 4 * mean * s3 / k + 6 * mean**2 * s2 / k - 3 * mean**4
            sd = np.sqrt(m2 * k / (k - 1))
            skew = m3 / m2**1.5
            kurt = m4 / m2**2
            psr = np.asarray(probabilistic_sharpe_ratio(mean / sd, k, skew, kurt, bt_sr))
            psr = psr_p_value(psr, k, BACKTEST)
        else:
            psr = np.full(n, np.nan)
        lw += np.log1p(r)
        peak = np.maximum(peak, lw)
        dd = np.expm1(lw - peak)
        wins += r > 0
        trades += rng.poisson(trade_rate)
        out["s"][t] = det.statistic
        with np.errstate(invalid="ignore", divide="ignore"):
            out["s_h"][t] = det.statistic / h
        out["psr"][t] = psr
        out["cone"][t] = grid_cdf(hz, lv, cum_g, np.expm1(lw), k)
        out["dd"][t] = np.where(dd >= 0, 1.0, grid_cdf(hz, lv, dd_g, np.minimum(dd, 0.0), k))
        out["wr"][t] = binomial_p_value(wins, k, bt_win, BACKTEST)
        out["tf"][t] = poisson_p_value(trades, trade_rate * k)
        out["alarm"][t] = (t - last_alarm) < HOLD_SESSIONS  # alarm active today
        out["alarm_count"][t] = count
    res: dict[str, Array] = {k: np.asarray(v, dtype=float) for k, v in out.items()}
    res["detector_first_after"] = first_after.astype(float)
    return res


def components(p: dict[str, Array], theta: float | None = None) -> dict[str, Array]:
    """0-100 values of the four components from the saved p-values."""
    kw = {} if theta is None else {"theta": theta}
    s_h = p["s"].astype(float)
    p_c = cusum_p_value(s_h.ravel(), np.ones(s_h.size), **kw).reshape(s_h.shape)
    perf = performance_p_value(
        p_c.ravel(), p["psr"].astype(float).ravel(), p["cone"].astype(float).ravel()
    ).reshape(s_h.shape)
    perf = np.where(p["alarm"] > 0, np.minimum(perf, active_alarm_p_value()), perf)
    return {
        "performance": score_from_p(perf.ravel()).reshape(s_h.shape),
        "drawdown": score_from_p(p["dd"].astype(float).ravel()).reshape(s_h.shape),
        "win_rate": score_from_p(p["wr"].astype(float).ravel()).reshape(s_h.shape),
        "trade_frequency": score_from_p(p["tf"].astype(float).ravel()).reshape(s_h.shape),
    }


def score(values: dict[str, Array], alarm: Array) -> Array:
    w = HealthWeights().as_dict()
    num = sum(w[k] * np.nan_to_num(v) for k, v in values.items())
    den = sum(w[k] * ~np.isnan(v) for k, v in values.items())
    out = np.asarray(num / den, dtype=float)
    return np.where(alarm > 0, np.minimum(out, ALARM_SCORE_CAP), out)


def investigate(
    health: Array, values: dict[str, Array], p: dict[str, Array], verdict_fn: Any | None
) -> npt.NDArray[np.bool_]:
    """True where the verdict is investigate or act, for the first VERDICT_STRATEGIES
    strategies (fallback rule when no verdict module: health < 40 or an active decay alarm).

    The verdict reads health, its components, the decay alarm (and how long it has been
    active), the PSR and the drawdown probability; no alert rule fires in the simulation."""
    alarm = p["alarm"] > 0
    if verdict_fn is None:
        return (health < 40) | alarm
    import datetime as dt

    from stratmon.domain.assessment import HealthComponent
    from stratmon.health.verdict import VerdictEvidence

    t_len, n = health.shape
    n = min(n, VERDICT_STRATEGIES)
    out = np.zeros((t_len, n), dtype=bool)
    day0 = dt.date(2030, 1, 1)
    w = HealthWeights().as_dict()
    perf_p = performance_p_value(
        cusum_p_value(p["s"][:, :n].ravel(), np.ones(t_len * n)),
        p["psr"][:, :n].ravel(),
        p["cone"][:, :n].ravel(),
    ).reshape(t_len, n)
    perf_p = np.where(alarm[:, :n], np.minimum(perf_p, active_alarm_p_value()), perf_p)
    for i in range(n):
        state = None
        since = -1
        for t in range(t_len):
            if alarm[t, i] and (t == 0 or p["alarm_count"][t, i] > p["alarm_count"][t - 1, i]):
                since = t
            if not alarm[t, i]:
                since = -1
            comps = tuple(
                HealthComponent(
                    name,
                    float(values[name][t, i]),
                    float(perf_p[t, i]) if name == "performance" else None,
                    "",
                    "",
                    w[name],
                )
                for name in values
            )
            ev = VerdictEvidence(
                n_obs=t + 1,
                health=float(health[t, i]),
                components=comps,
                decay_alarm=bool(alarm[t, i]),
                decay_sessions_since=(t - since) if since >= 0 else None,
                decay_alarm_count=int(p["alarm_count"][t, i]),
                psr_vs_backtest=float(p["psr"][t, i]),
                drawdown_probability=float(p["dd"][t, i]),
            )
            d = verdict_fn(ev, state, day0 + dt.timedelta(days=t))
            state = d.state
            out[t, i] = d.verdict in ("investigate", "act")
    return out


def first_from(mask: npt.NDArray[np.bool_], start: int) -> Array:
    """Delay (sessions, the start day counting 1) until the mask first holds; inf if never."""
    sub = mask[start:]
    hit = sub.any(axis=0)
    return np.where(hit, sub.argmax(axis=0) + 1, np.inf)


def fmt(x: float) -> str:
    return ">1260" if not np.isfinite(x) else f"{x:.0f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="200 strategies per scenario")
    ap.add_argument("--strategies", type=int, default=None)
    ap.add_argument("--seed", type=int, default=20261203)
    ap.add_argument("--only", default=None, help="comma list of kinds")
    ap.add_argument("--sharpes", default="1,2,3")
    ap.add_argument("--save", default=None, help="save the p-values to this .npz")
    args = ap.parse_args()
    n = args.strategies or (200 if args.quick else 1000)
    kinds = args.only.split(",") if args.only else list(KINDS)
    sharpes = [float(s) for s in args.sharpes.split(",")]
    rng = np.random.default_rng(args.seed)
    t0 = time.time()
    g = fit_garch()
    verdict_fn = load_verdict()
    print(f"{n} strategies per scenario; backtest {BACKTEST}, healthy live {HEALTHY_LIVE}, ")
    print(f"decay from live session {CHANGE}; detector false_alarm_days {ARL0}")
    print(
        "verdict: stratmon.health.verdict.decide_verdict"
        if verdict_fn is not None
        else "verdict: NOT AVAILABLE -- investigate+ = health < 40 or an active decay alarm"
    )
    head = (
        f"{'scenario':<13}{'h>=60':>7}{'ok/watch':>9}{'FA<40/yr':>9}{'<40 days':>9}"
        f"{'P(S>h)':>8}{'d(h<40)':>9}{'d(verd)':>9}{'d(det)':>8}{'h/det':>7}{'v/det':>7}"
    )
    print(head)
    print("-" * len(head))
    saved: dict[str, Array] = {}
    summary: list[tuple[str, float, float, float, float]] = []
    tails: list[tuple[str, float, list[float]]] = []
    for kind in kinds:
        for sr in sharpes:
            ts = time.time()
            eps, sd_ref = simulate(kind, BACKTEST + DECAY_LIVE, n, rng, g)
            eps = np.maximum(eps, -0.95)  # explosive GARCH paths: no loss beyond -95 %
            mu0 = sr * sd_ref / np.sqrt(PPY)
            bt = mu0 + eps[:BACKTEST]
            live_eps = eps[BACKTEST:]
            healthy = mu0 + live_eps[:HEALTHY_LIVE]
            decay = live_eps + np.where(np.arange(DECAY_LIVE) < CHANGE, mu0, 0.0)[:, None]
            cal = calibrate(bt, false_alarm_days=ARL0)
            grids = build_grids(bt, np.asarray(cal.block_length), DECAY_LIVE, rng)
            bt_sr = bt.mean(axis=0) / bt.std(axis=0, ddof=1)
            bt_win = (bt > 0).mean(axis=0)
            rate = rng.uniform(0.05, 0.5, n)
            ph = run_live(healthy, cal, grids, bt_sr, bt_win, rate, rng, None)
            pd_ = run_live(decay, cal, grids, bt_sr, bt_win, rate, rng, CHANGE)
            label = f"{kind} SR{sr:g}"
            if args.save:
                for k, v in ph.items():
                    saved[f"{label}|healthy|{k}"] = v
                for k, v in pd_.items():
                    saved[f"{label}|decay|{k}"] = v
            vh = components(ph)
            hh = score(vh, ph["alarm"])
            after = hh[WARMUP:]
            ok60 = float(np.mean(after >= 60))
            inv_h = investigate(hh, vh, ph, verdict_fn)
            okw = float(np.mean(~inv_h[WARMUP:]))
            below: npt.NDArray[np.bool_] = hh < 40
            entries = below[1:] & ~below[:-1]
            fa = float((entries.sum() + below[0].sum()) / (n * HEALTHY_LIVE / PPY))
            p_above = float(np.mean(ph["s_h"][WARMUP:] > 1.0))
            s_nat = ph["s"][WARMUP:]
            tail = [float(np.mean(s_nat >= v)) for v in (1.0, 2.0, 3.0, 4.0, 5.0, 6.0)]
            theta = min(
                -np.log(max(q, 1e-9)) / v for v, q in zip((1, 2, 3, 4, 5, 6), tail, strict=True)
            )
            tails.append((label, theta, tail))
            vd = components(pd_)
            hd = score(vd, pd_["alarm"])
            d_h = float(np.median(first_from(np.asarray(hd < 40, dtype=bool), CHANGE)))
            d_v = float(np.median(first_from(investigate(hd, vd, pd_, verdict_fn), CHANGE)))
            fa_det = pd_["detector_first_after"]
            det_delay = np.where(fa_det >= 0, fa_det - CHANGE + 1, np.inf)
            d_det = float(np.median(det_delay))
            # the detector's delay on the same strategies as the verdict's
            d_det_v = float(np.median(det_delay[:VERDICT_STRATEGIES]))
            r_h = d_h / d_det if np.isfinite(d_det) else np.nan
            r_v = d_v / d_det_v if np.isfinite(d_det_v) else np.nan
            print(
                f"{label:<13}{ok60:>7.1%}{okw:>9.1%}{fa:>9.3f}{np.mean(after < 40):>9.2%}"
                f"{p_above:>8.3f}{fmt(d_h):>9}{fmt(d_v):>9}{fmt(d_det):>8}"
                f"{r_h:>6.2f}x{r_v:>6.2f}x   ({time.time() - ts:.0f} s)",
                flush=True,
            )
            summary.append((label, ok60, okw, r_h, r_v))
    print("-" * len(head))
    print("Targets: h>=60 >= 95 %, on_track/watch >= 97 %, delays <= 1.25 x the detector's")
    for label, ok60, okw, r_h, r_v in summary:
        flags = [
            "h>=60 " + ("met" if ok60 >= 0.95 else "NOT met"),
            "ok/watch " + ("met" if okw >= 0.97 else "NOT met"),
            "h<40 delay " + ("met" if r_h <= 1.25 else "NOT met"),
            "verdict delay " + ("met" if r_v <= 1.25 else "NOT met"),
        ]
        print(f"  {label}: " + "; ".join(flags))
    print("\nCUSUM tail on healthy days, P(S >= s) for s = 1..6 nats, and the smallest")
    print("tail rate min_s -log P(S >= s) / s (CUSUM_TAIL_THETA must not exceed it):")
    for label, theta, tail in tails:
        print(f"  {label:<13}" + " ".join(f"{q:.4f}" for q in tail) + f"   theta {theta:.2f}")
    if args.save:
        np.savez_compressed(args.save, **saved)  # type: ignore[arg-type]
    print(f"\nfinished in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
