"""Page 1 -- Portfolio: what changed since the previous session, then every strategy in one
sortable table (verdict, health, status: the stored assessments), filters, totals and the
aggregate equity curve."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from stratmon.dashboard import charts
from stratmon.dashboard import context as ctx
from stratmon.dashboard import data as dd
from stratmon.dashboard.formatting import VERDICT_COLOURS, formatters, md_list, styled
from stratmon.dashboard.periods import aggregate_nav, period_returns
from stratmon.reports import format as fmt

st.title("Portfolio")
pf = ctx.load(dd.load_portfolio)
if pf.table.empty:
    st.info(ctx.NO_STRATEGIES)
    st.stop()
if pf.as_of is None:
    st.info(ctx.NO_EVALUATION)
st.caption(f"Latest assessment: {pf.as_of or '–'}")

if pf.changes:
    st.subheader("What changed since the previous session")
    st.markdown(md_list(pf.changes))

cols = st.columns(len(dd.FILTER_FIELDS))
selected = {}
for col, field in zip(cols, dd.FILTER_FIELDS, strict=True):
    options = sorted(v for v in pf.table[field].unique() if v)
    selected[field] = col.multiselect(field.replace("_", " "), options, key=f"filter_{field}")
table = dd.filter_table(pf.table, selected)

agg = aggregate_nav({sid: pf.series[sid] for sid in table["strategy_id"]})
metrics = st.columns(6)
metrics[0].metric("Strategies", f"{len(table):,}")
if not agg.empty and pf.as_of is not None:
    pr = period_returns(
        list(pd.DatetimeIndex(agg.index).date),
        agg["nav"].to_numpy(),
        agg["cash_flow"].to_numpy(),
        pf.as_of,
    )
    metrics[1].metric("Total NAV", f"{agg['nav'].iloc[-1] / 1e6:,.1f} M")
    metrics[2].metric("Today", fmt.pct(pr.today, 2))
    metrics[3].metric("Month to date", fmt.pct(pr.month_to_date))
    metrics[4].metric("Year to date", fmt.pct(pr.year_to_date))
metrics[5].metric("Firing alerts", f"{int(table['n_firing'].sum()):,}")

shown = table.drop(columns=["n_firing"])
st.dataframe(
    styled(
        shown,
        formatters(
            percent=[
                "return_today",
                "return_mtd",
                "return_ytd",
                "return_since_deployment",
                "current_drawdown",
            ],
            money=["nav"],
            ratio=["live_sharpe", "backtest_sharpe"],
            score=["health", "recent_health"],
        ),
        colour_by=("verdict", VERDICT_COLOURS),
    ),
    hide_index=True,
    width="stretch",
    key="portfolio_table",
)
st.caption(
    "Verdict, health (recent: the last 30 sessions only) and the two status views are the "
    "daily job's assessment; the Strategy health page has the reasons. Returns are "
    "time-weighted (cash flows removed); 'since deployment' compounds the whole live record. "
    "Click a column header to sort."
)
if not agg.empty:
    st.plotly_chart(charts.aggregate_figure(agg), width="stretch")
    st.caption(
        "Aggregate: sum of the selected strategies' NAVs; a strategy that did not report on a "
        "date counts at its last reported NAV; a new strategy's first NAV counts as capital "
        "added, not as a gain."
    )
