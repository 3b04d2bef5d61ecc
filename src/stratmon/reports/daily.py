"""The daily report: one self-contained HTML file per evaluation date in ``reports/``.

It is headed by what changed since the previous session, then the status table of the
stored assessments (verdict and action, health beside its recent view, status over the whole
live period and over the recent window as two labelled columns, the recommendation with its
sizes, the firing alerts at their current severity, the reasons), then one card per strategy.
Everything shown comes from the store; the judgement is the stored
:class:`~stratmon.domain.assessment.Assessment`, never re-derived here. Charts are Plotly with
plotly.js embedded once, so the file opens offline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import plotly.graph_objects as go

from stratmon.domain.assessment import Assessment
from stratmon.reports import assessment_view as view
from stratmon.reports import format as fmt
from stratmon.reports.judgement import CHANGES_TITLE, status_row, status_windows
from stratmon.reports.render import template_env


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
    assessments: Sequence[Assessment],
    names: Mapping[str, str],
    figures: Mapping[str, go.Figure],
    comparisons: Mapping[str, list[dict[str, Any]]],
    book_changes: Sequence[str] = (),
    missing: Sequence[str] = (),
) -> Path:
    """Write the HTML report to ``path`` and return it.

    Parameters
    ----------
    path : Path
        The file to write (its folder is created).
    as_of : date
        The evaluation date.
    assessments : sequence of Assessment
        The stored assessments of ``as_of`` (rendered most urgent first).
    names : mapping
        strategy_id -> display name.
    figures : mapping
        strategy_id -> equity chart.
    comparisons : mapping
        strategy_id -> the stored per-metric comparison rows (drill-down).
    book_changes : sequence of str
        Book-level "what changed" lines (files rejected ...).
    missing : sequence of str
        Strategies evaluated on ``as_of`` without a stored assessment (shown as such).
    """
    ordered = view.ranked(assessments)
    charts: dict[str, str] = {}
    first = True
    for a in ordered:
        fig = figures.get(a.strategy_id)
        if fig is not None:
            charts[a.strategy_id] = fig.to_html(full_html=False, include_plotlyjs=first)
            first = False
    rows = [status_row(a, names.get(a.strategy_id, a.strategy_id)) for a in ordered]
    html = (
        template_env()
        .get_template("daily.html.j2")
        .render(
            as_of=as_of.isoformat(),
            generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            changes_title=CHANGES_TITLE,
            changes=view.change_lines(ordered, book_changes),
            rows=rows,
            assessments={a.strategy_id: a for a in ordered},
            windows=status_windows(ordered),
            missing=list(missing),
            charts=charts,
            comparisons=comparisons,
            component_text=view.component_text,
            fmt=fmt,
        )
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path


__all__ = ["equity_figure", "render_daily_report"]
