"""The periodic sweep over waiting handoffs: alert clinicians, then stop making the patient wait.

- Waiting longer than `alert_after_s`: on-duty clinicians are alerted (once).
- Waiting longer than `giveup_after_s` with nobody claiming: the patient is told
  what to do next (the `handoff_timeout` system message: callback, the clinic's
  phone, emergency advice) and the conversation goes back to the bot, so FAQs
  are answered again. The request stays in the queue; a clinician who claims it
  later takes the conversation back.
- Waiting longer than `expire_after_s` (days, not minutes): the request is closed
  as `expired` and leaves the queue; nobody is messaged (the patient was told
  what to do at the give-up step), and the audit log keeps it.

Each step is a conditional UPDATE on its own "not done yet" column, so two
sweepers (two gateway processes) never alert or message a patient twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.handoff import audit, events
from bot.handoff.models import Handoff
from bot.handoff.service import set_conversation_owner


@dataclass
class SweepResult:
    alerted: list[str] = field(default_factory=list)  # handoff ids
    timed_out: list[tuple[str, str]] = field(default_factory=list)  # (handoff id, conversation id)
    expired: list[str] = field(default_factory=list)  # handoff ids


def _mark(session: Session, handoff_id: str, column: str, now: datetime) -> bool:
    result = session.execute(
        update(Handoff)
        .where(
            Handoff.id == handoff_id,
            Handoff.status == "waiting",
            getattr(Handoff, column).is_(None),
        )
        .values({column: now})
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _expire(session: Session, handoff_id: str, now: datetime) -> bool:
    result = session.execute(
        update(Handoff)
        .where(Handoff.id == handoff_id, Handoff.status == "waiting")
        .values(status="expired", expired_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _announce(
    session: Session, action: str, event_type: str, handoff_id: str, conversation_id: str, priority: str
) -> None:
    """Audit a step the sweep took and tell the consoles (after commit)."""
    audit.record(
        session=session,
        action=action,
        target_type="handoff",
        target_id=handoff_id,
        actor_kind="system",
    )
    events.emit(
        session, event_type, handoff_id=handoff_id, conversation_id=conversation_id, priority=priority
    )


def sweep(
    *,
    session: Session,
    now: datetime,
    alert_after_s: int,
    giveup_after_s: int,
    expire_after_s: int | None = None,
    limit: int = 200,
) -> SweepResult:
    result = SweepResult()
    due_alert = session.execute(
        select(Handoff.id, Handoff.conversation_id, Handoff.priority)
        .where(
            Handoff.status == "waiting",
            Handoff.alerted_at.is_(None),
            Handoff.created_at <= now - timedelta(seconds=alert_after_s),
        )
        .order_by(Handoff.priority_rank, Handoff.created_at)
        .limit(limit)
    ).all()
    for handoff_id, conversation_id, priority in due_alert:
        if not _mark(session, handoff_id, "alerted_at", now):
            continue
        result.alerted.append(handoff_id)
        _announce(session, "handoff.alerted", events.ALERT, handoff_id, conversation_id, priority)

    due_giveup = session.execute(
        select(Handoff.id, Handoff.conversation_id, Handoff.priority)
        .where(
            Handoff.status == "waiting",
            Handoff.patient_notified_at.is_(None),
            Handoff.created_at <= now - timedelta(seconds=giveup_after_s),
        )
        .order_by(Handoff.created_at)
        .limit(limit)
    ).all()
    for handoff_id, conversation_id, priority in due_giveup:
        if not _mark(session, handoff_id, "patient_notified_at", now):
            continue
        set_conversation_owner(session, conversation_id, "bot")
        result.timed_out.append((handoff_id, conversation_id))
        _announce(session, "handoff.timed_out", events.TIMEOUT, handoff_id, conversation_id, priority)

    if expire_after_s is None:
        return result
    due_expiry = session.execute(
        select(Handoff.id, Handoff.conversation_id, Handoff.priority)
        .where(
            Handoff.status == "waiting",
            Handoff.patient_notified_at.is_not(None),  # the patient heard what to do next
            Handoff.created_at <= now - timedelta(seconds=expire_after_s),
        )
        .order_by(Handoff.created_at)
        .limit(limit)
    ).all()
    for handoff_id, conversation_id, priority in due_expiry:
        if not _expire(session, handoff_id, now):
            continue
        result.expired.append(handoff_id)
        _announce(session, "handoff.expired", events.EXPIRED, handoff_id, conversation_id, priority)
    return result
