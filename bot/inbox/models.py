"""The inbox's tables: questions the bot could not answer, their groups, and how far collection got.

A question row points at the patient's own message and never copies its text:
the page reads the words through the message, so when the conversation is
erased (the patient's /delete, or the retention limit) the question goes with
it and nothing of what the patient wrote stays behind. The embedding is kept
for grouping only, and it goes with the row.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)

from bot.db.base import Base, utcnow

# Why a question is in the inbox.
REPHRASE = "rephrase"  # the bot asked the patient to say it another way
UNCHOSEN = "unchosen_suggestion"  # "did you mean" offered, none chosen
CLINICIAN_OFFER = "clinician_offer"  # not understood again: the bot offered a clinician
NOT_HELPFUL = "not_helpful"  # answered, and the patient pressed "Not helpful"
KINDS = (REPHRASE, UNCHOSEN, CLINICIAN_OFFER, NOT_HELPFUL)

OPEN, PROPOSED, DISMISSED = "open", "proposed", "dismissed"
STATUSES = (OPEN, PROPOSED, DISMISSED)


class InboxGroup(Base):
    """Similar open questions; its centroid is recomputed from its members, never stored."""

    __tablename__ = "inbox_groups"

    id = Column(Integer, primary_key=True, autoincrement=True)
    nearest_faq_id = Column(String(64), nullable=True)
    nearest_score = Column(Float, nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow)


class InboxQuestion(Base):
    __tablename__ = "inbox_questions"
    __table_args__ = (
        UniqueConstraint("message_id", "kind", name="uq_inbox_questions_message_kind"),
        Index("ix_inbox_questions_status_asked", "status", "asked_at"),
    )

    id = Column(Integer, primary_key=True, autoincrement=True)
    message_id = Column(Integer, ForeignKey("messages.id", ondelete="CASCADE"), nullable=False)
    conversation_id = Column(
        String(32), ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind = Column(String(24), nullable=False)
    # not_helpful: the answer pressed; unchosen_suggestion: the first FAQ offered.
    faq_id = Column(String(64), nullable=True)
    asked_at = Column(DateTime, nullable=False)
    # float32 sentence embedding (all-MiniLM-L6-v2, normalised), for grouping.
    embedding = Column(LargeBinary, nullable=False)
    group_id = Column(
        Integer, ForeignKey("inbox_groups.id", ondelete="SET NULL"), nullable=True, index=True
    )
    status = Column(String(16), nullable=False, default=OPEN)
    handled_by = Column(Integer, ForeignKey("clinicians.id"), nullable=True)
    handled_at = Column(DateTime, nullable=True)
    proposal_id = Column(
        String(32), ForeignKey("content_proposals.id", ondelete="SET NULL"), nullable=True
    )
    created_at = Column(DateTime, nullable=False, default=utcnow)


class InboxCursor(Base):
    """How far collection has read each source (messages, answer feedback), by row id."""

    __tablename__ = "inbox_cursors"

    source = Column(String(16), primary_key=True)
    last_id = Column(Integer, nullable=False, default=0)
    updated_at = Column(DateTime, nullable=False, default=utcnow)
