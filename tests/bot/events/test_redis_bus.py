"""The Redis bus against the real Redis: what one gateway publishes, every other hears."""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio
import pytest

from bot.events import topics
from bot.events.factory import make_bus
from bot.events.memory import InProcessBus
from bot.events.redis_bus import RedisBus


@pytest.fixture
async def two_buses(redis_url: str, redis_prefix: str) -> AsyncIterator[tuple[RedisBus, RedisBus]]:
    """Two gateways' buses on one Redis: each has its own connection and origin."""
    first, second = RedisBus(redis_url, prefix=redis_prefix), RedisBus(redis_url, prefix=redis_prefix)
    await first.start()
    await second.start()
    try:
        yield first, second
    finally:
        await first.aclose()
        await second.aclose()


async def test_an_event_published_on_one_bus_is_received_by_another(two_buses: tuple[RedisBus, RedisBus]) -> None:
    a, b = two_buses
    event = {"type": "opened", "handoff_id": "h1", "priority": "urgent"}
    with b.subscribe(topics.HANDOFFS) as on_b, a.subscribe(topics.HANDOFFS) as on_a:
        a.publish(topics.HANDOFFS, event)
        assert await on_b.get(timeout=5) == (topics.HANDOFFS, event)
        # The publisher's own listeners hear it once: at once, not again through Redis.
        assert await on_a.get(timeout=5) == (topics.HANDOFFS, event)
        a.publish(topics.HANDOFFS, {"type": "marker"})
        assert (await on_a.get(timeout=5))[1] == {"type": "marker"}
        assert (await on_b.get(timeout=5))[1] == {"type": "marker"}


async def test_topics_keep_their_names_across_gateways(two_buses: tuple[RedisBus, RedisBus]) -> None:
    a, b = two_buses
    topic = topics.channel("webchat", "patient-1")
    with b.subscribe(topic) as socket, b.subscribe(topics.MESSAGES) as console:
        a.publish(topics.MESSAGES, {"type": "message", "n": 1})
        a.publish(topic, {"type": "message", "n": 2})
        assert await console.get(timeout=5) == (topics.MESSAGES, {"type": "message", "n": 1})
        assert await socket.get(timeout=5) == (topic, {"type": "message", "n": 2})


async def test_events_published_from_worker_threads_cross_to_the_other_gateway(
    two_buses: tuple[RedisBus, RedisBus],
) -> None:
    """Handoff events are published after commit, in the worker thread that committed."""
    a, b = two_buses
    with b.subscribe(topics.HANDOFFS) as on_b:
        await anyio.to_thread.run_sync(lambda: [a.publish(topics.HANDOFFS, {"n": n}) for n in range(5)])
        assert [(await on_b.get(timeout=5))[1]["n"] for _ in range(5)] == [0, 1, 2, 3, 4]


async def test_deployments_with_different_prefixes_share_nothing(redis_url: str, redis_prefix: str) -> None:
    ours, theirs = RedisBus(redis_url, prefix=redis_prefix), RedisBus(redis_url, prefix=redis_prefix + "-other")
    await ours.start()
    await theirs.start()
    try:
        with ours.subscribe(topics.HANDOFFS) as mine:
            theirs.publish(topics.HANDOFFS, {"n": "theirs"})
            ours_too = RedisBus(redis_url, prefix=redis_prefix)
            await ours_too.start()
            try:
                ours_too.publish(topics.HANDOFFS, {"n": "ours"})
                # Redis delivers in publish order per connection; "theirs" came first and never arrives.
                assert (await mine.get(timeout=5))[1] == {"n": "ours"}
            finally:
                await ours_too.aclose()
    finally:
        await ours.aclose()
        await theirs.aclose()


def test_one_setting_switches_the_bus(redis_url: str) -> None:
    assert isinstance(make_bus(None, "patientbot"), InProcessBus)
    assert isinstance(make_bus(redis_url, "patientbot"), RedisBus)
