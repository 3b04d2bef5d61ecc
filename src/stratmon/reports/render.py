"""Render a :class:`Report` as one self-contained HTML file, a PDF (WeasyPrint, from the same
template), Markdown or JSON.

The PDF renderer's URL fetcher serves only ``data:`` and ``file:`` URLs, so rendering never
touches the network; HTML embeds its charts as ``data:`` SVG images.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from stratmon.errors import StratmonError
from stratmon.reports import format as fmt
from stratmon.reports.model import Report

FORMATS = ("html", "pdf", "md", "json")


def cell(value: Any, kind: str) -> str:
    """Human-facing text of one table value."""
    if value is None:
        return "–"
    if kind == "pct":
        return fmt.pct(value, 2)
    if kind == "money":
        return fmt.money(value)
    if kind == "int":
        return fmt.num(value, 0)
    if kind == "num":
        return fmt.num(value, 2)
    return str(value)


def _is_neg(value: Any, kind: str) -> bool:
    return kind in ("pct", "money", "num") and isinstance(value, (int, float)) and value < 0


def svg_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def template_env() -> Environment:
    """The Jinja environment of the report templates (``stratmon/reports/templates``)."""
    return Environment(
        loader=PackageLoader("stratmon.reports", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )


def to_html(report: Report) -> str:
    """The report as one self-contained HTML document (no external resource)."""
    return (
        template_env()
        .get_template("report.html.j2")
        .render(
            report=report,
            cell=cell,
            is_neg=_is_neg,
            svg_uri=svg_uri,
            generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        )
    )


def _jsonable(x: Any) -> Any:
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, (dt.date, dt.datetime)):
        return x.isoformat()
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if hasattr(x, "item"):  # numpy scalar
        return _jsonable(x.item())
    return x


def to_dict(report: Report) -> dict[str, Any]:
    """The machine form: raw values (fractions, currency), charts left out."""
    return _jsonable(
        {
            "kind": report.kind,
            "title": report.title,
            "as_of": report.as_of,
            "subtitle": report.subtitle,
            "sections": [
                {
                    "id": s.id,
                    "title": s.title,
                    "notes": s.notes,
                    "charts": [c.id for c in s.charts],
                    "tables": [
                        {
                            "id": t.id,
                            "caption": t.caption,
                            "columns": [dataclasses.asdict(c) for c in t.columns],
                            "rows": t.rows,
                        }
                        for t in s.tables
                    ],
                }
                for s in report.sections
            ],
        }
    )


def to_json(report: Report) -> str:
    return json.dumps(to_dict(report), indent=1, allow_nan=False)


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(report: Report) -> str:
    """GitHub-flavoured Markdown tables (charts left out)."""
    out = [f"# {report.title}", "", f"_{report.subtitle}_", ""]
    for s in report.sections:
        out += [f"## {s.title}", ""]
        out += [f"> {n}" for n in s.notes]
        if s.notes:
            out.append("")
        for t in s.tables:
            if t.caption:
                out += [f"*{_md_escape(t.caption)}*", ""]
            out.append("| " + " | ".join(_md_escape(c.label) for c in t.columns) + " |")
            out.append(
                "|" + "|".join(":--" if c.kind == "text" else "--:" for c in t.columns) + "|"
            )
            for row in t.rows:
                out.append(
                    "| "
                    + " | ".join(_md_escape(cell(row.get(c.key), c.kind)) for c in t.columns)
                    + " |"
                )
            if not t.rows:
                out.append("| none |" + " |" * (len(t.columns) - 1))
            out.append("")
    return "\n".join(out)


ALLOWED_URL_SCHEMES = frozenset({"data", "file"})


def safe_url_fetcher() -> Any:
    """A WeasyPrint URL fetcher that serves only ``data:`` and ``file:`` URLs.

    Any other URL (http, https, ftp ...) is refused before a connection is attempted, so a
    report never touches the network; the refused URLs are listed in its ``refused``.
    """
    from weasyprint.urls import URLFetcher

    class _Safe(URLFetcher):
        refused: list[str]

        def fetch(self, url: str, headers: Any = None) -> Any:
            scheme = url.split(":", 1)[0].lower() if ":" in url else ""
            if scheme not in ALLOWED_URL_SCHEMES:
                self.refused.append(url)
            return super().fetch(url, headers)

    fetcher = _Safe(allowed_protocols=set(ALLOWED_URL_SCHEMES), timeout=1)
    fetcher.refused = []
    return fetcher


def html_to_pdf(html: str, url_fetcher: Any = None) -> bytes:
    """Render HTML to PDF with WeasyPrint and the data:/file:-only URL fetcher."""
    from weasyprint import HTML

    pdf = HTML(string=html, url_fetcher=url_fetcher or safe_url_fetcher()).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def to_pdf(report: Report) -> bytes:
    """The report as PDF, rendered by WeasyPrint from the HTML template."""
    return html_to_pdf(to_html(report))


def write_report(report: Report, path: Path, fmt_: str) -> Path:
    """Write ``report`` to ``path`` in ``fmt_`` (html, pdf, md, json).

    Raises
    ------
    StratmonError
        For an unknown format.
    """
    if fmt_ not in FORMATS:
        raise StratmonError(f"Unknown report format {fmt_!r}; use one of {', '.join(FORMATS)}.")
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt_ == "pdf":
        path.write_bytes(to_pdf(report))
    elif fmt_ == "html":
        path.write_text(to_html(report), encoding="utf-8")
    elif fmt_ == "md":
        path.write_text(to_markdown(report), encoding="utf-8")
    else:
        path.write_text(to_json(report), encoding="utf-8")
    return path
