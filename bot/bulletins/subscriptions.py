"""Subscribing, unsubscribing and erasing: the patient's consent, kept word for word.

Consent to receive bulletins is stored per topic with the exact sentence the
patient agreed to and the time, so the clinic can show what someone said yes
to. Unsubscribing deletes the row: there is nothing left to send on. Every
function takes the session and never commits (bot/db/session.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import String, cast, delete, literal, select, update
from sqlalchemy.orm import Session

from bot.bulletins.models import OutboxRow, Subscription
from bot.content.bulletins import TOPICS
from bot.content.profile import text_fields
from bot.paths import CLINIC_FILE

# How each channel tells the patient to stop; appended to every bulletin and quoted in the consent.
HOW_TO_STOP = {
    "telegram": "To stop these bulletins, send /unsubscribe.",
    "webchat": "To stop these bulletins, choose \"Health tips\" in the chat menu and turn the topic off.",
}


def clinic_name() -> str:
    """The clinic's name as the consent sentence quotes it (data/clinic.yml)."""
    return str(text_fields(CLINIC_FILE).get("clinic_name", "the clinic"))


def consent_wording(*, topic: str, channel: str, clinic_name: str) -> str:
    """The sentence the patient agrees to by pressing the topic's button."""
    return (
        f"I agree that {clinic_name} sends me health bulletins about {TOPICS[topic]} "
        f"on {channel.capitalize() if channel != 'webchat' else 'the web chat'}, reviewed by its clinicians. "
        f"{HOW_TO_STOP[channel]}"
    )


def subscribe(*, session: Session, channel: str, external_id: str, topic: str, wording: str, now: datetime) -> bool:
    """Record consent to one topic; False (and the first consent kept) if already subscribed."""
    if topic not in TOPICS:
        raise ValueError(f"unknown topic {topic!r}")
    existing = session.execute(
        select(Subscription.id).where(
            Subscription.channel == channel, Subscription.external_id == external_id, Subscription.topic == topic
        )
    ).first()
    if existing is not None:
        return False
    session.add(Subscription(channel=channel, external_id=external_id, topic=topic, consent_text=wording, consented_at=now))
    session.flush()
    return True


def unsubscribe(*, session: Session, channel: str, external_id: str, topic: str | None = None) -> int:
    """Withdraw consent to one topic, or to every topic when `topic` is None; returns how many."""
    statement = delete(Subscription).where(Subscription.channel == channel, Subscription.external_id == external_id)
    if topic is not None:
        statement = statement.where(Subscription.topic == topic)
    return int(session.execute(statement).rowcount or 0)


def topics_of(*, session: Session, channel: str, external_id: str) -> list[str]:
    rows = session.execute(
        select(Subscription.topic)
        .where(Subscription.channel == channel, Subscription.external_id == external_id)
        .order_by(Subscription.topic)
    )
    return [topic for (topic,) in rows]


def subscriptions_of(*, session: Session, channel: str, external_id: str) -> list[Subscription]:
    return list(
        session.execute(
            select(Subscription).where(Subscription.channel == channel, Subscription.external_id == external_id)
        ).scalars()
    )


def audience(*, session: Session, topics: Iterable[str], channels: Iterable[str]) -> list[tuple[str, str]]:
    """(channel, external id) of everyone subscribed to any of `topics` on any of `channels`, once each."""
    rows = session.execute(
        select(Subscription.channel, Subscription.external_id)
        .where(Subscription.topic.in_(list(topics)), Subscription.channel.in_(list(channels)))
        .distinct()
        .order_by(Subscription.channel, Subscription.external_id)
    )
    return [(channel, external_id) for channel, external_id in rows]


def erase_recipient(*, session: Session, channel: str, external_id: str) -> int:
    """The patient's erasure: consent goes, and the outbox keeps only an anonymous status.

    The outbox rows stay so that a send's progress still adds up, but their
    recipient becomes "erased:<row id>", which leads back to no one.
    """
    removed = unsubscribe(session=session, channel=channel, external_id=external_id)
    mine = (OutboxRow.channel == channel, OutboxRow.external_id == external_id)
    session.execute(
        update(OutboxRow).where(*mine, OutboxRow.status == "queued").values(status="unsubscribed")
    )
    session.execute(
        update(OutboxRow)
        .where(*mine)
        .values(external_id=literal("erased:").concat(cast(OutboxRow.id, String)))
        .execution_options(synchronize_session=False)
    )
    return removed
