"""Page 3 -- Strategy drill-down: the strategy's assessment (verdict, reasons, health
components, recommendation, changes) and its history, then equity vs the backtest cone,
underwater chart, rolling Sharpe, monthly returns, comparison, trades, positions and alert
history."""

from __future__ import annotations

import streamlit as st

from stratmon.dashboard import charts
from stratmon.dashboard import context as ctx
from stratmon.dashboard import data as dd
from stratmon.dashboard.formatting import (
    STATE_COLOURS,
    STATUS_COLOURS,
    field_markdown,
    formatters,
    md_escape,
    md_list,
    styled,
)
from stratmon.reports import assessment_view as av
from stratmon.reports import format as fmt

st.title("Strategy drill-down")
pf = ctx.load(dd.load_portfolio)
if pf.table.empty:
    st.info(ctx.NO_STRATEGIES)
    st.stop()
ids = list(pf.table["strategy_id"])
names = dict(zip(ids, pf.table["name"], strict=True))
wanted = st.query_params.get("strategy")
sid = st.selectbox(
    "Strategy",
    ids,
    index=ids.index(wanted) if wanted in ids else 0,
    format_func=lambda s: f"{s} — {names[s]}",
    key="strategy",
)
st.query_params["strategy"] = sid
detail = ctx.load(dd.load_strategy, sid)
if detail is None or not detail.dates:
    st.info(
        f"No data yet for {sid}: drop its daily performance file into the inbox and run "
        "`stratmon run`."
    )
    st.stop()

a = detail.assessment
ev = detail.evidence
st.caption(
    f"{detail.strategy.name} · live {detail.dates[0]} .. {detail.dates[-1]} "
    f"({len(detail.dates):,} days) · assessed {a.as_of if a else '–'}"
)
if a is None:
    st.info(ctx.NO_EVALUATION)
else:
    st.subheader(f"Verdict: {av.verdict_text(a)}")
    if a.verdict_since:
        st.caption(f"since {a.verdict_since}")
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
    firing = ", ".join(av.firing_text(a)) or "none"
    st.markdown(
        f"**Recommendation:** {md_escape(av.recommendation_text(a))}\n\n"
        f"**Firing alerts** (current severity): {md_escape(firing)}"
    )
    st.markdown(
        "**Changed since the previous session**\n\n"
        + (md_list(a.changes) if a.changes else "nothing")
    )
    st.dataframe(
        styled(dd.components_frame(a), formatters(percent=["weight"])),
        hide_index=True,
        width="stretch",
        key="components",
    )
    if not detail.history.empty:
        left, right = st.columns([3, 2])
        left.plotly_chart(charts.verdict_history_figure(detail.history), width="stretch")
        right.dataframe(
            styled(
                dd.verdict_changes(detail.history).drop(columns=["strategy_id"]),
                formatters(dates=["as_of"], score=["health", "recent_health"]),
            ),
            hide_index=True,
            width="stretch",
            key="verdict_changes",
        )
perf = st.columns(4)
perf[0].metric("Since deployment", fmt.pct(detail.growth[-1] - 1.0))
perf[1].metric("Current drawdown", fmt.pct(detail.drawdown[-1]))
if a is not None:
    perf[2].metric("PSR vs 0", fmt.pct(a.evidence.get("psr_vs_zero")))
    perf[3].metric("PSR vs backtest", fmt.pct(a.evidence.get("psr_vs_backtest")))

left, right = st.columns(2)
left.plotly_chart(
    charts.equity_cone_figure(
        detail.dates,
        detail.growth,
        detail.expected_growth,
        detail.cone,
        "Equity: live vs backtest cone",
    ),
    width="stretch",
)
right.plotly_chart(
    charts.underwater_figure(detail.dates, detail.drawdown, detail.drawdown_tiers),
    width="stretch",
)
left, right = st.columns(2)
left.plotly_chart(
    charts.rolling_sharpe_figure(detail.dates, detail.rolling, detail.rolling_backtest),
    width="stretch",
)
right.plotly_chart(charts.monthly_heatmap(detail.monthly), width="stretch")

st.subheader("Live vs backtest")
if detail.comparison.empty:
    st.info(ctx.NO_EVALUATION)
else:
    st.dataframe(
        styled(
            detail.comparison,
            formatters(ratio=["live", "backtest", "difference"], percent=["deviation"]),
            colour_by=("status", STATUS_COLOURS),
        ),
        hide_index=True,
        width="stretch",
        key="comparison",
    )
sig = ev.get("sharpe_test") or {}
welch = ev.get("welch") or {}
boot = (ev.get("bootstrap") or {}).get("sharpe_minus_backtest") or {}
decay = ev.get("decay") or {}
st.markdown(
    f"**Significance.** Sharpe z-test (Mertens variances): z {fmt.num(sig.get('z'))}, "
    f"p {fmt.num(sig.get('p_value'), 3)} · Welch t-test of mean returns: "
    f"t {fmt.num(welch.get('t'))}, p {fmt.num(welch.get('p_value'), 3)} · "
    f"Sharpe − backtest 95 % CI [{fmt.num(boot.get('lower'))}, {fmt.num(boot.get('upper'))}]"
    f" · MinTRL {fmt.num(ev.get('min_trl_vs_backtest'), 0)} sessions · decay CUSUM "
    f"{fmt.num(decay.get('statistic'))} / {fmt.num(decay.get('threshold'))}"
    f"{' (ALARM)' if decay.get('alarm') else ''}"
)

tabs = st.tabs(["Trades (round trips)", "Positions", "Alert history"])
with tabs[0]:
    if detail.trades.empty:
        st.info("No closed round trips yet.")
    else:
        st.dataframe(
            styled(
                detail.trades,
                formatters(
                    money=["pnl", "commission"],
                    ratio=["entry_price", "exit_price", "quantity"],
                    dates=["entry_time", "exit_time"],
                ),
            ),
            hide_index=True,
            width="stretch",
            key="trades",
        )
with tabs[1]:
    if detail.positions.empty:
        st.info("No position snapshot yet: drop a positions file into the inbox.")
    else:
        st.dataframe(
            styled(
                detail.positions,
                formatters(
                    money=["market_value", "unrealized_pnl"], ratio=["quantity"], dates=["date"]
                ),
            ),
            hide_index=True,
            width="stretch",
            key="positions",
        )
with tabs[2]:
    if detail.alerts.empty:
        st.info("No alert has ever been raised for this strategy.")
    else:
        st.dataframe(
            styled(
                detail.alerts.dropna(axis=1, how="all"),
                formatters(
                    dates=[
                        "started_at",
                        "fired_at",
                        "resolved_at",
                        "updated_at",
                        "acknowledged_at",
                    ],
                    ratio=["last_value", "threshold"],
                ),
                colour_by=("state", STATE_COLOURS),
            ),
            hide_index=True,
            width="stretch",
            key="strategy_alerts",
        )
        st.dataframe(detail.alert_events, hide_index=True, width="stretch", key="events")
