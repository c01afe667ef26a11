"""Sending to a patient from outside routing (the console's replies, the sweep, Telegram claims).

The gateway's `Router.deliver` stores the message, then pushes it to the
patient's own channel. Routes find it on ``app.state.gateway``; a test app
without a gateway sets ``app.state.handoff_deliver`` to a callable with the
same signature. Whoever needs to deliver is handed a `Deliver`, never a global.
"""

from __future__ import annotations

import inspect
from typing import Any, Protocol

Buttons = list[dict[str, str]]


class Deliver(Protocol):
    async def __call__(
        self, conversation_id: str, text: str, *, buttons: Buttons | None = None, sender: str = "clinician"
    ) -> int | None:
        """Store and send `text` to the patient; the stored message's id (None if unknown)."""


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
    """Deliver through `app`'s gateway (or its test stand-in); the stored message's id."""
    override = getattr(app.state, "handoff_deliver", None)
    if override is not None:
        result = override(conversation_id, text, buttons=buttons, sender=sender)
    else:
        gateway = getattr(app.state, "gateway", None)
        if gateway is None:
            raise RuntimeError("this app has neither a gateway nor app.state.handoff_deliver")
        result = gateway.require_router().deliver(conversation_id, text, buttons=buttons, sender=sender)
    if inspect.isawaitable(result):
        result = await result
    return _message_id(result)


def deliver_for_app(app: Any) -> Deliver:
    """`deliver` bound to `app`, resolved at each call (the router exists only once started)."""

    async def bound(
        conversation_id: str, text: str, *, buttons: Buttons | None = None, sender: str = "clinician"
    ) -> int | None:
        return await deliver(app, conversation_id, text, buttons=buttons, sender=sender)

    return bound


def deliver_through(router: Any) -> Deliver:
    """A `Deliver` for a running router (Telegram's Claim button, inside the gateway)."""

    async def bound(
        conversation_id: str, text: str, *, buttons: Buttons | None = None, sender: str = "clinician"
    ) -> int | None:
        result = await router.deliver(conversation_id, text, buttons=buttons, sender=sender)
        return _message_id(result)

    return bound
