"""Page 2 -- Strategy health monitor: scores, components, history and rotation
recommendations."""

from __future__ import annotations

import streamlit as st

from stratmon.dashboard import charts
from stratmon.dashboard import context as ctx
from stratmon.dashboard import data as dd
from stratmon.dashboard.formatting import ACTION_COLOURS, formatters, styled

st.title("Strategy health monitor")
days = st.radio("History", [30, 90], index=1, horizontal=True, format_func=lambda d: f"{d} days")
hd = ctx.load(dd.load_health, int(days))
if hd.as_of is None or hd.table.empty:
    st.info(ctx.NO_EVALUATION)
    st.stop()
st.caption(f"Latest evaluation: {hd.as_of}")
names = dict(zip(hd.table["strategy_id"], hd.table["name"], strict=True))

st.subheader("Rotation recommendations")
recs = dd.recommendations_frame(hd.recommendations, names)
st.dataframe(
    styled(recs, formatters(score=["score"]), colour_by=("recommendation", ACTION_COLOURS)),
    hide_index=True,
    width="stretch",
    key="recommendations",
)
with st.expander("How recommendations are made"):
    from stratmon.dashboard import rotation

    st.markdown(rotation.__doc__ or "")

st.subheader("Health scores")
st.dataframe(
    styled(hd.table, formatters(score=["score", *dd.HEALTH_COMPONENTS])),
    hide_index=True,
    width="stretch",
    key="health_table",
)
left, right = st.columns(2)
left.plotly_chart(charts.health_history_figure(hd.history, names), width="stretch")
right.plotly_chart(charts.components_figure(hd.table, dd.HEALTH_COMPONENTS), width="stretch")
