"""stratmon dashboard: the Streamlit entry script (``stratmon dashboard [WORKSPACE]``)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from stratmon.dashboard import context as ctx

st.set_page_config(page_title="stratmon", page_icon=":chart_with_upwards_trend:", layout="wide")

HERE = Path(__file__).parent / "pages"
pages = [
    st.Page(str(HERE / "portfolio.py"), title="Portfolio", default=True),
    st.Page(str(HERE / "health.py"), title="Strategy health"),
    st.Page(str(HERE / "strategy.py"), title="Strategy drill-down"),
    st.Page(str(HERE / "alerts.py"), title="Alerts"),
    st.Page(str(HERE / "data_quality.py"), title="Data quality"),
]
nav = st.navigation(pages)
ws = ctx.workspace()
st.sidebar.markdown(f"**stratmon** · `{ws.root.name}`")
ctx.auto_refresh(ctx.refresh_seconds(ws))
nav.run()
