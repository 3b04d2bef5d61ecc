"""Page 5 -- Data quality: last data date per strategy, rejected files with their errors,
and findings."""

from __future__ import annotations

import streamlit as st

from stratmon.dashboard import context as ctx
from stratmon.dashboard import data as dd
from stratmon.dashboard.formatting import formatters, styled

st.title("Data quality")
dq = ctx.load(dd.load_data_quality)
if dq.per_strategy.empty:
    st.info(ctx.NO_STRATEGIES)
    st.stop()
top = st.columns(4)
top[0].metric("Latest data date", str(dq.latest or "–"))
top[1].metric("Files accepted", f"{dq.file_counts.get('accepted', 0):,}")
top[2].metric("Files rejected", f"{dq.file_counts.get('rejected', 0):,}")
top[3].metric("Findings", f"{len(dq.findings):,}")
if dq.latest is None:
    st.info(
        "No data yet: run `stratmon ingest path/to/performance.csv` (or drop files into "
        "the inbox and run `stratmon run`)."
    )

st.subheader("Last data date per strategy")
st.dataframe(
    styled(
        dq.per_strategy,
        formatters(
            dates=["first_date", "last_data_date"],
            integer=["days_behind", "n_records", "n_findings"],
        ),
    ),
    hide_index=True,
    width="stretch",
    key="per_strategy",
)
st.caption(
    "days behind: calendar days between a strategy's last data date and the latest "
    "data date of any strategy."
)

st.subheader("Rejected files")
if dq.rejected.empty:
    st.success("No rejected file.")
else:
    st.dataframe(
        styled(dq.rejected, formatters(dates=["ingested_at"])),
        hide_index=True,
        width="stretch",
        key="rejected",
    )
    for r in dq.rejected.head(20).itertuples():
        with st.expander(f"{r.name}: error"):
            st.code(r.error or "", language=None)

st.subheader("Findings")
if dq.findings.empty:
    st.success("No data-quality finding.")
else:
    kinds = st.multiselect("Kind", sorted(dq.findings["kind"].unique()), key="f_kind")
    shown = dq.findings[dq.findings["kind"].isin(kinds)] if kinds else dq.findings
    st.dataframe(
        styled(shown, formatters(dates=["date", "created_at"])),
        hide_index=True,
        width="stretch",
        key="findings",
    )
