"""Plotly figures of the dashboard (pure: data in, figure out)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from stratmon.reports.daily import equity_figure

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
            "tickformat": ".2f",
        }
    )
    _layout(fig, "Portfolio: aggregate equity", "NAV", ",.0f")
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
    return _layout(fig, "Underwater (drawdown) vs statistical tiers", "drawdown", ".0%")


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
            colorbar={"tickformat": ".0%"},
            hovertemplate="%{y} %{x}: %{text}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_layout(
        title="Monthly returns", height=max(220, 40 + 28 * len(table)), margin={"t": 50}
    )
    return fig


def health_history_figure(history: pd.DataFrame, names: dict[str, str]) -> go.Figure:
    """Health score per strategy over time."""
    fig = go.Figure()
    for sid, g in history.groupby("strategy_id", sort=True):
        fig.add_trace(
            go.Scatter(x=g["as_of"], y=g["score"], mode="lines", name=names.get(str(sid), sid))
        )
    fig.update_yaxes(range=[0, 100])
    return _layout(fig, "Health score history", "score (0-100)")


def components_figure(table: pd.DataFrame, components: tuple[str, ...]) -> go.Figure:
    """Grouped bars: each strategy's health components (0-100)."""
    fig = go.Figure()
    for c in components:
        fig.add_trace(go.Bar(x=table["strategy_id"], y=table[c], name=c.replace("_", " ")))
    fig.update_layout(barmode="group")
    fig.update_yaxes(range=[0, 100])
    return _layout(fig, "Health components", "component (0-100)")
