"""Publishing on the gateway's event bus from any thread.

The gateway's bus (`bot.gateway.events.EventBus`) is bound to the event loop:
its subscribers' queues must be touched from the loop's thread only. Handoff
state changes, though, commit in worker threads (SQLAlchemy is synchronous),
so `publish` hands the event to the bus's loop with `call_soon_threadsafe`
(`bind_loop` records it: the API, the console's live stream and the worker call
it from async code); failing that, an anyio worker thread
hops onto its own loop; only with no loop at all (the CLI) is it published
directly, when nobody can be listening anyway.

Events carry ids, types and priorities, never message text or patient data;
a listener that needs details reads them from the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from typing import Any

import anyio.from_thread

from bot.gateway.events import EventBus, get_event_bus

logger = logging.getLogger(__name__)

HANDOFFS_TOPIC = "handoffs"

# The loop each bus's subscribers live on (normally one bus, one loop per process).
_loops: weakref.WeakKeyDictionary[EventBus, asyncio.AbstractEventLoop] = weakref.WeakKeyDictionary()


def conversation_topic(conversation_id: str) -> str:
    """The gateway publishes every stored message of a conversation on this topic."""
    return f"conversation:{conversation_id}"


def bind_loop(event_bus: EventBus | None = None) -> None:
    """Remember that `event_bus` (default: the current one) lives on the running loop."""
    _loops[event_bus or current_bus()] = asyncio.get_running_loop()


def current_bus() -> EventBus:
    """The running gateway's bus, or the process-wide one when no gateway runs (CLI, tests)."""
    try:
        from bot.gateway.routing import current_router

        return current_router().bus
    except (ImportError, RuntimeError):
        return get_event_bus()


def _on_a_loop_thread() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def publish(topic: str, event: dict[str, Any]) -> None:
    bus = current_bus()
    if _on_a_loop_thread():
        bus.publish(topic, event)
        return
    loop = _loops.get(bus)
    if loop is not None and loop.is_running():
        with contextlib.suppress(RuntimeError):  # closed between the check and the call
            loop.call_soon_threadsafe(bus.publish, topic, event)
            return
    try:
        anyio.from_thread.run_sync(bus.publish, topic, event)
    except RuntimeError:
        bus.publish(topic, event)  # no loop anywhere: nobody is listening
