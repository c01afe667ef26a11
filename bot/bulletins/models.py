"""Tables of the bulletins: who asked for which topic, and one outbox row per recipient.

Subscriptions are keyed by channel and the channel's own id (the Telegram chat,
the web chat session), not by conversation: a patient who only reads bulletins
writes nothing, and the retention purge of silent conversations must not take
their consent with it. The patient's own erasure (/delete) does remove it.

The outbox has one row per bulletin and recipient (a unique constraint), so a
bulletin can reach a patient at most once however often a send is started or
resumed. A row is marked `sending` in its own transaction before the message
leaves; a row found `sending` after a crash is not sent again (Telegram has no
idempotency key: we cannot know whether it arrived) but counted as failed.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)

from bot.db.base import Base, new_id, utcnow

OUTBOX_STATUSES = ("queued", "sending", "sent", "failed", "unsubscribed")


class Subscription(Base):
    """One topic one patient asked for, with the wording they agreed to and when."""

    __tablename__ = "bulletin_subscriptions"
    __table_args__ = (UniqueConstraint("channel", "external_id", "topic", name="uq_bulletin_subscriptions_recipient_topic"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    channel = Column(String(16), nullable=False)
    external_id = Column(String(128), nullable=False)
    topic = Column(String(32), nullable=False, index=True)
    consent_text = Column(Text, nullable=False)
    consented_at = Column(DateTime, nullable=False, default=utcnow)


class BulletinSend(Base):
    """An admin's decision to send one bulletin to one audience."""

    __tablename__ = "bulletin_sends"

    id = Column(String(32), primary_key=True, default=new_id)
    bulletin_id = Column(String(64), nullable=False, index=True)
    topics = Column(JSON, nullable=False)
    channels = Column(JSON, nullable=False)
    created_by = Column(String(32), nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class OutboxRow(Base):
    """One bulletin for one recipient: queued, sending, sent, failed or unsubscribed."""

    __tablename__ = "bulletin_outbox"
    __table_args__ = (
        UniqueConstraint("bulletin_id", "channel", "external_id", name="uq_bulletin_outbox_recipient"),
        Index("ix_bulletin_outbox_send_status", "send_id", "status"),
    )

    id = Column(Integer, primary_key=True, autoincrement=True)
    send_id = Column(String(32), ForeignKey("bulletin_sends.id", ondelete="CASCADE"), nullable=False)
    bulletin_id = Column(String(64), nullable=False)
    channel = Column(String(16), nullable=False)
    external_id = Column(String(128), nullable=False)
    status = Column(String(16), nullable=False, default="queued")
    attempts = Column(Integer, nullable=False, default=0)
    # The error's kind only (e.g. RetryAfter, Forbidden): never a message's text.
    last_error = Column(String(64), nullable=True)
    next_attempt_at = Column(DateTime, nullable=True)
    sent_at = Column(DateTime, nullable=True)
    # Web chat: when the widget showed it (the widget cannot be pushed to while closed).
    seen_at = Column(DateTime, nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
