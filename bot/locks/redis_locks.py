"""Locks shared by every gateway, in Redis: SET NX PX with a token, renewed while held.

A holder that dies stops renewing, and its lock expires after `ttl_s`: the
conversation waits that long, never for ever. A living holder renews every
third of the TTL, so a slow Rasa answer does not let a second gateway in.
Release deletes the key only if it still holds our token (a Lua compare-and-
delete), so a holder whose lock expired can never release somebody else's.

Inside one gateway the waiters first queue on an in-process lock (bot.locks.memory),
which keeps arrival order there; across gateways they poll Redis with a short
backoff. Keys carry the prefix, so gateways of different clinics can share a Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis.asyncio as aioredis

from bot.locks.base import LockTimeout
from bot.locks.memory import InProcessLocks

logger = logging.getLogger(__name__)

_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""
POLL_S = (0.005, 0.01, 0.02, 0.05, 0.1)


class RedisLocks:
    def __init__(self, url: str, *, prefix: str, ttl_s: float = 15.0) -> None:
        self.url = url
        self.prefix = f"{prefix}:lock:"
        self.ttl_ms = max(1, int(ttl_s * 1000))
        self._local = InProcessLocks()
        self._client: aioredis.Redis | None = None

    @property
    def client(self) -> aioredis.Redis:
        if self._client is None:
            self._client = aioredis.from_url(self.url)
        return self._client

    @asynccontextmanager
    async def hold(self, key: str, timeout: float | None = None) -> AsyncIterator[None]:
        deadline = None if timeout is None else time.monotonic() + timeout
        async with self._local.hold(key, timeout):
            name, token = self.prefix + key, uuid.uuid4().hex
            await self._acquire(name, token, deadline)
            renewer = asyncio.create_task(self._renew_forever(name, token))
            try:
                yield
            finally:
                renewer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await renewer
                await self._release(name, token)

    async def _acquire(self, name: str, token: str, deadline: float | None) -> None:
        attempt = 0
        while True:
            try:
                if await self.client.set(name, token, nx=True, px=self.ttl_ms):
                    return
                pause = POLL_S[min(attempt, len(POLL_S) - 1)]
            except aioredis.RedisError as exc:  # Redis restarting: wait for it, lose nothing
                logger.warning("lock %s: Redis unreachable (%s), retrying", name, type(exc).__name__)
                pause = 0.5
            if deadline is not None and time.monotonic() >= deadline:
                raise LockTimeout(name)
            await asyncio.sleep(pause)
            attempt += 1

    async def _renew_forever(self, name: str, token: str) -> None:
        while True:
            await asyncio.sleep(self.ttl_ms / 3000)
            try:
                if not await self.client.eval(_RENEW, 1, name, token, self.ttl_ms):
                    logger.error("lock %s expired while held; another gateway may be in", name)
                    return
            except aioredis.RedisError as exc:
                logger.warning("could not renew lock %s: %s", name, type(exc).__name__)

    async def _release(self, name: str, token: str) -> None:
        try:
            await self.client.eval(_RELEASE, 1, name, token)
        except aioredis.RedisError as exc:  # it expires by itself
            logger.warning("could not release lock %s: %s", name, type(exc).__name__)

    async def claim_once(self, key: str, ttl_s: float) -> bool:
        name = f"{self.prefix}once:{key}"
        return bool(await self.client.set(name, "1", nx=True, px=max(1, int(ttl_s * 1000))))

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
            await self._client.connection_pool.disconnect()
            self._client = None
