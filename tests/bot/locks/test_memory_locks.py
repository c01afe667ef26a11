"""The in-process conversation locks: one holder at a time, waiters in arrival order."""

from __future__ import annotations

import asyncio

import pytest

from bot.locks.base import LockTimeout
from bot.locks.memory import InProcessLocks


async def test_waiters_enter_one_at_a_time_in_arrival_order() -> None:
    locks = InProcessLocks()
    entered: list[int] = []
    release = asyncio.Event()

    async def holder(n: int) -> None:
        async with locks.hold("conversation:webchat:p1"):
            entered.append(n)
            if n == 0:
                await release.wait()

    tasks = [asyncio.create_task(holder(n)) for n in range(4)]
    await asyncio.sleep(0)  # one turn: all four have arrived, the first holds the lock
    assert entered == [0]
    release.set()
    await asyncio.gather(*tasks)
    assert entered == [0, 1, 2, 3]
    assert locks.in_use() == 0  # nothing left behind


async def test_other_conversations_do_not_wait_and_a_timeout_gives_up() -> None:
    locks = InProcessLocks()
    async with locks.hold("a"):
        async with locks.hold("b", timeout=0.5):
            pass
        with pytest.raises(LockTimeout):
            async with locks.hold("a", timeout=0.05):
                pass
    assert locks.in_use() == 0
