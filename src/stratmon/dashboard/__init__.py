"""The Streamlit dashboard (``stratmon dashboard``): portfolio, health monitor, strategy
drill-down, alerts and data quality. It reads the store only through named query functions
(``stratmon.store.queries``, ``stratmon.store.queries_dashboard`` and, for every
judgement shown, the stored assessments of ``stratmon.store.assessments``).

The pure parts (period selection, formatting, figures, page data) are plain
modules; the Streamlit scripts are ``app.py`` and ``pages/*.py``.
"""

from pathlib import Path

APP_PATH = Path(__file__).with_name("app.py")
REFRESH_ENV = "STRATMON_DASHBOARD_REFRESH"

__all__ = ["APP_PATH", "REFRESH_ENV"]
