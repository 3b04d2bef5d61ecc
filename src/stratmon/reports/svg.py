"""Small static SVG charts (line and bar), embeddable in HTML and in WeasyPrint PDFs.

Plotly needs JavaScript, which a PDF renderer does not run; these charts are plain SVG so the
same template gives the same figures in both forms, offline.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from html import escape

PALETTE = (
    "#0969da",
    "#cf222e",
    "#1a7f37",
    "#9a6700",
    "#8250df",
    "#bf3989",
    "#57606a",
    "#0a3069",
    "#953800",
    "#116329",
)
W, H = 760, 260
L, R, T, B = 64, 150, 28, 34


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo]
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.ceil(lo / step) * step
    out = []
    v = start
    while v <= hi + 1e-12:
        out.append(round(v, 12))
        v += step
    return out


def _fmt(v: float, pct: bool) -> str:
    return f"{v * 100:.0f}%" if pct else (f"{v:,.2f}" if abs(v) < 100 else f"{v:,.0f}")


def tick_labels(ticks: Sequence[float], pct: bool) -> list[str]:
    """Labels of axis ticks, with just enough decimals that no two are the same.

    Parameters
    ----------
    ticks : sequence of float
        Distinct tick values, ascending (fractions when ``pct``).
    pct : bool
        Percent labels (``0.015`` -> ``1.5%``) or plain numbers with thousands separators.

    Returns
    -------
    list of str
        One label per tick. A 0.05 % step printed with ``.0f`` would read "0%, 0%, 0%, 1%":
        a repeated tick is a number that cannot be true (DESIGN.md), so the precision grows
        (up to 12 decimals) until every label differs; ``-0`` is printed ``0``.
    """
    values = [0.0 if v == 0 else v for v in ticks]
    scale = 100.0 if pct else 1.0
    base = 0 if pct or any(abs(v) >= 100 for v in values) else 2
    labels: list[str] = []
    for decimals in range(base, 13):
        labels = []
        for v in values:
            text = f"{v * scale:,.{decimals}f}"
            if text.lstrip("-").strip("0.,") == "":
                text = text.lstrip("-")  # no "-0%"
            labels.append(text + ("%" if pct else ""))
        if len(set(labels)) == len(labels):
            return labels
    return labels


def axis_ticks(lo: float, hi: float, pct: bool, n: int = 5) -> tuple[list[float], list[str]]:
    """Nice tick values over ``[lo, hi]`` and their distinct labels (:func:`tick_labels`).

    Parameters
    ----------
    lo, hi : float
        The axis range (``lo < hi``; otherwise one tick at ``lo``).
    pct : bool
        Percent labels.
    n : int
        About how many intervals (steps of 1, 2, 2.5 or 5 x a power of ten).

    Returns
    -------
    (list of float, list of str)
        Ticks and labels, same length, labels all different.
    """
    ticks = _ticks(lo, hi, n)
    return ticks, tick_labels(ticks, pct)


def line_chart(
    title: str,
    series: Mapping[str, tuple[Sequence[dt.date], Sequence[float]]],
    *,
    pct: bool = False,
    baseline: float | None = None,
) -> str:
    """Line chart of one or more date series; NaN values break a line (nothing is filled)."""
    pts = [
        (d.toordinal(), float(v))
        for xs, ys in series.values()
        for d, v in zip(xs, ys, strict=True)
        if math.isfinite(float(v))
    ]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
        f'viewBox="0 0 {W} {H}" font-family="DejaVu Sans, sans-serif" font-size="10">',
        f'<text x="{L}" y="16" font-size="12" font-weight="bold">{escape(title)}</text>',
    ]
    if not pts:
        parts.append(f'<text x="{L}" y="{H // 2}">no data</text></svg>')
        return "".join(parts)
    x0, x1 = min(p[0] for p in pts), max(p[0] for p in pts)
    y0, y1 = min(p[1] for p in pts), max(p[1] for p in pts)
    if baseline is not None:
        y0, y1 = min(y0, baseline), max(y1, baseline)
    if x1 == x0:
        x1 = x0 + 1
    if y1 == y0:
        y0, y1 = y0 - 1e-3, y1 + 1e-3
    pw, ph = W - L - R, H - T - B

    def sx(x: float) -> float:
        return L + (x - x0) / (x1 - x0) * pw

    def sy(y: float) -> float:
        return T + (1 - (y - y0) / (y1 - y0)) * ph

    for t, label in zip(*axis_ticks(y0, y1, pct), strict=True):
        parts.append(
            f'<line x1="{L}" x2="{L + pw}" y1="{sy(t):.1f}" y2="{sy(t):.1f}" '
            'stroke="#d0d7de" stroke-width="0.5"/>'
        )
        parts.append(f'<text x="{L - 4}" y="{sy(t) + 3:.1f}" text-anchor="end">{label}</text>')
    d0, d1 = dt.date.fromordinal(x0), dt.date.fromordinal(x1)
    parts.append(f'<text x="{L}" y="{H - 12}">{d0.isoformat()}</text>')
    parts.append(f'<text x="{L + pw}" y="{H - 12}" text-anchor="end">{d1.isoformat()}</text>')
    if baseline is not None:
        parts.append(
            f'<line x1="{L}" x2="{L + pw}" y1="{sy(baseline):.1f}" '
            f'y2="{sy(baseline):.1f}" stroke="#57606a" stroke-width="0.8"/>'
        )
    for k, (name, (xs, ys)) in enumerate(series.items()):
        color = PALETTE[k % len(PALETTE)]
        runs: list[list[str]] = [[]]
        for d, v in zip(xs, ys, strict=True):
            fv = float(v)
            if math.isfinite(fv):
                runs[-1].append(f"{sx(d.toordinal()):.1f},{sy(fv):.1f}")
            elif runs[-1]:
                runs.append([])
        for run in runs:
            if len(run) == 1:
                x, y = run[0].split(",")
                parts.append(f'<circle cx="{x}" cy="{y}" r="1.5" fill="{color}"/>')
            elif run:
                parts.append(
                    f'<polyline fill="none" stroke="{color}" stroke-width="1.3" '
                    f'points="{" ".join(run)}"/>'
                )
        ly = T + 12 + 14 * k
        parts.append(f'<rect x="{W - R + 8}" y="{ly - 8}" width="10" height="3" fill="{color}"/>')
        parts.append(f'<text x="{W - R + 22}" y="{ly - 4}">{escape(name[:22])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(title: str, values: Mapping[str, float], *, pct: bool = False) -> str:
    """Horizontal bar chart, one bar per label (negative bars in red)."""
    items = [(k, float(v)) for k, v in values.items() if v is not None and math.isfinite(float(v))]
    h = max(80, T + 18 * len(items) + 20)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{h}" '
        f'viewBox="0 0 {W} {h}" font-family="DejaVu Sans, sans-serif" font-size="10">',
        f'<text x="8" y="16" font-size="12" font-weight="bold">{escape(title)}</text>',
    ]
    if not items:
        parts.append('<text x="8" y="50">no data</text></svg>')
        return "".join(parts)
    lo = min(0.0, *(v for _, v in items))
    hi = max(0.0, *(v for _, v in items))
    if hi == lo:
        hi = lo + 1.0
    left, width = 180, W - 180 - 90

    def sx(x: float) -> float:
        return left + (x - lo) / (hi - lo) * width

    for i, (k, v) in enumerate(items):
        y = T + 18 * i
        a, b = sorted((sx(0.0), sx(v)))
        color = "#1a7f37" if v >= 0 else "#cf222e"
        parts.append(f'<text x="{left - 6}" y="{y + 11}" text-anchor="end">{escape(k[:28])}</text>')
        parts.append(
            f'<rect x="{a:.1f}" y="{y + 2}" width="{max(b - a, 0.5):.1f}" '
            f'height="12" fill="{color}"/>'
        )
        label = f"{v * 100:.2f}%" if pct else _fmt(v, pct)
        parts.append(f'<text x="{max(a, b) + 4:.1f}" y="{y + 11}">{label}</text>')
    parts.append(
        f'<line x1="{sx(0.0):.1f}" x2="{sx(0.0):.1f}" y1="{T}" y2="{h - 16}" '
        'stroke="#57606a" stroke-width="0.8"/>'
    )
    parts.append("</svg>")
    return "".join(parts)
