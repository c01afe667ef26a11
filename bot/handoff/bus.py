"""An in-process publish/subscribe bus that wakes the console's live views.

Publishers are synchronous code running in any thread (request handlers in
the thread pool, the sweeper); subscribers are async generators on the event
loop (server-sent event streams). `publish` therefore never blocks: it hands
each event to the subscriber's loop with `call_soon_threadsafe`.

Events carry ids only, never message text or patient data; a subscriber that
needs details reads them from the database. The bus is an accelerator, not a
source of truth: the console also re-checks the database every few seconds,
so a dropped event or a second gateway process only delays an update.

When the gateway's bus (`bot.gateway.events`) provides the same interface
(`publish(topic, payload)` and `subscribe(*prefixes)`), `get_bus()` returns it
so that both sides share one bus.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol

logger = logging.getLogger(__name__)

_QUEUE_SIZE = 1000


@dataclass(frozen=True)
class BusEvent:
    topic: str
    payload: dict[str, Any] = field(default_factory=dict)


class Subscription:
    """One subscriber's queue, filled from any thread and drained on its own loop."""

    def __init__(self, prefixes: tuple[str, ...], loop: asyncio.AbstractEventLoop) -> None:
        self.prefixes = prefixes
        self.loop = loop
        self.queue: asyncio.Queue[BusEvent] = asyncio.Queue(maxsize=_QUEUE_SIZE)

    def matches(self, topic: str) -> bool:
        return not self.prefixes or any(topic.startswith(p) for p in self.prefixes)

    def _offer(self, event: BusEvent) -> None:
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            # The subscriber re-reads the database periodically; dropping is safe.
            logger.warning("bus subscriber queue full; dropping an event of topic %s", event.topic)

    async def get(self, timeout: float | None = None) -> BusEvent | None:
        """The next event, or None after `timeout` seconds without one."""
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except asyncio.TimeoutError:
            return None


class Bus(Protocol):
    def publish(self, topic: str, payload: dict[str, Any]) -> None: ...

    def subscribe(self, *prefixes: str) -> contextlib.AbstractAsyncContextManager[Any]: ...


class LocalBus:
    """Thread-safe fan-out to asyncio subscribers in this process."""

    def __init__(self) -> None:
        self._subscriptions: set[Subscription] = set()
        self._lock = threading.Lock()

    def publish(self, topic: str, payload: dict[str, Any]) -> None:
        event = BusEvent(topic, dict(payload))
        with self._lock:
            subscribers = [s for s in self._subscriptions if s.matches(topic)]
        for sub in subscribers:
            with contextlib.suppress(RuntimeError):  # that subscriber's loop has closed
                sub.loop.call_soon_threadsafe(sub._offer, event)

    @contextlib.asynccontextmanager
    async def subscribe(self, *prefixes: str) -> AsyncIterator[Subscription]:
        sub = Subscription(tuple(prefixes), asyncio.get_running_loop())
        with self._lock:
            self._subscriptions.add(sub)
        try:
            yield sub
        finally:
            with self._lock:
                self._subscriptions.discard(sub)

    @property
    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._subscriptions)


_local_bus = LocalBus()


def get_bus() -> Bus:
    """The gateway's bus when it offers this interface, else the process-local one."""
    try:
        module = importlib.import_module("bot.gateway.events")
    except ModuleNotFoundError:
        return _local_bus
    getter = getattr(module, "get_bus", None)
    bus = getter() if callable(getter) else None
    if bus is not None and hasattr(bus, "publish") and hasattr(bus, "subscribe"):
        return bus
    return _local_bus
