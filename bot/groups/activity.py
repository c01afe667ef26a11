"""What the bot did in a group: recorded, rate-limited, reported to moderators, and forgotten in time.

Keyword-only data functions with the session passed in; they never commit.
Times are passed in (`now`), so the cooldown and the retention are tested
without waiting.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.groups.errors import AlertNotFound
from bot.groups.models import EVENT_KINDS, MythCooldown, SupportGroupEvent


def record_event(
    *,
    session: Session,
    group_id: int,
    kind: str,
    now: datetime,
    retention: timedelta,
    detail: str | None = None,
    telegram_message_id: int | None = None,
    message_text: str | None = None,
    moderators_alerted: int = 0,
) -> SupportGroupEvent:
    """One thing the bot did; the member's words, if given, are kept for `retention` only."""
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown group event kind {kind!r}")
    event = SupportGroupEvent(
        group_id=group_id,
        kind=kind,
        detail=detail,
        telegram_message_id=telegram_message_id,
        message_text=message_text,
        text_expires_at=now + retention if message_text is not None else None,
        moderators_alerted=moderators_alerted,
        created_at=now,
    )
    session.add(event)
    session.flush()
    return event


def set_alerted(*, session: Session, event_id: int, moderators_alerted: int) -> None:
    session.execute(
        update(SupportGroupEvent).where(SupportGroupEvent.id == event_id).values(moderators_alerted=moderators_alerted)
    )


def claim_myth_reply(*, session: Session, group_id: int, faq_id: str, now: datetime, period: timedelta) -> bool:
    """True (and the cooldown restarted) if this myth was not answered in this group within `period`.

    One conditional UPDATE, or one INSERT guarded by the primary key, so two
    gateways (or two messages at once) never both get True.
    """
    restarted = session.execute(
        update(MythCooldown)
        .where(
            MythCooldown.group_id == group_id,
            MythCooldown.faq_id == faq_id,
            MythCooldown.replied_at <= now - period,
        )
        .values(replied_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if restarted:
        return True
    if session.get(MythCooldown, (group_id, faq_id)) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(MythCooldown(group_id=group_id, faq_id=faq_id, replied_at=now))
    except IntegrityError:
        return False
    return True


@dataclass(frozen=True)
class ActivityReport:
    """Counts per kind of event since a date, and the events themselves, newest first."""

    since: datetime
    counts: dict[str, int]
    events: list[SupportGroupEvent]

    @property
    def open_alerts(self) -> list[SupportGroupEvent]:
        return [e for e in self.events if e.kind == "red_flag" and e.acknowledged_at is None]


def activity_report(*, session: Session, group_id: int, since: datetime, limit: int = 200) -> ActivityReport:
    counted = dict(
        session.execute(
            select(SupportGroupEvent.kind, func.count())
            .where(SupportGroupEvent.group_id == group_id, SupportGroupEvent.created_at >= since)
            .group_by(SupportGroupEvent.kind)
        ).all()
    )
    events = list(
        session.scalars(
            select(SupportGroupEvent)
            .where(SupportGroupEvent.group_id == group_id, SupportGroupEvent.created_at >= since)
            .order_by(SupportGroupEvent.created_at.desc(), SupportGroupEvent.id.desc())
            .limit(limit)
        )
    )
    return ActivityReport(since, {kind: int(counted.get(kind, 0)) for kind in EVENT_KINDS}, events)


def open_alert_counts(*, session: Session, group_ids: Iterable[int]) -> dict[int, int]:
    """Red-flag alerts no moderator has acknowledged yet, per group."""
    ids = list(group_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(SupportGroupEvent.group_id, func.count())
        .where(
            SupportGroupEvent.group_id.in_(ids),
            SupportGroupEvent.kind == "red_flag",
            SupportGroupEvent.acknowledged_at.is_(None),
        )
        .group_by(SupportGroupEvent.group_id)
    ).all()
    return {int(group_id): int(count) for group_id, count in rows}


def acknowledge_alert(
    *, session: Session, group_id: int, event_id: int, clinician_id: int, now: datetime
) -> SupportGroupEvent:
    """A moderator has seen the alert (the first acknowledgement stands)."""
    event = session.get(SupportGroupEvent, event_id)
    if event is None or event.group_id != group_id or event.kind != "red_flag":
        raise AlertNotFound()
    if event.acknowledged_at is None:
        event.acknowledged_at = now
        event.acknowledged_by = clinician_id
        session.flush()
    return event


def purge_expired_texts(*, session: Session, now: datetime) -> int:
    """Delete the words of group messages past their retention; returns how many were deleted."""
    return int(
        session.execute(
            update(SupportGroupEvent)
            .where(SupportGroupEvent.text_expires_at.is_not(None), SupportGroupEvent.text_expires_at <= now)
            .values(message_text=None, text_expires_at=None)
            .execution_options(synchronize_session=False)
        ).rowcount
    )
