"""What every step of one patient turn shares: the plan, the lock and the system messages.

`Plan` is what the synchronous first step (bot.gateway.routing) decided; the Rasa
exchange (bot.gateway.rasa_exchange) carries it out. The conversation lock's name
is built here only, for routing, the Rasa retries and erasure alike.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.db.models import Conversation, Message
from bot.gateway import conversations as store
from bot.gateway.messages import ConversationRef, StoredMessage
from bot.gateway.texts import system_text
from bot.locks.base import ConversationLocks


@dataclass
class Plan:
    """What the first, synchronous step decided; the async part carries it out."""

    conversation: ConversationRef
    patient: StoredMessage
    immediate: list[StoredMessage]
    rasa_sender_id: str | None = None
    rasa_text: str | None = None
    outcome: str = "bot"
    emergency: bool = False
    is_doctor_request: bool = False
    urgency: tuple[str, ...] = ()


def hold_conversation(
    locks: ConversationLocks, channel: str, external_id: str
) -> AbstractAsyncContextManager[None]:
    """One message at a time per conversation, so Rasa's tracker sees them in order."""
    return locks.hold(f"conversation:{channel}:{external_id}")


def rasa_text(text: str, payload: str | None) -> str:
    """What Rasa is sent for a stored patient message: a button's payload, else the text.

    Typed text is never an intent: "/request_human{...}" typed by a patient is just text.
    """
    if payload:
        return payload
    return text.lstrip("/").strip() or text


def add_system_message(session: Session, conversation: Conversation, message_id: str) -> Message:
    """Store one of the vetted system messages (bot.content) as said to the patient."""
    return store.add_message(
        session=session,
        conversation=conversation,
        sender="system",
        text=system_text(message_id),
        status="sent",
        meta={"system": message_id},
    )
