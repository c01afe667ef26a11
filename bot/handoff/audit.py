"""The audit trail: who did what to which handoff or conversation, and when.

Every state change and every view of a transcript writes one row in the same
transaction as the change itself, so the trail can never claim something that
was rolled back. Details hold ids and labels only, never message text.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.handoff.models import AuditEvent

ACTOR_KINDS = ("clinician", "system", "patient", "action_server", "admin_cli")


def record(
    *,
    session: Session,
    action: str,
    target_type: str,
    target_id: str | int,
    actor_id: int | None = None,
    actor_kind: str = "clinician",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one audit row to the session (the caller's unit of work commits it)."""
    if actor_kind not in ACTOR_KINDS:
        raise ValueError(f"unknown actor kind {actor_kind!r}")
    event = AuditEvent(
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        actor_id=actor_id,
        actor_kind=actor_kind,
        details=details or None,
    )
    session.add(event)
    return event


def events_for(*, session: Session, target_type: str, target_id: str | int) -> list[AuditEvent]:
    """The trail of one target, oldest first."""
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.target_type == target_type, AuditEvent.target_id == str(target_id))
            .order_by(AuditEvent.id)
        )
    )
