"""Locks inside one process: one asyncio.Lock per key, kept only while someone uses it.

asyncio.Lock wakes its waiters in arrival order, so the messages of one
conversation are handled in the order they arrived.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.locks.base import LockTimeout


class InProcessLocks:
    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: str, timeout: float | None = None) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            try:
                await asyncio.wait_for(lock.acquire(), timeout)
            except asyncio.TimeoutError:
                raise LockTimeout(key) from None
            try:
                yield
            finally:
                lock.release()
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    def in_use(self) -> int:
        """How many keys have a holder or a waiter (tests check that none are left behind)."""
        return len(self._locks)

    async def claim_once(self, key: str, ttl_s: float) -> bool:
        """One process: each event arrives once, so every claim is the first."""
        return True

    async def aclose(self) -> None:
        """Nothing to release."""
