"""The bus's small interface: what a publisher and a subscriber need, and nothing more.

The handoff domain depends on `Publisher` only (it is handed one through its
session factory, bot.events.after_commit); listeners depend on `Subscriber`.
`EventBus` is both plus a lifetime, which the gateway starts and stops.
"""

from __future__ import annotations

from typing import Protocol

from bot.events.subscription import Event, Subscription

__all__ = ["Event", "EventBus", "Publisher", "Subscriber", "Subscription"]


class Publisher(Protocol):
    def publish(self, topic: str, event: Event) -> None:
        """Hand `event` to every subscriber of `topic`, from any thread; never blocks."""


class Subscriber(Protocol):
    def subscribe(self, *topics: str, maxsize: int | None = None) -> Subscription:
        """Start receiving the events of `topics` (close the subscription when done)."""


class EventBus(Publisher, Subscriber, Protocol):
    async def start(self) -> None:
        """Connect (Redis); called on the loop the subscribers live on."""

    async def aclose(self) -> None:
        """Disconnect; events published afterwards reach local subscribers only."""
