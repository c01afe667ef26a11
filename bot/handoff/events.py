"""Handoff events, published on the gateway's bus only once the change is committed.

A service function calls `emit(session, type, ...)`; the event waits in the
session until the unit of work commits, and is dropped if it rolls back. So a
console that reacts to a "claimed" event always finds the claim in the
database, and never hears of a claim that did not happen.

Every event goes to the bus topic "handoffs" (the gateway's own handoff events
use it too) as ``{"type": <one of the names below>, "handoff_id", "conversation_id",
"priority", ...}``: ids and labels only, no message text, no patient data.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from bot.handoff import bus

logger = logging.getLogger(__name__)

OPENED = "opened"
CLAIMED = "claimed"
RELEASED = "released"
RESOLVED = "resolved"
CANCELLED = "cancelled"
PRIORITY_RAISED = "priority_raised"
ALERT = "alert"  # waiting past handoff_alert_after_s: on-duty clinicians are alerted
TIMEOUT = "timeout"  # waiting past handoff_giveup_after_s: the bot answers the patient again
EXPIRED = "expired"  # unclaimed past handoff_expire_after_s: closed, out of the queue
UPDATED = "updated"  # callback details added, red flags added, rating recorded
MESSAGE = "handoff_message"  # a message was added to a conversation with an open handoff

_PENDING_KEY = "patientbot_pending_handoff_events"


def emit(session: Session, event_type: str, **payload: Any) -> None:
    """Queue an event on `session`; it is published after the session commits."""
    session.info.setdefault(_PENDING_KEY, []).append({"type": event_type, **payload})


@event.listens_for(Session, "after_commit")
def _publish_after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING_KEY, None)
    for item in pending or ():
        try:
            bus.publish(bus.HANDOFFS_TOPIC, item)
        except Exception:  # a bus failure must never undo or fail a committed change
            logger.exception("publishing handoff event %s failed", item.get("type"))


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)
