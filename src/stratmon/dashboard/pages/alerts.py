"""Page 4 -- Alerts: firing / pending / acknowledged / resolved, filters, and acknowledge /
resolve through ``stratmon.alerts.actions`` (the same code as the CLI)."""

from __future__ import annotations

import streamlit as st

from stratmon.dashboard import context as ctx
from stratmon.dashboard import data as dd
from stratmon.dashboard.formatting import STATE_COLOURS, formatters, styled
from stratmon.errors import StratmonError

st.title("Alerts")
alerts = ctx.load(dd.load_alerts)
if alerts.empty:
    st.info(
        "No alerts yet. Alerts appear here once `stratmon run` has evaluated strategies "
        "and a rule has been true."
    )
    st.stop()
counts = alerts["state"].value_counts()
top = st.columns(len(dd.DISPLAY_STATES))
for col, state in zip(top, dd.DISPLAY_STATES, strict=True):
    col.metric(state.capitalize(), f"{int(counts.get(state, 0)):,}")

f = st.columns(4)
states = f[0].multiselect(
    "State", list(dd.DISPLAY_STATES), default=["firing", "pending", "acknowledged"], key="f_state"
)
strategies = f[1].multiselect("Strategy", sorted(alerts["strategy_id"].unique()), key="f_sid")
rules = f[2].multiselect("Rule", sorted(alerts["rule"].unique()), key="f_rule")
severities = f[3].multiselect(
    "Severity (current)", sorted(alerts["severity"].dropna().unique()), key="f_severity"
)
shown = dd.filter_table(
    dd.filter_alerts(alerts, states, strategies, rules), {"severity": severities}
)
st.dataframe(
    styled(
        shown.dropna(axis=1, how="all"),
        formatters(
            dates=["started_at", "fired_at", "resolved_at", "updated_at", "acknowledged_at"],
            ratio=["last_value", "threshold"],
        ),
        colour_by=("state", STATE_COLOURS),
    ),
    hide_index=True,
    width="stretch",
    key="alerts_table",
)
st.caption(f"{len(shown):,} of {len(alerts):,} alerts shown.")

st.subheader("Acknowledge or resolve")
actions = ctx.alert_actions()
if actions is None:
    st.warning(
        "Alert actions are not available yet in this version of stratmon "
        "(`stratmon.alerts.actions` is missing)."
    )
    st.stop()
open_alerts = alerts[alerts["state"].isin(["firing", "pending", "acknowledged"])]
if open_alerts.empty:
    st.info("No open alert to act on.")
    st.stop()
labels = {
    int(i): f"#{i} {sid} {rule}/{tier} ({state})"
    for i, sid, rule, tier, state in zip(
        open_alerts["id"],
        open_alerts["strategy_id"],
        open_alerts["rule"],
        open_alerts["tier"],
        open_alerts["state"],
        strict=True,
    )
}
with st.form("alert_action"):
    alert_id = st.selectbox("Alert", list(labels), format_func=labels.__getitem__, key="a_id")
    by = st.text_input("Your name", key="a_by")
    note = st.text_input("Note", key="a_note")
    c1, c2 = st.columns(2)
    ack = c1.form_submit_button("Acknowledge")
    res = c2.form_submit_button("Resolve")
if ack or res:
    if not by.strip():
        st.error("Say who you are (Your name) before acting on an alert.")
    else:
        try:
            fn = actions.acknowledge if ack else actions.resolve
            fn(ctx.store(), int(alert_id), by.strip(), note.strip())
        except StratmonError as err:
            st.error(str(err))
        else:
            ctx.clear_cache()
            st.session_state["_alert_done"] = (
                f"Alert #{alert_id} {'acknowledged' if ack else 'resolved'} by {by.strip()}."
            )
            st.rerun()
if st.session_state.get("_alert_done"):
    st.success(st.session_state.pop("_alert_done"))
