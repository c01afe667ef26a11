"""The in-process event bus: fan-out by topic, never blocking the publisher."""

from __future__ import annotations

import asyncio

import anyio

from bot.events.memory import InProcessBus


async def test_subscribers_get_events_of_their_topics_only() -> None:
    bus = InProcessBus()
    with bus.subscribe("a", "b") as both, bus.subscribe("b") as only_b:
        assert bus.deliver("a", {"type": "x", "n": 1}) == 1
        assert bus.deliver("b", {"type": "x", "n": 2}) == 2
        assert bus.deliver("c", {"type": "x", "n": 3}) == 0
        assert [await both.get(1), await both.get(1)] == [
            ("a", {"type": "x", "n": 1}),
            ("b", {"type": "x", "n": 2}),
        ]
        assert await only_b.get(1) == ("b", {"type": "x", "n": 2})
        assert only_b.get_nowait() is None
    assert bus.subscriber_count("a") == 0 and bus.subscriber_count("b") == 0


async def test_a_slow_subscriber_loses_its_oldest_events_without_blocking() -> None:
    bus = InProcessBus(queue_size=3)
    with bus.subscribe("t") as slow:
        for n in range(10):
            bus.publish("t", {"n": n})
        assert slow.dropped == 7
        assert [(await slow.get(1))[1]["n"] for _ in range(3)] == [7, 8, 9]


async def test_async_iteration_delivers_in_order() -> None:
    bus = InProcessBus()
    received: list[int] = []

    async def listen() -> None:
        with bus.subscribe("t") as subscription:
            async for _topic, event in subscription:
                received.append(event["n"])
                if len(received) == 3:
                    return

    task = asyncio.create_task(listen())
    await asyncio.sleep(0)
    for n in range(3):
        bus.publish("t", {"n": n})
    await asyncio.wait_for(task, 2)
    assert received == [0, 1, 2]


async def test_events_published_from_worker_threads_reach_the_subscribers_loop() -> None:
    """Database work commits in worker threads; the queue must still be touched on its loop only."""
    bus = InProcessBus()
    with bus.subscribe("t") as subscription:
        await anyio.to_thread.run_sync(lambda: [bus.publish("t", {"n": n}) for n in range(3)])
        assert [(await subscription.get(2))[1]["n"] for _ in range(3)] == [0, 1, 2]
