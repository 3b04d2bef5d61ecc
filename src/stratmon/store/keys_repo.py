"""API keys: create (the key is returned once), list, revoke, and look up by presented key.

A key reads ``smk_<key_id>_<secret>``. The store keeps ``key_id`` and the SHA-256 of the whole
key; the secret has 256 bits of entropy, so a fast hash is enough (no password stretching is
needed for random keys, as for GitHub's or Stripe's tokens).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from stratmon.store.models_service import ApiKeyRow

ROLES = ("viewer", "operator", "admin")
PREFIX = "smk"


@dataclass(frozen=True)
class ApiKey:
    """A stored key (never the secret)."""

    id: int
    key_id: str
    name: str
    role: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _row(r: Any) -> ApiKey:
    return ApiKey(r.id, r.key_id, r.name, r.role, r.created_at, r.revoked_at)


def create_key(conn: Connection, name: str, role: str, now: dt.datetime) -> tuple[ApiKey, str]:
    """Store a new key; returns the stored record and the full key (shown once).

    Raises
    ------
    ValueError
        Unknown role or empty name.
    """
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if not name.strip():
        raise ValueError("a key needs a non-empty --name")
    key_id = secrets.token_hex(6)
    key = f"{PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
    new_id = conn.execute(
        insert(ApiKeyRow).values(
            key_id=key_id,
            key_hash=_hash(key),
            name=name.strip(),
            role=role,
            created_at=now,
            revoked_at=None,
        )
    ).inserted_primary_key
    assert new_id is not None
    return ApiKey(int(new_id[0]), key_id, name.strip(), role, now, None), key


def list_keys(conn: Connection) -> list[ApiKey]:
    t = ApiKeyRow.__table__
    return [_row(r) for r in conn.execute(select(t).order_by(t.c.id))]


def revoke_key(conn: Connection, ident: str, now: dt.datetime) -> int:
    """Revoke active keys whose key_id or name is ``ident``; returns how many."""
    t = ApiKeyRow.__table__
    res = conn.execute(
        update(ApiKeyRow)
        .where((t.c.key_id == ident) | (t.c.name == ident), t.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return int(res.rowcount or 0)


_T = ApiKeyRow.__table__
_BY_KEY_ID = select(_T).where(_T.c.key_id == bindparam("key_id"))


def verify_key(conn: Connection, presented: str) -> ApiKey | None:
    """The active key matching ``presented``, or None (malformed, unknown, revoked, wrong)."""
    parts = presented.split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1] or len(parts[1]) > 32:
        return None
    r = conn.execute(_BY_KEY_ID, {"key_id": parts[1]}).first()
    if r is None or r.revoked_at is not None:
        return None
    if not hmac.compare_digest(r.key_hash, _hash(presented)):
        return None
    return _row(r)
