"""The console's live stream: server-sent events that wake the queue and the transcript.

Fed by the gateway's event bus (topics.HANDOFFS, and topics.conversation(id) for
the open handoff page). Events sent to the browser carry ids and types only; the
page then fetches the changed part (server-rendered, escaped). As a safety net
for anything the bus cannot see (the CLI; other gateways without Redis) the stream
also re-reads a cheap fingerprint of the queue every POLL_S seconds, and it
re-checks the session, so a logged-out or disabled clinician's stream ends.
Each stream lasts at most STREAM_MAX_S; the browser reconnects and re-syncs.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import anyio
from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import sessionmaker

from bot.console import data, security
from bot.console.auth import ConsoleUser, current_user, load_user
from bot.console.rendering import ConsoleRoute
from bot.events import topics
from bot.events.bus import EventBus
from bot.gateway.deps import bus_dep, session_factory_dep, settings_dep
from bot.settings import Settings

router = APIRouter(prefix="/console", route_class=ConsoleRoute)

POLL_S = 2.0
HEARTBEAT_S = 15.0
# A stream ends after this long and the browser reconnects (and re-syncs): an open
# console then never holds up the gateway's graceful shutdown for longer.
STREAM_MAX_S = 20.0
_FORWARDED = ("type", "handoff_id", "priority", "event")


def _sse(event: str, payload: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(payload)}\n\n"


def _safe(topic: str, event: dict[str, Any]) -> dict[str, Any]:
    """Only ids and labels leave the server: the gateway's message events carry text."""
    payload = {k: event[k] for k in _FORWARDED if isinstance(event.get(k), (str, int))}
    message = event.get("message")
    if isinstance(message, dict) and isinstance(message.get("id"), int):
        payload["message_id"] = message["id"]
    elif isinstance(event.get("message_id"), int):
        payload["message_id"] = event["message_id"]
    payload["topic"] = "handoffs" if topic == topics.HANDOFFS else "conversation"
    return payload


@router.get("/events", include_in_schema=False)
async def events(
    request: Request,
    handoff: str | None = None,
    user: ConsoleUser = Depends(current_user),
    factory: sessionmaker = Depends(session_factory_dep),
    settings: Settings = Depends(settings_dep),
    event_bus: EventBus = Depends(bus_dep),
) -> Response:
    conversation_id = (
        await anyio.to_thread.run_sync(data.conversation_of, factory, handoff) if handoff else None
    )
    wanted = [topics.HANDOFFS] + ([topics.conversation(conversation_id)] if conversation_id else [])
    secret = settings.session_secret.get_secret_value()
    claims = security.read_session(secret, request.cookies.get(security.SESSION_COOKIE))

    async def stream() -> AsyncIterator[str]:
        with event_bus.subscribe(*wanted) as subscription:
            yield "retry: 2000\n\n" + _sse("ready", {})
            fingerprint = await anyio.to_thread.run_sync(data.fingerprint, factory, conversation_id)
            started = checked = beat = time.monotonic()
            while not await request.is_disconnected() and time.monotonic() - started < STREAM_MAX_S:
                try:
                    topic, event = await subscription.get(timeout=POLL_S)
                    yield _sse("update", _safe(topic, event))
                except asyncio.TimeoutError:
                    pass
                now = time.monotonic()
                if now - checked >= POLL_S:
                    checked = now
                    still = (
                        await anyio.to_thread.run_sync(load_user, factory, claims, secret)
                        if claims is not None
                        else None
                    )
                    if still is None:
                        yield _sse("logout", {})
                        return
                    latest = await anyio.to_thread.run_sync(data.fingerprint, factory, conversation_id)
                    if latest != fingerprint:
                        fingerprint = latest
                        yield _sse("update", {"type": "refresh", "topic": "poll"})
                if now - beat >= HEARTBEAT_S:
                    beat = now
                    yield ": keep-alive\n\n"

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
