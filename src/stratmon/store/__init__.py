"""The store: the only package that speaks SQL (SQLAlchemy 2.x, Alembic migrations)."""

from stratmon.store.db import Store, open_store

__all__ = ["Store", "open_store"]
