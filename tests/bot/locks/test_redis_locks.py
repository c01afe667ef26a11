"""The Redis conversation lock against the real Redis, as two gateways would use it.

Two holders of one conversation's lock are serialised; a holder that is killed
(kill -9 of a real process) releases it when its TTL runs out; a living holder
keeps it past the TTL by renewing it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator

import pytest
import redis

from bot.locks.base import LockTimeout
from bot.locks.factory import make_locks
from bot.locks.memory import InProcessLocks
from bot.locks.redis_locks import RedisLocks

KEY = "conversation:webchat:patient-1"


@pytest.fixture
async def two_gateways(redis_url: str, redis_prefix: str) -> AsyncIterator[tuple[RedisLocks, RedisLocks]]:
    a = RedisLocks(redis_url, prefix=redis_prefix, ttl_s=0.3)
    b = RedisLocks(redis_url, prefix=redis_prefix, ttl_s=0.3)
    try:
        yield a, b
    finally:
        await a.aclose()
        await b.aclose()


async def test_two_holders_of_one_conversation_are_serialised(two_gateways: tuple[RedisLocks, RedisLocks]) -> None:
    a, b = two_gateways
    order: list[str] = []
    a_holds, a_may_go = asyncio.Event(), asyncio.Event()

    async def on_a() -> None:
        async with a.hold(KEY):
            order.append("a in")
            a_holds.set()
            await a_may_go.wait()
            order.append("a out")

    async def on_b() -> None:
        await a_holds.wait()
        with pytest.raises(LockTimeout):  # A holds it: B cannot get in
            async with b.hold(KEY, timeout=0.1):
                order.append("b in too early")
        a_may_go.set()
        async with b.hold(KEY, timeout=5):
            order.append("b in")

    await asyncio.wait_for(asyncio.gather(on_a(), on_b()), 10)
    assert order == ["a in", "a out", "b in"]


async def test_a_living_holder_keeps_the_lock_past_its_ttl(two_gateways: tuple[RedisLocks, RedisLocks]) -> None:
    """A slow Rasa answer must not let a second gateway into the conversation."""
    a, b = two_gateways
    async with a.hold(KEY):
        with pytest.raises(LockTimeout):
            async with b.hold(KEY, timeout=1.0):  # more than three TTLs
                pass
    async with b.hold(KEY, timeout=1.0):
        pass


async def test_other_conversations_are_not_held_up(two_gateways: tuple[RedisLocks, RedisLocks]) -> None:
    a, b = two_gateways
    async with a.hold(KEY), b.hold("conversation:webchat:patient-2", timeout=1.0):
        pass


HOLDER = """
import asyncio, sys
from bot.locks.redis_locks import RedisLocks

async def main():
    locks = RedisLocks(sys.argv[1], prefix=sys.argv[2], ttl_s=float(sys.argv[3]))
    async with locks.hold(sys.argv[4]):
        print("held", flush=True)
        await asyncio.Event().wait()

asyncio.run(main())
"""


async def test_a_holder_that_dies_releases_after_its_ttl(redis_url: str, redis_prefix: str) -> None:
    ttl_s = 1.0
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, redis_url, redis_prefix, str(ttl_s), KEY],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    survivor = RedisLocks(redis_url, prefix=redis_prefix, ttl_s=ttl_s)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(LockTimeout):  # alive and renewing: nobody else gets in
            async with survivor.hold(KEY, timeout=2 * ttl_s):
                pass
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=5)
        with redis.Redis.from_url(redis_url) as client:
            left_ms = client.pttl(f"{redis_prefix}:lock:{KEY}")
        assert 0 < left_ms <= ttl_s * 1000  # still held, by nobody, for at most one TTL
        killed_at = time.monotonic()
        async with survivor.hold(KEY, timeout=5):
            waited = time.monotonic() - killed_at
        assert waited <= ttl_s + 0.5
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(timeout=5)
        await survivor.aclose()


async def test_only_one_gateway_claims_an_alert(two_gateways: tuple[RedisLocks, RedisLocks]) -> None:
    a, b = two_gateways
    assert await a.claim_once("telegram-alert:h1:urgent", ttl_s=60)
    assert not await b.claim_once("telegram-alert:h1:urgent", ttl_s=60)
    assert await b.claim_once("telegram-alert:h1:emergency", ttl_s=60)


def test_one_setting_switches_the_locks(redis_url: str) -> None:
    assert isinstance(make_locks(None, "patientbot", 15), InProcessLocks)
    assert isinstance(make_locks(redis_url, "patientbot", 15), RedisLocks)
