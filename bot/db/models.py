"""Patient-side tables: conversations, their messages, answer feedback and integration API keys."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import relationship

from bot.db.base import Base, new_id, utcnow

CHANNELS = ("telegram", "webchat", "rest")
SENDERS = ("patient", "bot", "clinician", "system")
OWNERS = ("bot", "clinician")


class Conversation(Base):
    """One patient on one channel. `owner` says who answers: the bot or the clinician in charge."""

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id = Column(String(32), primary_key=True, default=new_id)
    channel = Column(String(16), nullable=False)
    # Telegram chat id, web chat session id or the integration's own id.
    external_id = Column(String(128), nullable=False)
    # Web chat: hash of the secret token the patient's browser holds.
    token_hash = Column(String(128), nullable=True)
    owner = Column(String(16), nullable=False, default="bot")
    # The gateway talks to Rasa as f"{id}-{rasa_segment}" and moves to a new segment at
    # a rest point every few turns, so Rasa's tracker (and per-message cost) stays short.
    rasa_segment = Column(Integer, nullable=False, default=0)
    segment_turns = Column(Integer, nullable=False, default=0)
    notice_shown = Column(Boolean, nullable=False, default=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    # Indexed: conversations silent for longer than the retention limit are erased.
    last_message_at = Column(DateTime, nullable=False, default=utcnow, index=True)

    messages = relationship(
        "Message", back_populates="conversation", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def rasa_sender_id(self) -> str:
        return f"{self.id}-{self.rasa_segment}"

    @property
    def rasa_sender_ids(self) -> list[str]:
        """Every sender id Rasa has known this conversation by (one per segment)."""
        return [f"{self.id}-{segment}" for segment in range((self.rasa_segment or 0) + 1)]


class Message(Base):
    """Everything said in a conversation, stored before it is routed so nothing is lost."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_conversation_created", "conversation_id", "id"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(
        String(32), ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False
    )
    sender = Column(String(16), nullable=False)
    text = Column(Text, nullable=False, default="")
    # Quick-reply payload when the patient pressed a button; buttons offered for bot messages.
    payload = Column(Text, nullable=True)
    buttons = Column(JSON, nullable=True)
    # What the bot saw: intent, confidence, faq id, red flags. Shown to the clinician.
    meta = Column(JSON, nullable=True)
    # Routing outcome of an incoming message: pending, bot, clinician, failed.
    status = Column(String(16), nullable=False, default="pending")
    handoff_id = Column(String(32), ForeignKey("handoffs.id", ondelete="SET NULL"), nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)

    conversation = relationship("Conversation", back_populates="messages")


class AnswerFeedback(Base):
    """"Was this helpful?" per answer, so clinicians see which content does not work."""

    __tablename__ = "answer_feedback"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(
        String(32), ForeignKey("conversations.id", ondelete="CASCADE"), nullable=True
    )
    sender_id = Column(String(128), nullable=False)
    faq_id = Column(String(64), nullable=False, index=True)
    helpful = Column(Boolean, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class ApiKey(Base):
    """Integration API keys: only a hash is stored; the key is shown once at creation."""

    __tablename__ = "api_keys"

    id = Column(String(32), primary_key=True, default=new_id)
    name = Column(String(100), nullable=False)
    prefix = Column(String(12), nullable=False, index=True)
    key_hash = Column(String(128), nullable=False, unique=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    revoked_at = Column(DateTime, nullable=True)
