"""Tables of the support groups: the groups, their moderators, what the bot did, the myth cooldowns.

A group is the Telegram group the bot was added to; it is *linked* once an
admin gives it at least one moderator clinician in the console, and only a
linked group gets welcomes, answers and myth replies (an unlinked one gets
emergency guidance alone: nobody there could be alerted).

`support_group_events` is the activity report: one row per thing the bot did
(welcome, answer, private-chat offer, myth reply, red-flag alert). The words of
the member's message it acted on are kept in `message_text` only until
`text_expires_at` (group_message_retention_days), for the moderators to see
what an answer or an alert was about; then they are deleted and the count
stays. Messages the bot did not act on are never stored. No member's name or
Telegram id is stored: the message's id in the group is enough to find it.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)

from bot.db.base import Base, utcnow

GROUP_STATUSES = ("active", "removed")
EVENT_KINDS = ("welcome", "answer", "private_offer", "myth_reply", "red_flag")


class SupportGroup(Base):
    """A Telegram group the bot is (or was) a member of."""

    __tablename__ = "support_groups"

    id = Column(Integer, primary_key=True, autoincrement=True)
    telegram_chat_id = Column(String(64), nullable=False, unique=True)
    title = Column(String(255), nullable=False, default="")
    status = Column(String(16), nullable=False, default="active")
    myth_watch_enabled = Column(Boolean, nullable=False, default=True)
    # Whether the bot is an administrator there (it then sees every message, privacy mode or not).
    bot_is_admin = Column(Boolean, nullable=False, default=False)
    added_at = Column(DateTime, nullable=False, default=utcnow)
    removed_at = Column(DateTime, nullable=True)


class SupportGroupModerator(Base):
    """A clinician who moderates a group: alerted about its red flags, sees its activity."""

    __tablename__ = "support_group_moderators"

    group_id = Column(Integer, ForeignKey("support_groups.id", ondelete="CASCADE"), primary_key=True)
    clinician_id = Column(Integer, ForeignKey("clinicians.id", ondelete="CASCADE"), primary_key=True)
    added_at = Column(DateTime, nullable=False, default=utcnow)


class SupportGroupEvent(Base):
    """One thing the bot did in a group, and (for a while) the message it did it about."""

    __tablename__ = "support_group_events"
    __table_args__ = (Index("ix_support_group_events_group_created", "group_id", "created_at"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    group_id = Column(Integer, ForeignKey("support_groups.id", ondelete="CASCADE"), nullable=False)
    kind = Column(String(16), nullable=False)
    # The FAQ answered (answer, myth_reply) or the red-flag category (red_flag).
    detail = Column(String(64), nullable=True)
    telegram_message_id = Column(Integer, nullable=True)
    message_text = Column(Text, nullable=True)
    text_expires_at = Column(DateTime, nullable=True, index=True)
    moderators_alerted = Column(Integer, nullable=False, default=0)
    acknowledged_by = Column(Integer, ForeignKey("clinicians.id", ondelete="SET NULL"), nullable=True)
    acknowledged_at = Column(DateTime, nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class MythCooldown(Base):
    """When the bot last answered one myth in one group: at most once per period."""

    __tablename__ = "support_group_myth_cooldowns"

    group_id = Column(Integer, ForeignKey("support_groups.id", ondelete="CASCADE"), primary_key=True)
    faq_id = Column(String(64), primary_key=True)
    replied_at = Column(DateTime, nullable=False)
