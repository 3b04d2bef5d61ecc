"""A cross-process run lock, so two daily jobs (or a job and an API ingest) never write at
once.

PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) on a dedicated
connection; a crashed holder's lock goes with its connection. SQLite: an exclusive ``flock``
on ``<database>.lock`` beside the file (SQLite databases are local files; the kernel drops the
lock with the process). In-memory databases: a process-wide lock. The lock is re-entrant per
thread: a holder may take it again (e.g. the service around ``DailyJob.run``, which takes it
itself).
"""

from __future__ import annotations

import fcntl
import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text

from stratmon.errors import StratmonError
from stratmon.store.db import Store

DEFAULT_NAME = "stratmon.writer"

_local = threading.local()
_memory_locks: dict[str, threading.Lock] = {}
_memory_guard = threading.Lock()


class RunLockTimeoutError(StratmonError):
    """Another writer held the run lock for longer than the wait allowed."""


def _held() -> set[str]:
    held: set[str] | None = getattr(_local, "held", None)
    if held is None:
        held = set()
        _local.held = held
    return held


def _lock_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def _give_up(name: str, timeout: float) -> RunLockTimeoutError:
    return RunLockTimeoutError(
        f"Another stratmon writer holds the run lock {name!r} (waited {timeout:g} s). "
        "Wait for the running evaluation or ingest to finish and try again."
    )


@contextmanager
def run_lock(
    store: Store, name: str = DEFAULT_NAME, *, timeout: float | None = None, poll: float = 0.05
) -> Iterator[None]:
    """Hold the store's run lock ``name`` for the ``with`` block.

    Parameters
    ----------
    store : Store
    name : str
        Lock name; writers that must not overlap use the same name.
    timeout : float, optional
        Seconds to wait; None waits for as long as it takes.
    poll : float
        Seconds between attempts.

    Raises
    ------
    RunLockTimeoutError
        The lock was not free within ``timeout`` seconds.
    """
    url = store.engine.url
    ident = f"{url.render_as_string(hide_password=True)}#{name}"
    held = _held()
    if ident in held:
        yield
        return
    deadline = None if timeout is None else time.monotonic() + timeout
    dialect = store.engine.dialect.name
    if dialect == "postgresql":
        key = _lock_key(name)
        conn = store.engine.connect()
        try:
            while not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar():
                conn.rollback()
                if deadline is not None and time.monotonic() > deadline:
                    raise _give_up(name, timeout or 0.0)
                time.sleep(poll)
            conn.commit()
            held.add(ident)
            try:
                yield
            finally:
                held.discard(ident)
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()
        finally:
            conn.close()
        return
    database = url.database if dialect == "sqlite" else None
    if database and database != ":memory:" and not database.startswith("file:"):
        path = Path(database).with_name(Path(database).name + ".lock")
        with open(path, "a+b") as fh:
            while True:
                try:
                    fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if deadline is not None and time.monotonic() > deadline:
                        raise _give_up(name, timeout or 0.0) from None
                    time.sleep(poll)
            held.add(ident)
            try:
                yield
            finally:
                held.discard(ident)
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        return
    with _memory_guard:
        lock = _memory_locks.setdefault(ident, threading.Lock())
    if not lock.acquire(timeout=-1 if timeout is None else timeout):
        raise _give_up(name, timeout or 0.0)
    held.add(ident)
    try:
        yield
    finally:
        held.discard(ident)
        lock.release()
