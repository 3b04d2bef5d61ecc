"""Streamlit plumbing shared by the pages: the workspace, the store, cached page data,
the auto-refresh interval, empty states and the alert actions."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from types import ModuleType
from typing import Any, TypeVar

import streamlit as st

from stratmon.config import Workspace, find_workspace
from stratmon.dashboard import REFRESH_ENV
from stratmon.errors import StratmonError
from stratmon.store import Store, open_store
from stratmon.store import queries_dashboard as qd

DEFAULT_REFRESH_SECONDS = 60
CACHE_SECONDS = 30  # also bounds how late a change the stamp does not see appears
T = TypeVar("T")

NO_STRATEGIES = (
    "No strategies yet: register them with `stratmon strategies add --id ... --name ...` "
    "or `stratmon strategies import strategies.csv`."
)
NO_EVALUATION = (
    "No data yet: drop daily performance files into the inbox and run "
    "`stratmon ingest` then `stratmon run` (or just `stratmon run`)."
)


def refresh_seconds(ws: Workspace | None = None) -> int:
    """Auto-refresh interval in seconds (0 = off): ``$STRATMON_DASHBOARD_REFRESH``, else
    ``[dashboard] refresh_seconds`` of ``stratmon.toml`` when present, else 60."""
    raw = os.environ.get(REFRESH_ENV)
    if raw is None and ws is not None:
        raw = (ws.config.get("dashboard") or {}).get("refresh_seconds")
    if raw is None:
        return DEFAULT_REFRESH_SECONDS
    try:
        return max(0, int(float(raw)))
    except ValueError:
        return DEFAULT_REFRESH_SECONDS


def workspace() -> Workspace:
    """The workspace (``$STRATMON_WORKSPACE``, set by ``stratmon dashboard``); stops the page
    with the error when there is none."""
    try:
        return find_workspace()
    except StratmonError as err:
        st.error(str(err))
        st.stop()
        raise  # unreachable: st.stop() raises


@st.cache_resource(show_spinner=False)
def _store(url: str) -> Store:
    return open_store(url)


def store() -> Store:
    """The workspace's store (opened once per server process)."""
    return _store(workspace().database_url)


def stamp() -> tuple[Any, ...]:
    """The data fingerprint (changes when the store changes)."""
    with store().read() as conn:
        return qd.data_stamp(conn)


@st.cache_data(show_spinner=False, max_entries=64, ttl=CACHE_SECONDS)
def _cached(url: str, data_stamp: tuple[Any, ...], name: str, args: tuple[Any, ...]) -> Any:
    from stratmon.dashboard import data

    loader = getattr(data, name)
    with _store(url).read() as conn:
        return loader(conn, *args)


def load(loader: Callable[..., T], *args: Any) -> T:
    """Run a loader of :mod:`stratmon.dashboard.data`, cached until the data changes."""
    result: T = _cached(workspace().database_url, stamp(), loader.__name__, args)
    return result


def clear_cache() -> None:
    _cached.clear()


def alert_actions() -> ModuleType | None:
    """``stratmon.alerts.actions`` (acknowledge / resolve, the same code as the CLI), or None
    while it is not installed."""
    try:
        return importlib.import_module("stratmon.alerts.actions")
    except ImportError:
        return None


def auto_refresh(seconds: int) -> None:
    """Re-run the app when the store changes, checking every ``seconds`` (0 = never)."""
    if seconds <= 0:
        st.sidebar.caption("Auto-refresh off.")
        return
    st.sidebar.caption(f"Auto-refresh: checks for new data every {seconds} s.")

    @st.fragment(run_every=seconds)
    def _watch() -> None:
        now = stamp()
        before = st.session_state.get("_stratmon_stamp")
        st.session_state["_stratmon_stamp"] = now
        if before is not None and before != now:
            st.rerun(scope="app")

    _watch()
