"""Read side of the queue: order, positions, the wait estimate, transcripts, history.

Order is priority first (emergency, urgent, routine), then waiting time, then
id so that two requests in the same microsecond still have a stable order.
"""

from __future__ import annotations

import math
from datetime import timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from bot.db.base import utcnow
from bot.db.models import Message
from bot.handoff.clinicians import on_duty_count
from bot.handoff.errors import HandoffNotFound
from bot.handoff.models import OPEN_STATUSES, Handoff

# Used until the clinic has resolved enough handoffs to measure its own handling time.
DEFAULT_HANDLING_MINUTES = 10.0
_HANDLING_SAMPLE = 20
_HANDLING_WINDOW = timedelta(days=30)

QUEUE_ORDER = (Handoff.priority_rank, Handoff.created_at, Handoff.id)


def get_handoff(*, session: Session, handoff_id: str) -> Handoff:
    handoff = session.get(Handoff, handoff_id) if handoff_id else None
    if handoff is None:
        raise HandoffNotFound()
    return handoff


def get_open_handoff(*, session: Session, conversation_id: str) -> Handoff | None:
    """The conversation's waiting or claimed handoff, if any (there is at most one)."""
    return session.scalar(
        select(Handoff)
        .where(Handoff.conversation_id == conversation_id, Handoff.status.in_(OPEN_STATUSES))
        .order_by(Handoff.created_at.desc())
        .limit(1)
    )


def list_queue(*, session: Session, limit: int = 200) -> list[Handoff]:
    """Waiting handoffs in the order clinicians should take them."""
    return list(
        session.scalars(
            select(Handoff).where(Handoff.status == "waiting").order_by(*QUEUE_ORDER).limit(limit)
        )
    )


def list_claimed(*, session: Session, limit: int = 200) -> list[Handoff]:
    """Handoffs a clinician is working on, oldest claim first."""
    return list(
        session.scalars(
            select(Handoff)
            .where(Handoff.status == "claimed")
            .order_by(Handoff.claimed_at, Handoff.id)
            .limit(limit)
        )
    )


def queue_position(*, session: Session, handoff: Handoff) -> int:
    """1 for the next to be claimed; 0 once claimed or closed."""
    if handoff.status != "waiting":
        return 0
    ahead = session.scalar(
        select(func.count(Handoff.id)).where(
            Handoff.status == "waiting",
            Handoff.id != handoff.id,
            or_(
                Handoff.priority_rank < handoff.priority_rank,
                and_(
                    Handoff.priority_rank == handoff.priority_rank,
                    or_(
                        Handoff.created_at < handoff.created_at,
                        and_(Handoff.created_at == handoff.created_at, Handoff.id < handoff.id),
                    ),
                ),
            ),
        )
    )
    return int(ahead or 0) + 1


def average_handling_minutes(*, session: Session) -> float:
    """Mean claim-to-resolve time of the last resolved handoffs (a default until there are any)."""
    since = utcnow() - _HANDLING_WINDOW
    rows = session.execute(
        select(Handoff.claimed_at, Handoff.resolved_at)
        .where(
            Handoff.status == "resolved",
            Handoff.claimed_at.is_not(None),
            Handoff.resolved_at >= since,
        )
        .order_by(Handoff.resolved_at.desc())
        .limit(_HANDLING_SAMPLE)
    ).all()
    durations = [(r - c).total_seconds() / 60 for c, r in rows if r and c and r >= c]
    if not durations:
        return DEFAULT_HANDLING_MINUTES
    return max(1.0, sum(durations) / len(durations))


def expected_wait_minutes(*, session: Session, position: int) -> int:
    """A rough estimate the patient can plan with: position x handling time / clinicians on duty."""
    if position <= 0:
        return 0
    clinicians = max(1, on_duty_count(session=session))
    return max(1, math.ceil(position * average_handling_minutes(session=session) / clinicians))


def patient_history(
    *, session: Session, conversation_id: str, exclude_id: str | None = None, limit: int = 20
) -> list[Handoff]:
    """The patient's earlier handoffs (same conversation), newest first."""
    query = select(Handoff).where(Handoff.conversation_id == conversation_id)
    if exclude_id:
        query = query.where(Handoff.id != exclude_id)
    return list(session.scalars(query.order_by(Handoff.created_at.desc()).limit(limit)))


def transcript(
    *, session: Session, conversation_id: str, after_id: int = 0, limit: int = 500
) -> list[Message]:
    """The conversation's messages after `after_id`, oldest first (the last `limit` of them)."""
    rows = list(
        session.scalars(
            select(Message)
            .where(Message.conversation_id == conversation_id, Message.id > after_id)
            .order_by(Message.id.desc())
            .limit(limit)
        )
    )
    rows.reverse()
    return rows
