"""Page 2 -- Strategy health monitor: the latest assessment of every strategy, most urgent
first (verdict and action, reasons, health and its components beside the recent health, the
two status views, the recommendation with its size, firing alerts, changes), the book's
reallocation and the health history. Everything shown is the stored record."""

from __future__ import annotations

import streamlit as st

from stratmon.dashboard import charts
from stratmon.dashboard import context as ctx
from stratmon.dashboard import data as dd
from stratmon.dashboard.formatting import (
    VERDICT_COLOURS,
    field_markdown,
    formatters,
    md_escape,
    md_list,
    styled,
)
from stratmon.domain.assessment import Assessment
from stratmon.reports import assessment_view as av
from stratmon.reports import format as fmt

st.title("Strategy health monitor")
days = st.radio("History", [30, 90], index=1, horizontal=True, format_func=lambda d: f"{d} days")
hd = ctx.load(dd.load_health, int(days))
if hd.as_of is None or not hd.assessments:
    st.info(ctx.NO_EVALUATION)
    st.stop()
st.caption(
    f"Latest assessment: {hd.as_of} · most urgent first (act, investigate, watch, on track; "
    "lowest health first within a verdict)."
)

st.subheader("Verdicts")
st.dataframe(
    styled(
        hd.table,
        formatters(
            score=["health", "recent_health"],
            money=["current_capital", "suggested_capital", "change"],
            integer=["rank"],
        ),
        colour_by=("verdict", VERDICT_COLOURS),
    ),
    hide_index=True,
    width="stretch",
    key="health_table",
)
st.caption(
    "health: evidence that live behaves like the backtest, 0-100, over the whole live record; "
    "recent_health: the same score over the recent window only (shown, never used for the "
    "verdict). A component without data shows 'no data' and does not move the score."
)


def _components_markdown(a: Assessment) -> str:
    rows = ["| component | value | weight | p-value | test | reason |", "|---|---|---|---|---|---|"]
    for c in a.health_components:
        rows.append(
            f"| {md_escape(c.name.replace('_', ' '))} | {av.component_text(c.value)} | "
            f"{c.weight:.0%} | {fmt.num(c.p_value, 3)} | {md_escape(c.test)} | "
            f"{md_escape(c.reason)} |"
        )
    return "\n".join(rows)


def _card(rank: int, a: Assessment) -> None:
    name = hd.names.get(a.strategy_id, a.strategy_id)
    title = f"{rank}. {a.strategy_id} — {name}: {av.verdict_text(a)}"
    with st.expander(title, expanded=a.verdict in ("act", "investigate")):
        top = st.columns(4)
        top[0].metric("Health", fmt.score(a.health, a.health_trend))
        top[1].metric(f"Recent health ({a.status_recent.window})", fmt.score(a.recent_health))
        top[2].markdown(
            field_markdown(f"Status ({a.status.window})", a.status.status.replace("_", " "))
        )
        top[3].markdown(
            field_markdown(
                f"Status ({a.status_recent.window})", a.status_recent.status.replace("_", " ")
            )
        )
        st.markdown("**Why**\n\n" + md_list(a.reasons or ("no reason recorded",)))
        status_notes = [
            f"{w}: {r}"
            for w, r in (
                (a.status.window, a.status.reason),
                (a.status_recent.window, a.status_recent.reason),
            )
            if r
        ]
        if status_notes:
            st.caption("Status: " + md_escape(" · ".join(status_notes)))
        st.markdown(_components_markdown(a))
        rec = a.recommendation
        lines = [f"**Recommendation:** {md_escape(av.recommendation_text(a))}"]
        if rec.rule:
            lines.append(f"(rule: {md_escape(rec.rule)})")
        firing = av.firing_text(a)
        lines.append(
            "\n\n**Firing alerts** (current severity): "
            + (md_escape(", ".join(firing)) if firing else "none")
        )
        if a.decay_alarm:
            since = a.decay_alarm_date.isoformat() if a.decay_alarm_date else "a date not recorded"
            lines.append(f"\n\n**Decay alarm** since {since}.")
        st.markdown(" ".join(lines))
        st.markdown(
            "**Changed since the previous session**\n\n"
            + (md_list(a.changes) if a.changes else "nothing")
        )


st.subheader("Per strategy")
for k, a in enumerate(hd.assessments, start=1):
    _card(k, a)

st.subheader("Book reallocation")
book = hd.book
m = st.columns(4)
m[0].metric("Allocated now", fmt.money(book.current_total))
m[1].metric("Suggested", fmt.money(book.suggested_total))
m[2].metric("Moved between strategies", fmt.money(book.added))
m[3].metric("To unallocated (cash)", fmt.money(book.to_unallocated))
if book.table.empty:
    st.info("No strategy has allocated capital: register it with `stratmon strategies add`.")
else:
    st.dataframe(
        styled(book.table, formatters(money=["current_capital", "suggested_capital", "change"])),
        hide_index=True,
        width="stretch",
        key="book_table",
    )
st.caption(
    "The suggested changes are a reallocation within the allocated total: cuts "
    f"{fmt.money(book.removed)}, additions {fmt.money(book.added)}; what is cut and not "
    "re-allocated stays unallocated. Sizes come from each assessment's recommendation."
    + (
        f" No allocated capital (no size): {', '.join(book.without_capital)}."
        if book.without_capital
        else ""
    )
)

st.subheader("History")
left, right = st.columns(2)
left.plotly_chart(charts.health_history_figure(hd.history, hd.names), width="stretch")
right.plotly_chart(charts.components_figure(hd.assessments, dd.HEALTH_COMPONENTS), width="stretch")
