"""An in-process publish/subscribe bus for live updates (web chat sockets, clinician console).

Why in-process: the gateway is one ASGI process, and every live listener (a
patient's web chat socket, a clinician's console) is connected to it. A slow or
vanished listener must never slow down routing, so `publish` never blocks: each
subscriber has a bounded queue and loses its oldest events when it falls behind
(the web chat and the console both re-read history from the database on
reconnect, so nothing is lost for good).

Topics the gateway publishes (events are plain JSON-able dicts with a "type"):
- ``conversation:<conversation id>``: every stored message (type "message"),
  typing indicators (type "typing"), conversation deleted (type "deleted").
- ``channel:<channel>:<external id>``: the same message/typing events addressed by
  channel identity, which is how a web chat socket follows its own conversation
  before it has a conversation id.
- ``messages``: every stored message of every conversation (for the console).
- ``handoffs``: handoff-related happenings the gateway causes: a patient message
  for an open handoff (type "handoff_message"), an emergency handoff opened or
  its priority raised (type "emergency"), a handoff cancelled by the patient
  (type "handoff_cancelled"), a conversation erased (type "conversation_deleted").
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

logger = logging.getLogger(__name__)

Event = dict[str, Any]

DEFAULT_QUEUE_SIZE = 256


class Subscription:
    """One listener's view of one or more topics; use as an async iterator or call `get`."""

    def __init__(self, bus: EventBus, topics: tuple[str, ...], maxsize: int) -> None:
        self._bus = bus
        self.topics = topics
        self._queue: asyncio.Queue[tuple[str, Event]] = asyncio.Queue(maxsize=maxsize)
        self.dropped = 0
        self.closed = False

    def _offer(self, topic: str, event: Event) -> None:
        if self.closed:
            return
        if self._queue.full():
            # Drop the oldest: a listener that fell behind re-reads history anyway.
            self._queue.get_nowait()
            self.dropped += 1
        self._queue.put_nowait((topic, event))

    async def get(self, timeout: float | None = None) -> tuple[str, Event]:
        """The next (topic, event); raises asyncio.TimeoutError after `timeout` seconds."""
        if timeout is None:
            return await self._queue.get()
        return await asyncio.wait_for(self._queue.get(), timeout)

    def get_nowait(self) -> tuple[str, Event] | None:
        try:
            return self._queue.get_nowait()
        except asyncio.QueueEmpty:
            return None

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._bus._remove(self)

    def __aiter__(self) -> AsyncIterator[tuple[str, Event]]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[tuple[str, Event]]:
        while not self.closed:
            yield await self._queue.get()

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class EventBus:
    """Topic-based fan-out inside one event loop; publish is synchronous and never blocks."""

    def __init__(self, queue_size: int = DEFAULT_QUEUE_SIZE) -> None:
        self._subscribers: dict[str, set[Subscription]] = defaultdict(set)
        self._queue_size = queue_size

    def subscribe(self, *topics: str, maxsize: int | None = None) -> Subscription:
        """Start receiving events of `topics`; close the subscription when done (or use `with`)."""
        if not topics:
            raise ValueError("subscribe needs at least one topic")
        subscription = Subscription(self, tuple(topics), maxsize or self._queue_size)
        for topic in topics:
            self._subscribers[topic].add(subscription)
        return subscription

    def publish(self, topic: str, event: Event) -> int:
        """Hand `event` to every subscriber of `topic`; returns how many received it."""
        subscribers = self._subscribers.get(topic)
        if not subscribers:
            return 0
        for subscription in list(subscribers):
            subscription._offer(topic, event)
        return len(subscribers)

    def subscriber_count(self, topic: str) -> int:
        return len(self._subscribers.get(topic, ()))

    def _remove(self, subscription: Subscription) -> None:
        for topic in subscription.topics:
            subscribers = self._subscribers.get(topic)
            if subscribers is not None:
                subscribers.discard(subscription)
                if not subscribers:
                    del self._subscribers[topic]


_default_bus: EventBus | None = None


def get_event_bus() -> EventBus:
    """The process-wide bus the gateway app uses unless it is given one."""
    global _default_bus
    if _default_bus is None:
        _default_bus = EventBus()
    return _default_bus


def publish(topic: str, event: Event) -> int:
    """Publish on the process-wide bus."""
    return get_event_bus().publish(topic, event)


def subscribe(*topics: str, maxsize: int | None = None) -> Subscription:
    """Subscribe on the process-wide bus."""
    return get_event_bus().subscribe(*topics, maxsize=maxsize)
