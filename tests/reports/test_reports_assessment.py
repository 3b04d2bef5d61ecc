"""The reports render the stored assessment: verdict, reasons, change lines, the two status
windows and the recommendation with sizes appear in JSON, Markdown and HTML exactly as the
hand-made records of ``reports_assessments.py`` say; nothing is judged by the reports."""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reports_assessments import (
    ALARM,
    BOOK_CHANGE,
    CHANGE_ALPHA,
    CHANGE_BETA,
    DAY,
    DAYS,
    OLD_REASON,
    PREVIOUS,
    REASON_ALPHA,
    REASON_ALPHA_2,
    REASON_BETA,
    REASON_GAMMA,
    TEST_PERFORMANCE,
    AssessedWorkspace,
    build_assessed_workspace,
    last_day_assessments,
)

from stratmon.changes import quiet_line
from stratmon.domain import Strategy
from stratmon.domain.assessment import (
    VERDICT_RANK,
    VERDICTS,
    Action,
    Assessment,
    Recommendation,
    StatusView,
)
from stratmon.errors import StratmonError
from stratmon.reports import adhoc, periodic
from stratmon.reports.build import write_daily_report
from stratmon.reports.data import ReportData, load_report_data
from stratmon.reports.judgement import (
    NO_ASSESSMENT,
    book_rows,
    recommendation_rows,
    status_table,
)
from stratmon.reports.render import to_json, to_markdown


@pytest.fixture(scope="module")
def aws(tmp_path_factory: pytest.TempPathFactory) -> AssessedWorkspace:
    return build_assessed_workspace(tmp_path_factory.mktemp("assessed"))


@pytest.fixture(scope="module")
def quiet(tmp_path_factory: pytest.TempPathFactory) -> AssessedWorkspace:
    return build_assessed_workspace(tmp_path_factory.mktemp("quiet"), quiet=True)


def _section(doc: dict[str, Any], sid: str) -> dict[str, Any]:
    for s in doc["sections"]:
        if s["id"] == sid:
            section: dict[str, Any] = s
            return section
    raise KeyError(sid)


def _table(doc: dict[str, Any], section: str, table: str) -> list[dict[str, Any]]:
    for t in _section(doc, section)["tables"]:
        if t["id"] == table:
            rows: list[dict[str, Any]] = t["rows"]
            return rows
    raise KeyError((section, table))


def _columns(doc: dict[str, Any], section: str, table: str) -> list[str]:
    for t in _section(doc, section)["tables"]:
        if t["id"] == table:
            return [c["label"] for c in t["columns"]]
    raise KeyError((section, table))


# -- the daily report (`stratmon report daily`) ------------------------------------------------


def test_daily_report_opens_with_the_changes_then_the_status_table(aws: AssessedWorkspace) -> None:
    with aws.store.read() as conn:
        doc = json.loads(to_json(periodic.build_daily(conn)))
    assert doc["as_of"] == DAY.isoformat()
    assert [s["id"] for s in doc["sections"]][:2] == ["changes", "status"]
    changes = _section(doc, "changes")
    assert changes["title"] == "What changed since the previous session"
    # book line first, then the most urgent strategy's (alpha: act) before beta's
    assert changes["notes"][:3] == [BOOK_CHANGE, f"alpha: {CHANGE_ALPHA}", f"beta: {CHANGE_BETA}"]
    assert any("delta" in n and NO_ASSESSMENT in n for n in changes["notes"][3:])
    rows = _table(doc, "status", "status")
    assert [r["strategy_id"] for r in rows] == ["alpha", "beta", "gamma", "delta"]
    alpha, beta, gamma, delta = rows
    assert (alpha["verdict"], alpha["action"], alpha["verdict_text"]) == (
        "act",
        "reduce",
        "act: reduce",
    )
    assert (alpha["health"], alpha["recent_health"]) == (18.0, 12.0)
    assert alpha["reasons"] == [REASON_ALPHA, REASON_ALPHA_2]
    assert (alpha["current_capital"], alpha["suggested_capital"], alpha["change"]) == (
        2_000_000.0,
        1_000_000.0,
        -1_000_000.0,
    )
    assert alpha["decay_alarm"] is True and alpha["decay_alarm_date"] == ALARM.isoformat()
    # current severity, worst first
    assert alpha["firing_text"] == "decay/critical, drawdown/warning"
    assert {(f["rule"], f["severity"]) for f in alpha["firing_alerts"]} == {
        ("decay", "critical"),
        ("drawdown", "warning"),
    }
    # the two windows disagree for beta: two labelled columns, each naming its window
    assert beta["status_text"] == "underperforming (live to date)"
    assert beta["status_recent_text"] == "on track (30 sessions)"
    assert "Status, live to date" in _columns(doc, "status", "status")
    assert "Status, 30 sessions" in _columns(doc, "status", "status")
    assert gamma["verdict_text"] == "on track: increase"
    assert gamma["recommendation_text"] == "increase 3,000,000 -> 3,400,000 (+400,000)"
    assert gamma["firing_text"] == "none"
    # the unassessed strategy is shown as such, never judged
    assert delta["verdict"] is None and delta["verdict_text"] == NO_ASSESSMENT
    assert OLD_REASON not in json.dumps(doc)


def test_daily_report_markdown_carries_the_records_words(aws: AssessedWorkspace) -> None:
    with aws.store.read() as conn:
        md = to_markdown(periodic.build_daily(conn))
    assert md.index("## What changed since the previous session") < md.index(
        "## Verdicts and status"
    )
    line = next(x for x in md.splitlines() if x.startswith("| Beta carry |") and "investigate" in x)
    assert "underperforming (live to date)" in line and "on track (30 sessions)" in line
    assert "maintain 1,500,000 -> 1,500,000 (0)" in line and REASON_BETA in line
    line = next(x for x in md.splitlines() if x.startswith("| Alpha trend |") and "act" in x)
    assert "reduce 2,000,000 -> 1,000,000 (-1,000,000)" in line
    assert f"alpha: {CHANGE_ALPHA}" in md and REASON_GAMMA in md
    assert OLD_REASON not in md


def test_daily_report_of_the_previous_session_reads_that_sessions_records(
    aws: AssessedWorkspace,
) -> None:
    with aws.store.read() as conn:
        doc = json.loads(to_json(periodic.build_daily(conn, PREVIOUS)))
    rows = _table(doc, "status", "status")
    assert doc["as_of"] == PREVIOUS.isoformat()
    assert {r["strategy_id"]: r["verdict"] for r in rows if r["verdict"]} == dict.fromkeys(
        ("alpha", "beta", "gamma"), "on_track"
    )
    assert all(r["reasons"] == [OLD_REASON] for r in rows if r["verdict"])
    # no change lines that day: one quiet line for the three assessed strategies
    assert _section(doc, "changes")["notes"][0] == quiet_line(3)


def test_a_quiet_day_says_so_in_one_line(quiet: AssessedWorkspace) -> None:
    with quiet.store.read() as conn:
        doc = json.loads(to_json(periodic.build_daily(conn)))
    notes = _section(doc, "changes")["notes"]
    assert notes[0] == quiet_line(3)
    assert len([n for n in notes if NO_ASSESSMENT not in n]) == 1


def test_nothing_assessed_or_evaluated_before_a_date_is_an_error(aws: AssessedWorkspace) -> None:
    with aws.store.read() as conn, pytest.raises(StratmonError, match="stratmon run"):
        load_report_data(conn, DAYS[0] - dt.timedelta(days=1))


def test_utilisation_from_the_metrics_engine(aws: AssessedWorkspace) -> None:
    # the fixture's gross exposure is 80 % of NAV every day
    with aws.store.read() as conn:
        doc = json.loads(to_json(periodic.build_daily(conn)))
    util = {r["strategy_id"]: r for r in _table(doc, "nav", "utilisation")}
    for sid in ("alpha", "beta", "gamma", "delta"):
        assert util[sid]["utilisation"] == pytest.approx(0.8, abs=1e-12)
        assert util[sid]["average_utilisation"] == pytest.approx(0.8, abs=1e-12)


# -- run_<date>.html (the daily job's report) --------------------------------------------------


class _Cells(HTMLParser):
    """h2 texts, list items of the changes list, and status-table rows as cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.h2: list[str] = []
        self.changes: list[str] = []
        self.rows: dict[str, list[str]] = {}
        self._stack: list[str] = []
        self._in_changes = False
        self._row: str | None = None
        self._buf: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "ul" and a.get("class") == "changes":
            self._in_changes = True
        sid = a.get("data-strategy")
        if tag == "tr" and sid:
            self._row = sid
            self.rows[sid] = []
        if tag in ("h2", "li", "td"):
            self._buf = []
        self._stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        text = " ".join("".join(self._buf).split())
        if tag == "h2":
            self.h2.append(text)
        elif tag == "li" and self._in_changes:
            self.changes.append(text)
        elif tag == "td" and self._row is not None:
            self.rows[self._row].append(text)
        elif tag == "ul":
            self._in_changes = False
        elif tag == "tr":
            self._row = None
        if self._stack:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        self._buf.append(data)


def test_run_report_is_headed_by_the_changes_and_renders_the_records(
    aws: AssessedWorkspace,
) -> None:
    path = write_daily_report(aws.ws, aws.store)
    assert path.name == f"run_{DAY.isoformat()}.html"
    html = path.read_text(encoding="utf-8")
    p = _Cells()
    p.feed(html)
    assert p.h2[:2] == ["What changed since the previous session", "Verdicts and status"]
    assert p.changes == [BOOK_CHANGE, f"alpha: {CHANGE_ALPHA}", f"beta: {CHANGE_BETA}"]
    assert list(p.rows) == ["alpha", "beta", "gamma"]
    alpha = p.rows["alpha"]
    assert alpha[1:] == [
        "act: reduce",
        "18 ↓",
        "12",
        "underperforming (live to date)",
        "underperforming (30 sessions)",
        "reduce 2,000,000 -> 1,000,000 (-1,000,000)",
        "decay/critical, drawdown/warning",
        f"{REASON_ALPHA}; {REASON_ALPHA_2}",
    ]
    assert p.rows["beta"][4:6] == ["underperforming (live to date)", "on track (30 sessions)"]
    assert p.rows["gamma"][6] == "increase 3,000,000 -> 3,400,000 (+400,000)"
    assert "delta: no assessment stored" in html
    # the cards: reasons as list items, the component without data says so, the test named
    assert f"<li>{REASON_BETA}</li>" in html
    assert re.search(r"<td>trade frequency</td><td>no data</td>", html)
    assert TEST_PERFORMANCE in html
    assert f"decay alarm since {ALARM.isoformat()}" in html
    assert OLD_REASON not in html


# -- the monthly report: recommendations with sizes and the book view --------------------------


def test_monthly_report_recommendations_with_sizes_and_the_book(aws: AssessedWorkspace) -> None:
    with aws.store.read() as conn:
        rep = periodic.build_monthly(conn)
    doc = json.loads(to_json(rep))
    recs = _table(doc, "recommendations", "recommendations")
    got = [
        (r["rank"], r["strategy_id"], r["action"], r["current_capital"], r["suggested_capital"])
        for r in recs
    ]
    assert got == [
        (1, "alpha", "reduce", 2_000_000.0, 1_000_000.0),
        (2, "beta", "maintain", 1_500_000.0, 1_500_000.0),
        (3, "gamma", "increase", 3_000_000.0, 3_400_000.0),
    ]
    assert [r["change"] for r in recs] == [-1_000_000.0, 0.0, 400_000.0]
    book = {r["key"]: r["value"] for r in _table(doc, "recommendations", "book")}
    assert book == {
        "current_capital": 6_500_000.0,
        "suggested_capital": 5_900_000.0,
        "released": 1_000_000.0,
        "reassigned": 400_000.0,
        "net_change": -600_000.0,
        "unallocated": 600_000.0,
    }
    notes = _section(doc, "recommendations")["notes"]
    assert notes[0] == (
        "The suggested changes are a reallocation within the book's 6,500,000: 1,000,000 "
        "released, 400,000 reassigned, 600,000 left unallocated."
    )
    md = to_markdown(rep)
    assert (
        "| 3 | Gamma value | on track: increase | increase | 82 → | 3,000,000 | 3,400,000 |" in md
    )


# -- the ad hoc strategy report ---------------------------------------------------------------


def test_strategy_report_overview_is_the_record(aws: AssessedWorkspace) -> None:
    with aws.store.read() as conn:
        doc = json.loads(to_json(adhoc.build_strategy(conn, "alpha")))
        missing = json.loads(to_json(adhoc.build_strategy(conn, "delta")))
    (row,) = _table(doc, "overview", "assessment")
    assert (row["verdict"], row["health"], row["suggested_capital"]) == ("act", 18.0, 1e6)
    comps = {c["component"]: c for c in _table(doc, "overview", "health_components")}
    assert comps["trade_frequency"]["value"] is None
    assert comps["trade_frequency"]["value_text"] == "no data"
    assert comps["performance"]["value"] == 10.0 and comps["performance"]["weight"] == 0.4
    assert comps["performance"]["test"] == TEST_PERFORMANCE
    evidence = {e["figure"]: e for e in _table(doc, "overview", "evidence")}
    assert evidence["current_drawdown"]["value"] == -0.15
    assert evidence["current_drawdown"]["display"] == "-15.00 %"
    assert "status_states" not in evidence
    notes = _section(doc, "overview")["notes"]
    assert f"Why: {REASON_ALPHA}" in notes and f"Changed: {CHANGE_ALPHA}" in notes
    stats = {r["statistic"]: r["value"] for r in _table(doc, "backtest", "statistics")}
    assert stats["Decay alarm (assessment)"] == f"alarm since {ALARM.isoformat()}"
    assert [t["id"] for t in _section(missing, "overview")["tables"]] == []
    assert _section(missing, "overview")["notes"] == [f"{NO_ASSESSMENT} for Delta new."]


# -- pure properties of the rendering -------------------------------------------------------


def _data(assessments: list[Assessment], extra: list[str]) -> ReportData:
    ids = [a.strategy_id for a in assessments] + extra
    return ReportData(
        as_of=DAY,
        strategies=[Strategy(s, s.upper()) for s in ids],
        series={},
        returns={},
        results={},
        statistics={},
        assessments={a.strategy_id: a for a in assessments},
    )


_money = st.one_of(st.none(), st.integers(0, 10_000_000).map(float))


@st.composite
def _assessments(draw: st.DrawFn) -> list[Assessment]:
    n = draw(st.integers(0, 6))
    template = last_day_assessments()[1]
    out = []
    for i in range(n):
        verdict = draw(st.sampled_from(VERDICTS))
        action: Action = "reduce" if verdict == "act" else "maintain"
        out.append(
            Assessment(
                strategy_id=f"s{i}",
                as_of=DAY,
                verdict=verdict,
                action=action,
                health=draw(st.one_of(st.none(), st.floats(0, 100))),
                health_trend="stable",
                health_components=template.health_components,
                recent_health=None,
                status=StatusView("live to date", "on_track"),
                status_recent=StatusView("30 sessions", "on_track"),
                reasons=(f"reason {i}",),
                recommendation=Recommendation(action, draw(_money), draw(_money)),
            )
        )
    return out


@settings(max_examples=60, deadline=None)
@given(_assessments(), st.integers(0, 2))
def test_status_rows_most_urgent_first_and_the_book_adds_up(
    assessments: list[Assessment], n_missing: int
) -> None:
    extra = [f"x{i}" for i in range(n_missing)]
    data = _data(assessments, extra)
    rows = status_table(data).rows
    assessed = [r for r in rows if r["verdict"] is not None]
    ranks = [VERDICT_RANK[r["verdict"]] for r in assessed]
    assert ranks == sorted(ranks, reverse=True)
    # every record appears once, in its own words; the unassessed come last, unjudged
    assert [r["strategy_id"] for r in rows[len(assessed) :]] == extra
    assert sorted(r["strategy_id"] for r in assessed) == sorted(a.strategy_id for a in assessments)
    for r in assessed:
        assert r["reasons"] == [f"reason {r['strategy_id'][1:]}"]
    recs = recommendation_rows(data)
    book, _ = book_rows(recs)
    b = {x["key"]: x["value"] for x in book}
    sized = [a.recommendation for a in assessments if a.recommendation.change is not None]
    assert b["current_capital"] == pytest.approx(sum(r.current_capital or 0 for r in sized))
    assert b["suggested_capital"] == pytest.approx(sum(r.suggested_capital or 0 for r in sized))
    assert b["released"] - b["reassigned"] == pytest.approx(b["unallocated"], abs=1e-6)
    assert b["net_change"] == pytest.approx(-b["unallocated"], abs=1e-6)


def test_book_periods_per_year_is_the_strategies_or_the_largest() -> None:
    data = _data([], ["a", "b"])
    assert data.periods_per_year == 252
    data.strategies = [
        Strategy("a", "A", periods_per_year=252),
        Strategy("b", "B", periods_per_year=365),
    ]
    del data.__dict__["periods_per_year"]  # cached_property: recompute for the new book
    assert data.periods_per_year == 365
