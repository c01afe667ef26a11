"""One listener's view of one or more topics: a bounded queue on the listener's own loop.

A slow or vanished listener must never slow down the publisher, so offering an
event never blocks: when the queue is full the oldest event is dropped (the web
chat and the console re-read history from the database on reconnect, so nothing
is lost for good). Offers from another thread (database work runs in worker
threads) are handed to the listener's loop with `call_soon_threadsafe`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

Event = dict[str, Any]


def running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class Subscription:
    """Use as an async iterator, or call `get`; close it when done (or use `with`)."""

    def __init__(
        self, topics: tuple[str, ...], maxsize: int, on_close: Callable[[Subscription], None]
    ) -> None:
        self.topics = topics
        self._on_close = on_close
        self._queue: asyncio.Queue[tuple[str, Event]] = asyncio.Queue(maxsize=maxsize)
        self._loop = running_loop()
        self.dropped = 0
        self.closed = False

    def offer(self, topic: str, event: Event) -> None:
        """Queue `event` for this listener, from any thread; never blocks."""
        if self.closed:
            return
        if self._loop is None or running_loop() is self._loop:
            self._offer_here(topic, event)
            return
        with contextlib.suppress(RuntimeError):  # the listener's loop has closed
            self._loop.call_soon_threadsafe(self._offer_here, topic, event)

    def _offer_here(self, topic: str, event: Event) -> None:
        if self.closed:
            return
        if self._queue.full():
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
            self._on_close(self)

    def __aiter__(self) -> AsyncIterator[tuple[str, Event]]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[tuple[str, Event]]:
        while not self.closed:
            yield await self._queue.get()

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
