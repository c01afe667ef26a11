"""The Rasa exchange: send a planned turn to Rasa, store what it answered, or what went wrong.

- Rasa answers: its replies are stored (an FAQ answer whose content expired since
  training is replaced by `answer_under_review`) and the conversation's tracker
  segment moves on at a rest point (docs/architecture.md).
- Rasa did not understand a message with signs of urgency: its reply is dropped,
  the patient gets `possibly_urgent` and an urgent handoff opens.
- Rasa is unavailable: the patient is told at once (`service_unavailable`), the
  message is marked failed, and `retry_failed` sends it again when Rasa is back
  (a /doctor request opens its handoff at once: it must not wait for Rasa).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy.orm import sessionmaker

from bot.db.base import utcnow
from bot.db.models import Conversation, Message
from bot.db.session import unit_of_work
from bot.gateway import conversations as store
from bot.gateway import handoffs, texts
from bot.gateway.delivery import Delivery, RunDb
from bot.gateway.messages import ConversationRef, StoredMessage
from bot.gateway.rasa_client import RasaClient, RasaResponse, RasaUnavailable
from bot.gateway.turn import Plan, add_system_message, hold_conversation, rasa_text
from bot.locks.base import ConversationLocks

logger = logging.getLogger(__name__)


class RasaExchange:
    def __init__(
        self,
        *,
        session_factory: sessionmaker,
        rasa: RasaClient,
        delivery: Delivery,
        locks: ConversationLocks,
        run_db: RunDb,
        segment_turns: int,
    ) -> None:
        self.session_factory = session_factory
        self.rasa = rasa
        self.delivery = delivery
        self.locks = locks
        self.run_db = run_db
        self.segment_turns = segment_turns

    async def _send(self, plan: Plan) -> RasaResponse:
        assert plan.rasa_text is not None and plan.rasa_sender_id is not None
        ref = plan.conversation
        return await self.rasa.send(
            plan.rasa_sender_id,
            plan.rasa_text,
            metadata={"conversation_id": ref.id, "channel": ref.channel},
        )

    async def ask(self, plan: Plan) -> tuple[list[StoredMessage], str]:
        """Carry out a turn planned for Rasa; (what was stored and sent, the outcome)."""
        ref = plan.conversation
        await self.delivery.typing(ref, True)
        try:
            response = await self._send(plan)
        except RasaUnavailable as exc:
            logger.error("Rasa unavailable for conversation %s: %s", ref.id, exc)
            stored = await self.run_db(self._record_failure, plan)
            outcome = "failed"
        else:
            if plan.urgency and response.is_not_understood:
                stored = await self.run_db(self._possibly_urgent, plan)
                outcome = "clinician"
            else:
                stored = await self.run_db(self._record_replies, ref.id, plan.patient, response)
                outcome = "bot"
        await self.delivery.typing(ref, False)
        await self.delivery.push_all(ref, stored)
        return stored, outcome

    def _record_replies(
        self, conversation_id: str, patient: StoredMessage, response: RasaResponse
    ) -> list[StoredMessage]:
        with unit_of_work(self.session_factory) as session:
            conversation = session.get(Conversation, conversation_id)
            meta = (
                {**patient.meta, "faq_ids": response.faq_ids} if response.faq_ids else patient.meta
            )
            answered = store.mark_answered(
                session=session, message_id=patient.id, status="bot", meta=meta
            )
            if conversation is None or not answered:  # erased while Rasa was thinking
                return []
            _withhold_unvetted_answers(response)
            rows = [
                store.add_message(
                    session=session,
                    conversation=conversation,
                    sender="bot",
                    text=reply.text,
                    buttons=[b.as_dict() for b in reply.buttons],
                    meta={"custom": reply.custom} if reply.custom else None,
                    status="sent",
                )
                for reply in response.replies
            ]
            self._advance_segment(conversation, response)
            session.flush()
            return [StoredMessage.of(row) for row in rows]

    def _possibly_urgent(self, plan: Plan) -> list[StoredMessage]:
        """A message that may be urgent is never asked to rephrase: a calm reply and an urgent handoff.

        Rasa's own replies are dropped; its tracker keeps them, which is harmless as
        the conversation is now the clinician's.
        """
        with unit_of_work(self.session_factory) as session:
            conversation = session.get(Conversation, plan.conversation.id)
            patient = session.get(Message, plan.patient.id)
            if conversation is None or patient is None:  # erased while Rasa was thinking
                return []
            reply = add_system_message(session, conversation, "possibly_urgent")
            handoff, _created = handoffs.escalate_possibly_urgent(
                session=session, conversation=conversation, urgency=plan.urgency
            )
            patient.status = "clinician"
            patient.handoff_id = handoff.id
            patient.meta = {**(patient.meta or {}), "urgency": list(plan.urgency)}
            session.flush()
            return [StoredMessage.of(reply)]

    def _advance_segment(self, conversation: Conversation, response: RasaResponse) -> None:
        """Start a fresh Rasa tracker at a rest point once a segment is long enough."""
        conversation.segment_turns = (conversation.segment_turns or 0) + 1
        if (
            conversation.owner == "bot"
            and conversation.segment_turns >= self.segment_turns
            and response.is_rest_point
        ):
            conversation.rasa_segment = (conversation.rasa_segment or 0) + 1
            conversation.segment_turns = 0

    def _record_failure(self, plan: Plan) -> list[StoredMessage]:
        with unit_of_work(self.session_factory) as session:
            conversation = session.get(Conversation, plan.conversation.id)
            patient = session.get(Message, plan.patient.id)
            if conversation is None or patient is None:
                return []
            patient.status = "failed"
            rows = [add_system_message(session, conversation, "service_unavailable")]
            if plan.is_doctor_request:
                # Asking for a clinician must not depend on Rasa being up.
                handoff = handoffs.request_clinician(session=session, conversation=conversation)
                patient.status = "clinician"
                patient.handoff_id = handoff.id
            session.flush()
            return [StoredMessage.of(row) for row in rows]

    # -- retries ------------------------------------------------------------------------

    async def retry_failed(self, max_age_s: float = 900) -> int:
        """Re-send to Rasa the newest unanswered message of each bot-owned conversation.

        Older failed messages of a conversation stay failed (the patient has moved
        on; the clinician sees them marked). Returns how many were answered.
        """
        answered = 0
        for ref, message_id, sender_id, text in await self.run_db(self._retry_candidates, max_age_s):
            async with hold_conversation(self.locks, ref.channel, ref.external_id):
                patient = await self.run_db(self._reload_failed, message_id)
                if patient is None:
                    continue
                plan = Plan(
                    conversation=ref,
                    patient=patient,
                    immediate=[],
                    rasa_sender_id=sender_id,
                    rasa_text=text,
                )
                try:
                    response = await self._send(plan)
                except RasaUnavailable:
                    break  # still down: try again next round
                stored = await self.run_db(self._record_replies, ref.id, patient, response)
                await self.delivery.push_all(ref, stored)
                answered += 1
        return answered

    def _retry_candidates(self, max_age_s: float) -> list[tuple[ConversationRef, int, str, str]]:
        """(conversation, message id, Rasa sender id, what to send Rasa) of each message to retry."""
        since = utcnow() - timedelta(seconds=max_age_s)
        found = []
        with unit_of_work(self.session_factory) as session:
            for message in store.failed_messages(session=session, since=since):
                conversation = message.conversation
                newest = store.newest_patient_message_id(
                    session=session, conversation_id=conversation.id
                )
                if conversation.owner != "bot" or newest != message.id:
                    continue
                ref = ConversationRef(conversation.id, conversation.channel, conversation.external_id)
                found.append(
                    (ref, message.id, conversation.rasa_sender_id, rasa_text(message.text, message.payload))
                )
        return found

    def _reload_failed(self, message_id: int) -> StoredMessage | None:
        with unit_of_work(self.session_factory) as session:
            message = session.get(Message, message_id)
            if message is None or message.status != "failed":
                return None
            return StoredMessage.of(message)


def _withhold_unvetted_answers(response: RasaResponse) -> None:
    """Replace an FAQ answer whose content expired or was retired since training."""
    for reply in response.replies:
        faq_id = reply.custom.get("faq_id")
        if faq_id and not texts.faq_still_vetted(str(faq_id)):
            reply.text = texts.system_text("answer_under_review")
            reply.buttons = []
