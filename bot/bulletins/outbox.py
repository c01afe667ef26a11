"""The outbox: queue a bulletin for its audience once, hand rows to the sender, count progress.

Why a table and not a loop over subscribers: a send of thousands of messages at
Telegram's 30 a second takes minutes, and the process may stop in the middle.
Each recipient's row is written before anything is sent, claimed (`sending`) in
its own transaction just before its message leaves, and marked after; a
restart picks up the `queued` rows and nobody is sent the same bulletin twice
(models.py says why a row left `sending` is not retried).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from bot.bulletins.models import OUTBOX_STATUSES, BulletinSend, OutboxRow, Subscription
from bot.bulletins.subscriptions import audience
from bot.content.bulletins import Bulletin


class NotSendable(ValueError):
    """The bulletin is not approved, not yet due or expired: nothing is queued."""


@dataclass(frozen=True)
class Claimed:
    row_id: int
    channel: str
    external_id: str


def queue_send(
    *,
    session: Session,
    bulletin: Bulletin,
    topics: Iterable[str],
    channels: Iterable[str],
    created_by: str | None,
    now: datetime,
) -> BulletinSend:
    """Create the send and one outbox row per recipient who has not had this bulletin already."""
    why = bulletin.why_not_sendable(now.date())
    if why is not None:
        raise NotSendable(f"bulletin {bulletin.id} cannot be sent: {why}")
    topics, channels = sorted(set(topics)), sorted(set(channels))
    send = BulletinSend(bulletin_id=bulletin.id, topics=topics, channels=channels, created_by=created_by, created_at=now)
    session.add(send)
    session.flush()
    already = set(
        session.execute(
            select(OutboxRow.channel, OutboxRow.external_id).where(OutboxRow.bulletin_id == bulletin.id)
        ).all()
    )
    rows = [
        {"send_id": send.id, "bulletin_id": bulletin.id, "channel": channel, "external_id": external_id,
         "status": "queued", "attempts": 0, "created_at": now}
        for channel, external_id in audience(session=session, topics=topics, channels=channels)
        if (channel, external_id) not in already
    ]
    if rows:
        session.execute(insert(OutboxRow), rows)
    return send


def reach(*, session: Session, bulletin_id: str, topics: list[str], channels: list[str]) -> tuple[int, int]:
    """(recipients a send would queue now, subscribers in the audience who already had this bulletin)."""
    everyone = audience(session=session, topics=topics, channels=channels)
    done = set(
        session.execute(
            select(OutboxRow.channel, OutboxRow.external_id).where(OutboxRow.bulletin_id == bulletin_id)
        ).all()
    )
    already = sum(1 for recipient in everyone if recipient in done)
    return len(everyone) - already, already


def claim(*, session: Session, send: BulletinSend, channel: str, now: datetime, limit: int) -> list[Claimed]:
    """Up to `limit` queued rows of `channel`, due now, marked `sending`; rows of patients who opted out since become `unsubscribed`."""
    query = (
        select(OutboxRow)
        .where(
            OutboxRow.send_id == send.id,
            OutboxRow.channel == channel,
            OutboxRow.status == "queued",
            (OutboxRow.next_attempt_at.is_(None)) | (OutboxRow.next_attempt_at <= now),
        )
        .order_by(OutboxRow.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = list(session.execute(query).scalars())
    subscribed = _still_subscribed(session=session, send=send, rows=rows)
    claimed = []
    for row in rows:
        if (row.channel, row.external_id) in subscribed:
            row.status, row.attempts = "sending", row.attempts + 1
            claimed.append(Claimed(row.id, row.channel, row.external_id))
        else:
            row.status = "unsubscribed"
    session.flush()
    return claimed


def _still_subscribed(*, session: Session, send: BulletinSend, rows: list[OutboxRow]) -> set[tuple[str, str]]:
    if not rows:
        return set()
    found = session.execute(
        select(Subscription.channel, Subscription.external_id).where(
            Subscription.topic.in_(list(send.topics)),
            Subscription.external_id.in_([row.external_id for row in rows]),
        )
    )
    return {(channel, external_id) for channel, external_id in found}


def mark(
    *, session: Session, row_id: int, status: str, now: datetime, error: str | None = None,
    retry_at: datetime | None = None,
) -> None:
    """The outcome of one attempt; `retry_at` puts the row back in the queue for later."""
    if status not in OUTBOX_STATUSES:
        raise ValueError(status)
    values: dict = {"status": status, "last_error": error, "next_attempt_at": retry_at}
    if status == "sent":
        values["sent_at"] = now
    session.execute(update(OutboxRow).where(OutboxRow.id == row_id).values(**values))


def recover_interrupted(*, session: Session, send_id: str) -> int:
    """Rows left `sending` by a crash: failed, not retried (they may have arrived)."""
    result = session.execute(
        update(OutboxRow)
        .where(OutboxRow.send_id == send_id, OutboxRow.status == "sending")
        .values(status="failed", last_error="Interrupted")
    )
    return int(result.rowcount or 0)


def progress(*, session: Session, send_id: str) -> dict[str, int]:
    """How many rows of a send are in each state (every state present, zero if none)."""
    counts = dict.fromkeys(OUTBOX_STATUSES, 0)
    rows = session.execute(
        select(OutboxRow.status, func.count()).where(OutboxRow.send_id == send_id).group_by(OutboxRow.status)
    )
    for status, count in rows:
        counts[status] = int(count)
    return counts


def unfinished_sends(*, session: Session) -> list[BulletinSend]:
    """Sends with rows still queued or left sending: what a restart resumes."""
    ids = select(OutboxRow.send_id).where(OutboxRow.status.in_(("queued", "sending"))).distinct()
    return list(session.execute(select(BulletinSend).where(BulletinSend.id.in_(ids))).scalars())


def recent_sends(*, session: Session, limit: int = 20) -> list[BulletinSend]:
    return list(session.execute(select(BulletinSend).order_by(BulletinSend.created_at.desc()).limit(limit)).scalars())


def take_unseen(*, session: Session, channel: str, external_id: str, sendable: set[str], now: datetime) -> list[str]:
    """Bulletin ids queued for a recipient the channel cannot push to (the web chat), now shown.

    Marked sent with `seen_at`, so the widget shows each once; a patient who opted
    out since gets `unsubscribed`, a bulletin no longer sendable (expired) `failed`.
    """
    rows = list(
        session.execute(
            select(OutboxRow, BulletinSend.topics)
            .join(BulletinSend, BulletinSend.id == OutboxRow.send_id)
            .where(OutboxRow.channel == channel, OutboxRow.external_id == external_id, OutboxRow.status == "queued")
            .order_by(OutboxRow.id)
        ).all()
    )
    mine = set(
        session.execute(
            select(Subscription.topic).where(Subscription.channel == channel, Subscription.external_id == external_id)
        ).scalars()
    )
    shown = []
    for row, topics in rows:
        if not mine & set(topics):
            row.status = "unsubscribed"
        elif row.bulletin_id not in sendable:
            row.status, row.last_error = "failed", "Expired"
        else:
            row.status, row.sent_at, row.seen_at = "sent", now, now
            shown.append(row.bulletin_id)
    session.flush()
    return shown
