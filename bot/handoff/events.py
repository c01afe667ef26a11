"""Handoff events: queued on the unit of work, published once, after it commits.

A service function calls `emit(session, type, ...)`; the event waits in the
session until the unit of work commits and is dropped if it rolls back
(bot.events.after_commit), so a console that reacts to a "claimed" event always
finds the claim in the database. The publisher is whatever the session factory
was bound to (the gateway binds its bus): the domain never knows which bus.

Every event goes to the topic `bot.events.topics.HANDOFFS` as ``{"type": <a name of
bot.events.vocabulary>, "handoff_id", "conversation_id", "priority", ...}``: ids
and labels only, no message text, no patient data.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bot.events import topics
from bot.events.after_commit import publish_after_commit
from bot.events.vocabulary import (
    ALERT,
    CANCELLED,
    CLAIMED,
    EXPIRED,
    HANDOFF_MESSAGE,
    OPENED,
    PRIORITY_RAISED,
    RELEASED,
    RESOLVED,
    TIMEOUT,
    UPDATED,
)

__all__ = [
    "ALERT",
    "CANCELLED",
    "CLAIMED",
    "EXPIRED",
    "HANDOFF_MESSAGE",
    "OPENED",
    "PRIORITY_RAISED",
    "RELEASED",
    "RESOLVED",
    "TIMEOUT",
    "UPDATED",
    "emit",
]


def emit(session: Session, event_type: str, **payload: Any) -> None:
    """Queue a handoff event on `session`; it is published after the session commits."""
    publish_after_commit(session, topics.HANDOFFS, {"type": event_type, **payload})
