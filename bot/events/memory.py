"""The in-process bus, the embedded default: fan-out by topic inside one process.

Enough while one gateway process holds every live listener (a patient's web chat
socket, a clinician's console). `publish` is safe from any thread and never
blocks; each subscription queues on its own loop (bot.events.subscription).
"""

from __future__ import annotations

import threading
from collections import defaultdict

from bot.events.subscription import Event, Subscription

DEFAULT_QUEUE_SIZE = 256


class InProcessBus:
    """Topic-based fan-out; the registry is guarded because worker threads publish."""

    def __init__(self, queue_size: int = DEFAULT_QUEUE_SIZE) -> None:
        self._subscribers: dict[str, set[Subscription]] = defaultdict(set)
        self._queue_size = queue_size
        self._guard = threading.Lock()

    def subscribe(self, *topics: str, maxsize: int | None = None) -> Subscription:
        if not topics:
            raise ValueError("subscribe needs at least one topic")
        subscription = Subscription(tuple(topics), maxsize or self._queue_size, self._remove)
        with self._guard:
            for topic in topics:
                self._subscribers[topic].add(subscription)
        return subscription

    def publish(self, topic: str, event: Event) -> None:
        self.deliver(topic, event)

    def deliver(self, topic: str, event: Event) -> int:
        """`publish`, returning how many subscribers received the event."""
        with self._guard:
            subscribers = list(self._subscribers.get(topic, ()))
        for subscription in subscribers:
            subscription.offer(topic, event)
        return len(subscribers)

    def subscriber_count(self, topic: str) -> int:
        with self._guard:
            return len(self._subscribers.get(topic, ()))

    async def start(self) -> None:
        """Nothing to connect to."""

    async def aclose(self) -> None:
        """Nothing to disconnect from."""

    def _remove(self, subscription: Subscription) -> None:
        with self._guard:
            for topic in subscription.topics:
                subscribers = self._subscribers.get(topic)
                if subscribers is not None:
                    subscribers.discard(subscription)
                    if not subscribers:
                        del self._subscribers[topic]
