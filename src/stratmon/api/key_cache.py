"""A short-lived in-process cache of verified API keys (the hot read path's auth check).

Entries are keyed by the SHA-256 of the presented key (the secret itself is never kept),
hold only keys the store has just verified (an unknown or wrong key is always looked up), and
expire after ``ttl`` seconds. Revoking a key over the API clears the cache at once; a key
revoked by another process (``stratmon keys revoke``) stops working within ``ttl`` seconds.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from stratmon.store.keys_repo import ApiKey


def digest(presented: str) -> str:
    """The SHA-256 (hex) of a presented key: the cache's index."""
    return hashlib.sha256(presented.encode("utf-8")).hexdigest()


class KeyCache:
    """Verified keys for ``ttl`` seconds, at most ``max_size`` of them.

    Parameters
    ----------
    ttl : float
        Seconds an entry is trusted; 0 disables the cache.
    max_size : int
        Entries kept; when full the cache is emptied (keys in use come back on next use).
    clock : callable
        Monotonic seconds (injectable for tests).
    """

    def __init__(
        self,
        ttl: float,
        max_size: int = 1024,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.max_size = max_size
        self.clock = clock
        self.generation = 0
        self._entries: dict[str, tuple[float, ApiKey]] = {}

    def get(self, key_digest: str) -> ApiKey | None:
        """The cached key, or None when absent or expired."""
        hit = self._entries.get(key_digest)
        if hit is None:
            return None
        if self.clock() >= hit[0]:
            self._entries.pop(key_digest, None)
            return None
        return hit[1]

    def put(self, key_digest: str, key: ApiKey, generation: int) -> None:
        """Remember a key verified when the cache was at ``generation``; ignored when the
        cache was cleared since (a revocation may have raced with the verification)."""
        if self.ttl <= 0 or generation != self.generation:
            return
        if len(self._entries) >= self.max_size:
            self._entries.clear()
        self._entries[key_digest] = (self.clock() + self.ttl, key)

    def clear(self) -> None:
        """Forget every key (after a revocation)."""
        self.generation += 1
        self._entries.clear()
