"""Page 3 -- Strategy drill-down: equity vs the backtest cone, underwater chart, rolling
Sharpe, monthly returns, comparison, trades, positions and alert history."""

from __future__ import annotations

import streamlit as st

from stratmon.dashboard import charts
from stratmon.dashboard import context as ctx
from stratmon.dashboard import data as dd
from stratmon.dashboard.formatting import STATE_COLOURS, STATUS_COLOURS, formatters, styled
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

h = detail.health
ev = detail.evidence
top = st.columns(5)
top[0].metric("Health", fmt.score(h.get("score"), h.get("trend")))
top[1].metric("Since deployment", fmt.pct(detail.growth[-1] - 1.0))
top[2].metric("Current drawdown", fmt.pct(detail.drawdown[-1]))
top[3].metric("PSR vs 0", fmt.pct(ev.get("psr_vs_zero")))
top[4].metric("PSR vs backtest", fmt.pct(ev.get("psr_vs_backtest")))
st.caption(
    f"{detail.strategy.name} · live {detail.dates[0]} .. {detail.dates[-1]} "
    f"({len(detail.dates):,} days) · evaluated {detail.as_of or '–'}"
)

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
            formatters(ratio=["live", "backtest"], percent=["deviation"]),
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
