"""Two gateways on one database and the real Redis (PATIENTBOT_REDIS_URL) behave as one.

Each gateway is a full `Gateway` with its own engine, Redis bus and Redis locks,
as two processes would have; only the event loop is shared, so the test needs no
proxy. What one does, the other's listeners hear; one conversation is handled by
one of them at a time.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import select

from bot.db.models import Message
from bot.db.session import unit_of_work
from bot.events import topics
from bot.events.redis_bus import RedisBus
from bot.gateway.app import Gateway
from bot.gateway.messages import Incoming
from bot.locks.redis_locks import RedisLocks
from tests.support.detectors import EMERGENCY_TEXT
from tests.support.fixtures import CLOSED_PORT_URL, make_settings


@asynccontextmanager
async def two_gateways(
    database_url: str, rasa_url: str, redis_url: str, redis_prefix: str, detector: Any = None
) -> AsyncIterator[tuple[Gateway, Gateway]]:
    settings = make_settings(database_url, rasa_url, redis_url=redis_url, redis_prefix=redis_prefix)
    a = Gateway(settings, detector=detector)
    b = Gateway(settings, detector=detector, run_migrations=False)
    await a.start()
    await b.start()
    try:
        assert isinstance(a.bus, RedisBus) and isinstance(a.locks, RedisLocks)
        yield a, b
    finally:
        await b.stop()
        await a.stop()


async def test_a_handoff_opened_on_one_gateway_reaches_the_other_once(
    database_url: str, redis_url: str, redis_prefix: str, detector: Any
) -> None:
    async with two_gateways(database_url, CLOSED_PORT_URL, redis_url, redis_prefix, detector) as (a, b):
        with b.bus.subscribe(topics.HANDOFFS) as console_on_b:
            result = await a.require_router().handle_incoming(Incoming("webchat", "p1", text=EMERGENCY_TEXT))
            topic, event = await console_on_b.get(timeout=5)
            assert topic == topics.HANDOFFS
            assert (event["type"], event["priority"]) == ("opened", "emergency")
            assert event["conversation_id"] == result.conversation_id
            # Once: the next event B hears is the marker published after it.
            a.bus.publish(topics.HANDOFFS, {"type": "marker"})
            assert (await console_on_b.get(timeout=5))[1] == {"type": "marker"}


async def test_a_reply_stored_on_one_gateway_reaches_the_socket_held_by_the_other(
    database_url: str, redis_url: str, redis_prefix: str
) -> None:
    async with two_gateways(database_url, CLOSED_PORT_URL, redis_url, redis_prefix) as (a, b):
        first = await a.require_router().handle_incoming(Incoming("webchat", "p2", text="hello"))
        # What the patient's web chat socket on A listens to.
        with a.bus.subscribe(topics.channel("webchat", "p2")) as socket_on_a:
            sent = await b.require_router().deliver(first.conversation_id, "Dr Lee here.")
            _topic, event = await socket_on_a.get(timeout=5)
        assert event["type"] == "message"
        assert (event["message"]["id"], event["message"]["text"]) == (sent.id, "Dr Lee here.")


async def test_one_conversations_messages_sent_to_both_gateways_are_handled_one_at_a_time(
    database_url: str, mini_rasa_url: str, redis_url: str, redis_prefix: str
) -> None:
    """Each message's answer is stored before the next message is looked at, whichever gateway."""
    async with two_gateways(database_url, mini_rasa_url, redis_url, redis_prefix) as (a, b):
        await a.require_router().handle_incoming(Incoming("rest", "p3", text="hello"))
        results = await asyncio.gather(
            *(
                gateway.require_router().handle_incoming(Incoming("rest", "p3", text=f"hello {n}"))
                for n, gateway in enumerate((a, b, a, b))
            )
        )
        conversation_id = results[0].conversation_id
        with unit_of_work(a.session_factory) as session:
            senders = list(
                session.scalars(
                    select(Message.sender)
                    .where(Message.conversation_id == conversation_id)
                    .order_by(Message.id)
                )
            )
        # patient, then its answer(s), then the next patient message: never two patients in a row.
        assert senders.count("patient") == 5
        assert all(result.outcome == "bot" and result.replies for result in results)
        assert not any(x == y == "patient" for x, y in zip(senders, senders[1:]))
