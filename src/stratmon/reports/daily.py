"""The daily report: one self-contained HTML file per evaluation date in ``reports/``.

Everything shown comes from the store (results of the evaluation, stored daily records and
backtest returns); charts are Plotly with plotly.js embedded once, so the file opens offline.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import plotly.graph_objects as go

from stratmon.reports import format as fmt
from stratmon.reports.render import template_env
from stratmon.reports.status_rows import StatusRow, build_status_rows


def growth_of_one(nav: np.ndarray, cash_flow: np.ndarray) -> np.ndarray:
    """Compounded time-weighted growth of 1 from NAV and cash flows, shape (T,), starts at 1."""
    if nav.size == 0:
        return nav
    r = np.empty_like(nav)
    r[0] = 0.0
    r[1:] = (nav[1:] - nav[:-1] - cash_flow[1:]) / nav[:-1]
    return np.cumprod(1.0 + r)


def equity_figure(
    dates: list[dt.date],
    live_growth: np.ndarray,
    expected_growth: np.ndarray | None,
    cone: dict[str, np.ndarray] | None = None,
    title: str = "",
) -> go.Figure:
    """Live growth of 1 against the backtest's expected path (and its cone when given)."""
    fig = go.Figure()
    for lo_key, hi_key, alpha in (("p5", "p95", 0.10), ("p25", "p75", 0.18)):
        lo, hi = (cone or {}).get(lo_key), (cone or {}).get(hi_key)
        if lo is None or hi is None:
            continue
        fig.add_trace(
            go.Scatter(x=dates, y=hi, line={"width": 0}, showlegend=False, hoverinfo="skip")
        )
        fig.add_trace(
            go.Scatter(
                x=dates,
                y=lo,
                fill="tonexty",
                line={"width": 0},
                fillcolor=f"rgba(9,105,218,{alpha})",
                name=f"backtest cone {lo_key[1:]}–{hi_key[1:]} %",
            )
        )
    if expected_growth is not None:
        fig.add_trace(
            go.Scatter(
                x=dates,
                y=expected_growth,
                name="backtest expectation",
                line={"dash": "dash", "color": "#57606a"},
            )
        )
    fig.add_trace(go.Scatter(x=dates, y=live_growth, name="live", line={"color": "#0969da"}))
    fig.update_layout(
        title=title,
        height=320,
        margin={"l": 40, "r": 20, "t": 40, "b": 30},
        yaxis_title="growth of 1",
        legend={"orientation": "h"},
    )
    return fig


def render_daily_report(
    path: Path,
    as_of: dt.date,
    rows: list[StatusRow],
    figures: dict[str, go.Figure],
    comparisons: dict[str, list[dict[str, Any]]],
) -> Path:
    """Write the HTML report to ``path`` and return it."""
    charts: dict[str, str] = {}
    first = True
    for sid, fig in figures.items():
        charts[sid] = fig.to_html(full_html=False, include_plotlyjs=first)
        first = False
    html = (
        template_env()
        .get_template("daily.html.j2")
        .render(
            as_of=as_of.isoformat(),
            generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            rows=rows,
            charts=charts,
            comparisons=comparisons,
            fmt=fmt,
        )
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path


__all__ = ["build_status_rows", "equity_figure", "growth_of_one", "render_daily_report"]
