"""Erasure and retention: a patient's conversation goes, with Rasa's copy of it, or nothing goes.

`erase` serves /delete and the web chat's delete button; `purge_silent`, run
hourly by bot.gateway.background, erases conversations silent for the clinic's
`retention_days`. Rasa 3.6 has no API to delete a tracker, so its events are
deleted in its tracker store (bot.gateway.rasa_trackers) before our rows are
committed: if that fails, ErasureFailed is raised and nothing is erased.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from bot.bulletins.subscriptions import erase_recipient
from bot.db.base import utcnow
from bot.db.session import unit_of_work
from bot.events import topics, vocabulary
from bot.events.bus import Publisher
from bot.gateway import conversations as store
from bot.gateway.delivery import RunDb
from bot.gateway.messages import ErasureFailed
from bot.gateway.rasa_trackers import RasaTrackerEraser
from bot.gateway.turn import hold_conversation
from bot.locks.base import ConversationLocks

logger = logging.getLogger(__name__)


class Erasure:
    def __init__(
        self,
        *,
        session_factory: sessionmaker,
        bus: Publisher,
        locks: ConversationLocks,
        run_db: RunDb,
        trackers: RasaTrackerEraser | None,
    ) -> None:
        self.session_factory = session_factory
        self.bus = bus
        self.locks = locks
        self.run_db = run_db
        self.trackers = trackers

    async def erase(
        self, channel: str, external_id: str, silent_since: datetime | None = None
    ) -> bool:
        """Delete the patient's conversation, every message in it and Rasa's trackers of it.

        With `silent_since` (the retention purge) a conversation that received a
        message after that time is kept. ErasureFailed if Rasa's tracker store
        cannot be reached: then nothing is erased.
        """
        async with hold_conversation(self.locks, channel, external_id):
            conversation_id = await self.run_db(self._delete, channel, external_id, silent_since)
        if conversation_id is None:
            return False
        event = {"type": vocabulary.DELETED, "conversation_id": conversation_id}
        self.bus.publish(topics.conversation(conversation_id), event)
        self.bus.publish(topics.channel(channel, external_id), event)
        self.bus.publish(
            topics.HANDOFFS,
            {"type": vocabulary.CONVERSATION_DELETED, "conversation_id": conversation_id},
        )
        return True

    def _delete(self, channel: str, external_id: str, silent_since: datetime | None) -> str | None:
        with unit_of_work(self.session_factory) as session:
            if silent_since is None:
                # The patient's own erasure also withdraws bulletin consent (silence does not).
                erase_recipient(session=session, channel=channel, external_id=external_id)
            conversation = store.find_conversation(
                session=session, channel=channel, external_id=external_id
            )
            if conversation is None:
                return None
            if silent_since is not None and conversation.last_message_at >= silent_since:
                return None
            conversation_id = conversation.id
            sender_ids = conversation.rasa_sender_ids
            store.delete_conversation(session=session, conversation_id=conversation_id)
            # Rasa's copy is erased before ours is committed: if it cannot be,
            # the rollback keeps ours too and the patient can simply try again.
            if self.trackers is not None:
                try:
                    self.trackers.erase(sender_ids)
                except (SQLAlchemyError, OSError) as exc:
                    logger.error(
                        "could not erase Rasa's trackers of conversation %s: %s",
                        conversation_id,
                        type(exc).__name__,
                    )
                    raise ErasureFailed(conversation_id) from exc
            return conversation_id

    async def purge_silent(self, retention: timedelta) -> int:
        """Erase every conversation with no message for `retention` (the clinic's promise)."""
        silent_since = utcnow() - retention

        def silent() -> list[tuple[str, str]]:
            with unit_of_work(self.session_factory) as session:
                return store.silent_conversations(session=session, since=silent_since)

        erased = 0
        for channel, external_id in await self.run_db(silent):
            if await self.erase(channel, external_id, silent_since=silent_since):
                erased += 1
        return erased
