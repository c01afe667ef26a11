"""Clinician-side tables: handoffs, clinicians and the audit trail."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import relationship

from bot.db.base import Base, new_id, utcnow

HANDOFF_STATUSES = ("waiting", "claimed", "resolved", "cancelled", "expired")
OPEN_STATUSES = ("waiting", "claimed")
# Lower rank is served first.
PRIORITY_RANK = {"emergency": 0, "urgent": 1, "routine": 2}
ROLES = ("clinician", "admin")


class Clinician(Base):
    __tablename__ = "clinicians"

    id = Column(Integer, primary_key=True, autoincrement=True)
    username = Column(String(64), nullable=False, unique=True)
    display_name = Column(String(128), nullable=False)
    password_hash = Column(String(255), nullable=False)
    role = Column(String(16), nullable=False, default="clinician")
    # May approve or reject content proposals (never their own): a second pair of eyes.
    reviewer = Column(Boolean, nullable=False, default=False)
    on_duty = Column(Boolean, nullable=False, default=False)
    disabled = Column(Boolean, nullable=False, default=False)
    telegram_chat_id = Column(String(64), nullable=True)
    failed_logins = Column(Integer, nullable=False, default=0)
    locked_until = Column(DateTime, nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class Handoff(Base):
    """A request for a clinician. At most one is open (waiting or claimed) per conversation."""

    __tablename__ = "handoffs"
    __table_args__ = (Index("ix_handoffs_queue", "status", "priority_rank", "created_at"),)

    id = Column(String(32), primary_key=True, default=new_id)
    conversation_id = Column(
        String(32), ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    status = Column(String(16), nullable=False, default="waiting")
    priority = Column(String(16), nullable=False, default="routine")
    priority_rank = Column(Integer, nullable=False, default=PRIORITY_RANK["routine"])
    reason = Column(String(64), nullable=False)
    summary = Column(JSON, nullable=True)
    red_flags = Column(JSON, nullable=True)
    claimed_by = Column(Integer, ForeignKey("clinicians.id"), nullable=True)
    outcome_note = Column(Text, nullable=True)
    rating = Column(Integer, nullable=True)
    callback_contact = Column(String(200), nullable=True)
    callback_consent = Column(Boolean, nullable=False, default=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    claimed_at = Column(DateTime, nullable=True)
    resolved_at = Column(DateTime, nullable=True)
    cancelled_at = Column(DateTime, nullable=True)
    expired_at = Column(DateTime, nullable=True)
    alerted_at = Column(DateTime, nullable=True)
    patient_notified_at = Column(DateTime, nullable=True)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    clinician = relationship("Clinician")


class AuditEvent(Base):
    """Who did what, when: every transcript view and every state change."""

    __tablename__ = "audit_events"

    id = Column(Integer, primary_key=True, autoincrement=True)
    actor_id = Column(Integer, ForeignKey("clinicians.id"), nullable=True, index=True)
    actor_kind = Column(String(16), nullable=False, default="clinician")
    action = Column(String(64), nullable=False)
    target_type = Column(String(32), nullable=False)
    target_id = Column(String(64), nullable=False)
    details = Column(JSON, nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
