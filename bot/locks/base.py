"""What the gateway needs to serialise work across one or several gateway processes."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Protocol


class LockTimeout(Exception):
    """The lock was not acquired within the given time."""


class ConversationLocks(Protocol):
    def hold(self, key: str, timeout: float | None = None) -> AbstractAsyncContextManager[None]:
        """Hold the lock named `key` for the block; waiters enter in turn, one at a time.

        Raises LockTimeout if it is not acquired within `timeout` seconds (None: wait).
        """

    async def claim_once(self, key: str, ttl_s: float) -> bool:
        """True for the first caller of `key` within `ttl_s` seconds, among all gateways."""

    async def aclose(self) -> None:
        """Release connections (Redis)."""
