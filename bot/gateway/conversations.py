"""Data functions for conversations and messages (keyword-only `session=`, never commit).

They are the only place the gateway touches these tables, so the routing code
reads as domain logic and the unit of work decides what is one transaction.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.dashboard.erasure import keep_counts
from bot.db.base import utcnow
from bot.db.models import AnswerFeedback, Conversation, Message
from bot.handoff.models import Handoff
from bot.inbox.erasure import forget_conversation


def hash_token(token: str) -> str:
    """The only form in which a web chat session token is stored.

    The token is 32 random bytes, so a plain SHA-256 cannot be brute-forced and
    needs no secret (rotating the session secret does not orphan conversations).
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def find_conversation(*, session: Session, channel: str, external_id: str) -> Conversation | None:
    return session.execute(
        select(Conversation).where(
            Conversation.channel == channel, Conversation.external_id == external_id
        )
    ).scalar_one_or_none()


def get_conversation(*, session: Session, conversation_id: str) -> Conversation | None:
    return session.get(Conversation, conversation_id)


def get_or_create_conversation(
    *, session: Session, channel: str, external_id: str, token_hash: str | None = None
) -> tuple[Conversation, bool]:
    """The conversation of (channel, external id), created on first contact; (conversation, created)."""
    conversation = find_conversation(session=session, channel=channel, external_id=external_id)
    if conversation is not None:
        return conversation, False
    conversation = Conversation(
        channel=channel,
        external_id=external_id,
        token_hash=token_hash,
        owner="bot",
        rasa_segment=0,
        segment_turns=0,
        notice_shown=False,
    )
    # A savepoint: two first messages racing on one chat must not both insert.
    try:
        with session.begin_nested():
            session.add(conversation)
            session.flush()
    except IntegrityError:
        existing = find_conversation(session=session, channel=channel, external_id=external_id)
        if existing is None:
            raise
        return existing, False
    return conversation, True


def add_message(
    *,
    session: Session,
    conversation: Conversation,
    sender: str,
    text: str,
    status: str,
    payload: str | None = None,
    buttons: list[dict[str, str]] | None = None,
    meta: dict[str, Any] | None = None,
    handoff_id: str | None = None,
) -> Message:
    message = Message(
        conversation_id=conversation.id,
        sender=sender,
        text=text,
        payload=payload,
        buttons=buttons or None,
        meta=meta or None,
        status=status,
        handoff_id=handoff_id,
        created_at=utcnow(),
    )
    session.add(message)
    conversation.last_message_at = message.created_at
    # No flush here: the caller flushes once for all it wrote (its message ids come
    # with that flush), so several messages cost one UPDATE of the conversation.
    return message


def mark_answered(
    *, session: Session, message_id: int, status: str, meta: dict[str, Any] | None
) -> bool:
    """Set a patient message's status (and meta) without loading it; False if it is gone."""
    result = session.execute(
        update(Message)
        .where(Message.id == message_id)
        .values(status=status, meta=meta or None)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


def get_message(*, session: Session, message_id: int) -> Message | None:
    return session.get(Message, message_id)


def list_messages(
    *, session: Session, conversation_id: str, after_id: int = 0, limit: int = 200
) -> list[Message]:
    """Messages in the order they were stored, after `after_id` (for polling and reconnects)."""
    return list(
        session.execute(
            select(Message)
            .where(Message.conversation_id == conversation_id, Message.id > after_id)
            .order_by(Message.id)
            .limit(limit)
        ).scalars()
    )


def last_offered_buttons(*, session: Session, conversation_id: str) -> Message | None:
    """The newest message that offered quick replies, or None if the newest offer was superseded."""
    message = session.execute(
        select(Message)
        .where(Message.conversation_id == conversation_id, Message.sender != "patient")
        .order_by(Message.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return message if message is not None and message.buttons else None


def delete_conversation(*, session: Session, conversation_id: str) -> bool:
    """Erase a conversation and everything said in it (messages and handoffs cascade)."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        return False
    # The dashboard keeps what it counted of the conversation, as counts only.
    keep_counts(session=session, conversation_id=conversation_id)
    # The inbox shows patients' words: its questions go with the conversation.
    forget_conversation(session=session, conversation_id=conversation_id)
    # Explicit deletes: SQLite enforces ON DELETE CASCADE only with foreign_keys=ON,
    # and we do not want to depend on a pragma for erasure.
    session.execute(delete(Message).where(Message.conversation_id == conversation_id))
    session.execute(delete(Handoff).where(Handoff.conversation_id == conversation_id))
    session.execute(delete(AnswerFeedback).where(AnswerFeedback.conversation_id == conversation_id))
    session.delete(conversation)
    session.flush()
    return True


def silent_conversations(*, session: Session, since: Any, limit: int = 500) -> list[tuple[str, str]]:
    """(channel, external id) of conversations whose last message is older than `since`."""
    rows = session.execute(
        select(Conversation.channel, Conversation.external_id)
        .where(Conversation.last_message_at < since)
        .order_by(Conversation.last_message_at)
        .limit(limit)
    )
    return [(channel, external_id) for channel, external_id in rows]


def failed_messages(*, session: Session, since: Any, limit: int = 50) -> list[Message]:
    """Patient messages Rasa never answered, newest conversations first, for the retrier."""
    return list(
        session.execute(
            select(Message)
            .where(
                Message.sender == "patient",
                Message.status == "failed",
                Message.created_at >= since,
            )
            .order_by(Message.id)
            .limit(limit)
        ).scalars()
    )


def newest_patient_message_id(*, session: Session, conversation_id: str) -> int | None:
    return session.execute(
        select(Message.id)
        .where(Message.conversation_id == conversation_id, Message.sender == "patient")
        .order_by(Message.id.desc())
        .limit(1)
    ).scalar_one_or_none()
