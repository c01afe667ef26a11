"""Sending to the patient's own channel through the gateway's `deliver` (store, then push).

Routers find the gateway on ``app.state.gateway`` (set by create_app); code
outside a request (the worker) uses the running gateway's router. A test app
without a gateway sets ``app.state.handoff_deliver`` to its own callable with
the same signature.
"""

from __future__ import annotations

import inspect
from typing import Any

Buttons = list[dict[str, str]]


def _message_id(result: Any) -> int | None:
    if isinstance(result, int):
        return result
    value = getattr(result, "id", None)
    return value if isinstance(value, int) else None


async def deliver(
    app: Any,
    conversation_id: str,
    text: str,
    *,
    buttons: Buttons | None = None,
    sender: str = "clinician",
) -> int | None:
    """Deliver and return the stored message's id (None if the deliverer does not say)."""
    override = getattr(getattr(app, "state", None), "handoff_deliver", None) if app else None
    if override is not None:
        result = override(conversation_id, text, buttons=buttons, sender=sender)
    else:
        gateway = getattr(getattr(app, "state", None), "gateway", None) if app else None
        if gateway is not None:
            result = gateway.require_router().deliver(
                conversation_id, text, buttons=buttons, sender=sender
            )
        else:
            from bot.gateway.routing import deliver as gateway_deliver

            result = gateway_deliver(conversation_id, text, buttons=buttons, sender=sender)
    if inspect.isawaitable(result):
        result = await result
    return _message_id(result)
