"""Plotly figures of the dashboard (pure: data in, figure out)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from stratmon.dashboard.formatting import VERDICT_PLOT_COLOURS
from stratmon.domain.assessment import Assessment
from stratmon.reports.assessment_view import VERDICT_LABELS
from stratmon.reports.daily import equity_figure
from stratmon.reports.svg import axis_ticks

LIVE = "#0969da"
BACKTEST = "#57606a"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _layout(fig: go.Figure, title: str, ytitle: str, yformat: str | None = None) -> go.Figure:
    fig.update_layout(
        title=title,
        height=340,
        margin={"l": 50, "r": 20, "t": 50, "b": 30},
        yaxis_title=ytitle,
        legend={"orientation": "h", "y": -0.15},
        hovermode="x unified",
    )
    if yformat:
        fig.update_yaxes(tickformat=yformat)
    return fig


def distinct_ticks(*values: object, pct: bool) -> dict[str, list[float] | list[str]]:
    """Axis ticks (``tickvals``/``ticktext``) over the finite values given, labels distinct.

    Parameters
    ----------
    *values : array-like or float
        Everything the axis shows (NaN ignored).
    pct : bool
        Percent labels (fractions in).

    Returns
    -------
    dict
        ``{"tickvals": [...], "ticktext": [...]}`` for ``update_yaxes``/a colorbar; empty when
        nothing is finite. A fixed format such as ``.0%`` over a 0.4 % range repeats "0%" on
        every tick (a number that cannot be true, DESIGN.md); these labels never repeat.
    """
    flat = [
        float(v)
        for x in values
        for v in np.ravel(np.asarray(x, dtype=float))
        if math.isfinite(float(v))
    ]
    if not flat:
        return {}
    lo, hi = min(flat), max(flat)
    if hi == lo:
        pad = abs(lo) * 1e-3 or 1e-3
        lo, hi = lo - pad, hi + pad
    ticks, labels = axis_ticks(lo, hi, pct)
    return {"tickvals": ticks, "ticktext": labels}


def aggregate_figure(agg: pd.DataFrame) -> go.Figure:
    """Portfolio NAV (sum of strategies) and its time-weighted growth of 1."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(x=agg.index, y=agg["nav"], name="total NAV", line={"color": LIVE}, yaxis="y1")
    )
    fig.add_trace(
        go.Scatter(
            x=agg.index,
            y=agg["growth"],
            name="growth of 1 (time-weighted)",
            line={"color": BACKTEST, "dash": "dot"},
            yaxis="y2",
        )
    )
    fig.update_layout(
        yaxis2={
            "overlaying": "y",
            "side": "right",
            "title": "growth of 1",
            "showgrid": False,
            **distinct_ticks(agg["growth"], pct=False),
        }
    )
    _layout(fig, "Portfolio: aggregate equity", "NAV")
    fig.update_layout(yaxis=distinct_ticks(agg["nav"], pct=False))
    return fig


def equity_cone_figure(
    dates: list[dt.date],
    growth: np.ndarray,
    expected: np.ndarray | None,
    cone: dict[str, np.ndarray] | None,
    title: str,
) -> go.Figure:
    """Live growth of 1 against the backtest expectation inside the backtest cone."""
    fig = equity_figure(dates, growth, expected, cone=cone, title=title)
    fig.update_layout(height=360, hovermode="x unified")
    return fig


def underwater_figure(
    dates: list[dt.date], drawdown: np.ndarray, tiers: dict[str, float]
) -> go.Figure:
    """Live drawdown with the backtest's statistical drawdown tiers as horizontal lines."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=dates,
            y=drawdown,
            fill="tozeroy",
            name="live drawdown",
            line={"color": "#cf222e"},
            fillcolor="rgba(207,34,46,0.2)",
        )
    )
    labels = {
        "backtest_max_drawdown": ("backtest max drawdown", "#57606a", "dot"),
        "max_drawdown_95": ("MaxDD-95 tier", "#bf8700", "dash"),
        "max_drawdown_99": ("MaxDD-99 tier", "#cf222e", "dash"),
    }
    for key, (label, colour, dash) in labels.items():
        v = tiers.get(key)
        if v is not None and math.isfinite(v) and dates:
            fig.add_trace(
                go.Scatter(
                    x=[dates[0], dates[-1]],
                    y=[v, v],
                    mode="lines",
                    name=f"{label} {v * 100:.1f} %",
                    line={"color": colour, "dash": dash},
                )
            )
    shown = [v for v in (tiers.get(k) for k in labels) if v is not None and math.isfinite(v)]
    _layout(fig, "Underwater (drawdown) vs statistical tiers", "drawdown")
    fig.update_yaxes(**distinct_ticks(drawdown, shown, 0.0, pct=True))
    return fig


def rolling_sharpe_figure(
    dates: list[dt.date],
    rolling: dict[int, np.ndarray],
    backtest: dict[int, tuple[float, float, float]],
) -> go.Figure:
    """Rolling live Sharpe ratios with the backtest's rolling 5-95 % range and median.

    ``rolling[w]`` is aligned with ``dates[1:]`` (the first day has no return).
    """
    fig = go.Figure()
    colours = {30: LIVE, 90: "#8250df"}
    x = dates[1:]
    for w, values in rolling.items():
        fig.add_trace(
            go.Scatter(x=x, y=values, name=f"live {w}-day", line={"color": colours.get(w)})
        )
        band = backtest.get(w)
        if band and x:
            p5, p50, p95 = band
            fig.add_trace(
                go.Scatter(
                    x=[x[0], x[-1], x[-1], x[0]],
                    y=[p5, p5, p95, p95],
                    fill="toself",
                    mode="lines",
                    line={"width": 0},
                    fillcolor="rgba(87,96,106,0.08)",
                    name=f"backtest {w}-day 5-95 %",
                    hoverinfo="skip",
                )
            )
            fig.add_trace(
                go.Scatter(
                    x=[x[0], x[-1]],
                    y=[p50, p50],
                    mode="lines",
                    line={"color": colours.get(w), "dash": "dash"},
                    name=f"backtest {w}-day median {p50:.2f}",
                )
            )
    return _layout(fig, "Rolling Sharpe ratio: live vs backtest", "Sharpe (annualised)")


def monthly_heatmap(table: pd.DataFrame) -> go.Figure:
    """Monthly returns, years down and months across; red losses, green gains."""
    z = table.to_numpy(dtype=float)
    text = [[("" if not np.isfinite(v) else f"{v * 100:.1f}%") for v in row] for row in z]
    lim = float(np.nanmax(np.abs(z))) if np.isfinite(z).any() else 0.01
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(MONTHS),
            y=[str(y) for y in table.index],
            text=text,
            texttemplate="%{text}",
            colorscale="RdYlGn",
            zmin=-lim,
            zmax=lim,
            colorbar=distinct_ticks(-lim, lim, pct=True),
            hovertemplate="%{y} %{x}: %{text}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_layout(
        title="Monthly returns", height=max(220, 40 + 28 * len(table)), margin={"t": 50}
    )
    return fig


def health_history_figure(history: pd.DataFrame, names: dict[str, str]) -> go.Figure:
    """Health per strategy over time (``history``: the rows of
    :func:`stratmon.dashboard.data.history_frame`; a day without a score is a gap)."""
    fig = go.Figure()
    for sid, g in history.groupby("strategy_id", sort=True):
        fig.add_trace(
            go.Scatter(x=g["as_of"], y=g["health"], mode="lines", name=names.get(str(sid), sid))
        )
    fig.update_yaxes(range=[0, 100])
    return _layout(fig, "Health history", "health (0-100)")


VERDICT_STRIP = 106.0  # the y of the verdict strip drawn above the 0-100 health scale


def verdict_history_figure(history: pd.DataFrame) -> go.Figure:
    """One strategy's health and recent health over time, with each day's verdict as a
    coloured strip above the health scale (the stored assessments, oldest first)."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=history["as_of"],
            y=history["health"],
            mode="lines",
            name="health",
            line={"color": LIVE},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=history["as_of"],
            y=history["recent_health"],
            mode="lines",
            name="recent health",
            line={"color": BACKTEST, "dash": "dot", "width": 1},
        )
    )
    for verdict, colour in VERDICT_PLOT_COLOURS.items():
        g = history[history["verdict"] == verdict]
        if len(g):
            fig.add_trace(
                go.Scatter(
                    x=g["as_of"],
                    y=[VERDICT_STRIP] * len(g),
                    mode="markers",
                    marker={"color": colour, "size": 7, "symbol": "square"},
                    name=f"verdict: {VERDICT_LABELS.get(verdict, verdict)}",
                    customdata=g["action"],
                    hovertemplate="%{x}: " + verdict + " (%{customdata})<extra></extra>",
                )
            )
    fig.update_yaxes(range=[0, VERDICT_STRIP + 4], tickvals=[0, 20, 40, 60, 80, 100])
    return _layout(fig, "Health and verdict history", "health (0-100)")


def components_figure(assessments: Sequence[Assessment], components: tuple[str, ...]) -> go.Figure:
    """Grouped bars: each strategy's health components (0-100); a component without data
    has no bar (its hover says ``no data``)."""
    fig = go.Figure()
    ids = [a.strategy_id for a in assessments]
    for c in components:
        values = []
        for a in assessments:
            comp = a.component(c)
            values.append(math.nan if comp is None or comp.value is None else comp.value)
        fig.add_trace(
            go.Bar(
                x=ids,
                y=values,
                name=c.replace("_", " "),
                text=["no data" if not math.isfinite(v) else "" for v in values],
                hovertemplate="%{x}: %{y:.0f}<extra>" + c + "</extra>",
            )
        )
    fig.update_layout(barmode="group")
    fig.update_yaxes(range=[0, 100])
    return _layout(fig, "Health components", "component (0-100)")
