"""Outbound: store a message to the patient, publish it for live listeners, push it to their channel.

The console's replies, the sweep's timeout message and every reply routing
stores go out through here. A channel that fails to send is logged, never
raised: the message is stored, and the patient sees it on their next visit
(the web chat re-reads history; it listens on the bus rather than being pushed to).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.orm import sessionmaker

from bot.db.session import unit_of_work
from bot.events import topics, vocabulary
from bot.events.bus import Publisher
from bot.gateway import conversations as store
from bot.gateway.messages import (
    OUTGOING_MAX_CHARS,
    OUTGOING_SENDERS,
    ChannelSender,
    ConversationNotFound,
    ConversationRef,
    StoredMessage,
)
from bot.gateway.validation import clean_text
from bot.handoff.queue import get_open_handoff

logger = logging.getLogger(__name__)

RunDb = Callable[..., Awaitable[Any]]


class Delivery:
    def __init__(self, *, session_factory: sessionmaker, bus: Publisher, run_db: RunDb) -> None:
        self.session_factory = session_factory
        self.bus = bus
        self.run_db = run_db
        self.channels: dict[str, ChannelSender] = {}

    async def deliver(
        self,
        conversation_id: str,
        text: str,
        buttons: list[dict[str, str]] | None = None,
        sender: str = "clinician",
        meta: dict[str, Any] | None = None,
    ) -> StoredMessage:
        """Store a message to the patient and push it to their channel (the console's reply path)."""
        if sender not in OUTGOING_SENDERS:
            raise ValueError(f"sender must be one of {OUTGOING_SENDERS}")
        text = clean_text(text, OUTGOING_MAX_CHARS)
        ref, message = await self.run_db(
            self._store_outgoing, conversation_id, text, buttons, sender, meta
        )
        await self.push(ref, message)
        return message

    def _store_outgoing(
        self,
        conversation_id: str,
        text: str,
        buttons: list[dict[str, str]] | None,
        sender: str,
        meta: dict[str, Any] | None,
    ) -> tuple[ConversationRef, StoredMessage]:
        with unit_of_work(self.session_factory) as session:
            conversation = store.get_conversation(session=session, conversation_id=conversation_id)
            if conversation is None:
                raise ConversationNotFound(conversation_id)
            handoff = (
                get_open_handoff(session=session, conversation_id=conversation_id)
                if sender == "clinician"
                else None
            )
            row = store.add_message(
                session=session,
                conversation=conversation,
                sender=sender,
                text=text,
                buttons=[
                    {"title": str(b["title"]), "payload": str(b.get("payload", b["title"]))}
                    for b in buttons or []
                ],
                meta=meta,
                status="sent",
                handoff_id=handoff.id if handoff else None,
            )
            session.flush()
            ref = ConversationRef(conversation.id, conversation.channel, conversation.external_id)
            return ref, StoredMessage.of(row)

    def publish_message(self, ref: ConversationRef, message: StoredMessage) -> None:
        event = {
            "type": vocabulary.MESSAGE,
            "conversation_id": ref.id,
            "channel": ref.channel,
            "message": message.public(),
        }
        self.bus.publish(topics.conversation(ref.id), event)
        self.bus.publish(topics.channel(ref.channel, ref.external_id), event)
        self.bus.publish(
            topics.MESSAGES, {**event, "message": {**message.public(), "status": message.status}}
        )

    async def push(self, ref: ConversationRef, message: StoredMessage) -> None:
        """Publish for listeners, then send on the patient's channel; a send failure is logged, not raised."""
        self.publish_message(ref, message)
        sender = self.channels.get(ref.channel)
        if sender is None:
            return
        try:
            await sender.send(ref.external_id, message)
        except Exception as exc:  # noqa: BLE001 - the message is stored; the channel may be down
            logger.error(
                "delivery of message %s on %s failed: %s",
                message.id,
                ref.channel,
                type(exc).__name__,
            )

    async def push_all(self, ref: ConversationRef, messages: list[StoredMessage]) -> None:
        for message in messages:
            await self.push(ref, message)

    async def typing(self, ref: ConversationRef, on: bool) -> None:
        event = {"type": vocabulary.TYPING, "conversation_id": ref.id, "on": on}
        self.bus.publish(topics.conversation(ref.id), event)
        self.bus.publish(topics.channel(ref.channel, ref.external_id), event)
        sender = self.channels.get(ref.channel)
        if on and sender is not None:
            try:
                await sender.typing(ref.external_id)
            except Exception:  # noqa: BLE001
                logger.warning("typing indicator on %s failed", ref.channel)
