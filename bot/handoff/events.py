"""Topics of the handoff side and publishing them only once the change is committed.

A service function calls `emit(session, topic, ...)`; the event waits in the
session until the unit of work commits, and is dropped if it rolls back. So a
console that reacts to "handoff.claimed" always finds the claim in the
database, and never hears of a claim that did not happen.

Payloads carry ids, priority and status only: no message text, no patient data.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from bot.handoff.bus import get_bus

logger = logging.getLogger(__name__)

OPENED = "handoff.opened"
CLAIMED = "handoff.claimed"
RELEASED = "handoff.released"
RESOLVED = "handoff.resolved"
CANCELLED = "handoff.cancelled"
PRIORITY_RAISED = "handoff.priority_raised"
ALERT = "handoff.alert"  # waiting past handoff_alert_after_s
TIMEOUT = "handoff.timeout"  # waiting past handoff_giveup_after_s; the bot answers again
UPDATED = "handoff.updated"  # callback details added, rating recorded
MESSAGE = "handoff.message"  # a message was added to a conversation with an open handoff

ALL_TOPICS = (OPENED, CLAIMED, RELEASED, RESOLVED, CANCELLED, PRIORITY_RAISED, ALERT, TIMEOUT, UPDATED, MESSAGE)
PREFIX = "handoff."

_PENDING_KEY = "patientbot_pending_events"


def emit(session: Session, topic: str, **payload: Any) -> None:
    """Queue an event on `session`; it is published after the session commits."""
    session.info.setdefault(_PENDING_KEY, []).append((topic, payload))


@event.listens_for(Session, "after_commit")
def _publish_after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING_KEY, None)
    if not pending:
        return
    bus = get_bus()
    for topic, payload in pending:
        try:
            bus.publish(topic, payload)
        except Exception:  # a bus failure must never undo or fail a committed change
            logger.exception("publishing %s failed", topic)


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)
