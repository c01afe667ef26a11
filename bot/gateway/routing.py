"""Where every patient message goes: stored first, safety-checked, then to Rasa or to a clinician.

Domain logic only (no HTTP): channel adapters call `Router.handle_incoming`,
the clinician console calls `Router.deliver`. The order of steps is the point:

1. store the patient's message (its own transaction: nothing is lost if anything
   after it fails, Rasa included);
2. red-flag check: an emergency gets the vetted emergency text at once and an
   emergency handoff (or raises the open one's priority);
3. first message of a conversation: the first-contact notice;
4. owner "clinician" (an open handoff): the message goes to the handoff side and
   never to Rasa (button presses and commands too; only cancel is ours);
   owner "bot": to Rasa as the conversation's current sender id;
   Rasa did not understand a message that carries signs of urgency
   (bot.safety.urgency): instead of the ask-to-rephrase, the short "possibly
   urgent" reply and an urgent handoff;
5. Rasa fails: the patient is told at once (with the clinic's phone), the
   message is marked failed and retried by `retry_failed` when Rasa is back.

Database work runs in worker threads (SQLAlchemy is synchronous) in as few hops
as possible; messages of one conversation are handled strictly one at a time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import anyio
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.bulletins.subscriptions import erase_recipient
from bot.db.base import utcnow
from bot.db.models import Conversation, Message
from bot.db.session import unit_of_work
from bot.events import topics, vocabulary
from bot.events.bus import EventBus
from bot.gateway import conversations as store
from bot.gateway import handoffs, texts
from bot.gateway.messages import (
    COMMAND_INTENTS,
    OUTGOING_MAX_CHARS,
    OUTGOING_SENDERS,
    ChannelSender,
    ConversationNotFound,
    ConversationRef,
    ErasureFailed,
    Incoming,
    RouteResult,
    StoredMessage,
)
from bot.gateway.rasa_client import RasaClient, RasaResponse, RasaUnavailable
from bot.gateway.rasa_trackers import RasaTrackerEraser
from bot.gateway.safety import NOT_EMERGENCY, SafetyCheck, SafetyVerdict
from bot.gateway.texts import emergency_text, system_text
from bot.gateway.validation import InputError, clean_text
from bot.handoff.queue import get_open_handoff
from bot.handoff.rating import handle_rating_payload
from bot.handoff.service import note_message
from bot.locks.base import ConversationLocks
from bot.locks.memory import InProcessLocks

logger = logging.getLogger(__name__)

BUTTON_NOT_HERE = "That button is not part of this conversation."


# Commands every channel understands, and the Rasa intent each one stands for.
@dataclass
class _Plan:
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


class Router:
    """The gateway's routing service; one per app, created at start-up."""

    def __init__(
        self,
        *,
        session_factory: sessionmaker,
        rasa: RasaClient,
        bus: EventBus,
        safety: SafetyCheck,
        max_message_chars: int = 2000,
        segment_turns: int = 20,
        db_concurrency: int = 1,
        trackers: RasaTrackerEraser | None = None,
        locks: ConversationLocks | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.rasa = rasa
        self.bus = bus
        self.safety = safety
        self.trackers = trackers
        self.max_message_chars = max_message_chars
        self.segment_turns = segment_turns
        # SQLite has one writer at a time: more threads only wait on its lock, and its
        # busy handler waits by sleeping (1 ms, 2 ms, ... 100 ms), which is what made
        # latency grow under load. A queue in front of the database is fairer and faster.
        self.db_limiter = anyio.CapacityLimiter(db_concurrency)
        self.channels: dict[str, ChannelSender] = {}
        # One message per conversation at a time, in every gateway that shares `locks`.
        self.locks = locks or InProcessLocks()

    # -- wiring -------------------------------------------------------------------------

    def register_channel(self, name: str, sender: ChannelSender) -> None:
        self.channels[name] = sender

    async def run_db(self, function: Callable[..., Any], *args: Any) -> Any:
        """Run database work in a worker thread, at most `db_concurrency` at a time."""
        return await anyio.to_thread.run_sync(function, *args, limiter=self.db_limiter)

    @asynccontextmanager
    async def _conversation_lock(self, channel: str, external_id: str) -> AsyncIterator[None]:
        """One message at a time per conversation, so Rasa's tracker sees them in order."""
        async with self.locks.hold(f"conversation:{channel}:{external_id}"):
            yield

    # -- incoming -----------------------------------------------------------------------

    async def handle_incoming(
        self, incoming: Incoming, authorize: Callable[[Session], object] | None = None
    ) -> RouteResult:
        """Store, check, route one patient action; returns everything stored for it.

        `authorize(session)` runs first in the transaction that stores the message
        (an integration's API key check): what it raises is raised, nothing is stored.
        """
        if incoming.text is not None:
            incoming = Incoming(
                channel=incoming.channel,
                external_id=incoming.external_id,
                text=clean_text(incoming.text, self.max_message_chars),
                button=incoming.button,
                command=incoming.command,
                token_hash=incoming.token_hash,
            )
        elif incoming.button is None and incoming.command is None:
            raise InputError(422, "Send 'text', a 'button' or a command.")
        if incoming.command is not None and incoming.command not in COMMAND_INTENTS:
            raise InputError(422, f"Unknown command '{incoming.command}'.")

        async with self._conversation_lock(incoming.channel, incoming.external_id):
            plan = await self.run_db(self._store_and_plan, incoming, authorize)
            self._publish_message(plan.conversation, plan.patient)
            for message in plan.immediate:
                await self._push(plan.conversation, message)
            replies = list(plan.immediate)
            if plan.rasa_text is None:
                return RouteResult(
                    plan.conversation.id, plan.patient, replies, plan.outcome, plan.emergency
                )
            more, outcome = await self._ask_rasa(plan)
            replies.extend(more)
            return RouteResult(plan.conversation.id, plan.patient, replies, outcome, plan.emergency)

    def _store_and_plan(
        self, incoming: Incoming, authorize: Callable[[Session], object] | None = None
    ) -> _Plan:
        with unit_of_work(self.session_factory) as session:
            if authorize is not None:
                authorize(session)
            if incoming.button is not None and not store.find_conversation(
                session=session, channel=incoming.channel, external_id=incoming.external_id
            ):
                # Refused before anything is written: on SQLite the conversation's savepoint
                # commits on release, so a later refusal would leave it behind.
                raise InputError(404, BUTTON_NOT_HERE)
            conversation, _created = store.get_or_create_conversation(
                session=session,
                channel=incoming.channel,
                external_id=incoming.external_id,
                token_hash=incoming.token_hash,
            )
            text, payload = self._resolve_input(session, conversation, incoming)
            patient_row = store.add_message(
                session=session,
                conversation=conversation,
                sender="patient",
                text=text,
                payload=payload,
                status="pending",
            )
            ref = ConversationRef(conversation.id, conversation.channel, conversation.external_id)
            # The patient's message is committed before anything that could fail; the
            # same session goes on (its objects stay loaded) with a new transaction.
            session.commit()

            # Typed text only: buttons and commands are our own words.
            verdict = self.safety.check(text) if incoming.text is not None else NOT_EMERGENCY

            # Decide where it goes and store what we say at once.
            immediate: list[Message] = []
            plan = _Plan(conversation=ref, patient=StoredMessage.of(patient_row), immediate=[])

            if verdict.is_emergency:
                immediate += self._emergency(session, conversation, patient_row, verdict)
                plan.emergency = True

            if not conversation.notice_shown or incoming.command == "start":
                immediate.append(self._system(session, conversation, "first_contact_notice"))
                conversation.notice_shown = True

            if plan.emergency:
                plan.outcome = "clinician"
            elif conversation.owner == "clinician":
                plan.outcome = "clinician"
                if incoming.command == "cancel":
                    immediate += self._cancel(session, conversation, patient_row)
                else:
                    self._to_clinician(session, conversation, patient_row)
            elif (
                thanks := handle_rating_payload(
                    session=session, conversation_id=conversation.id, payload=patient_row.payload
                )
            ) is not None:
                # Our own 1-5 rating buttons after a handoff: recorded, never sent to Rasa.
                patient_row.status = "bot"
                immediate.append(
                    store.add_message(
                        session=session,
                        conversation=conversation,
                        sender="system",
                        text=thanks,
                        status="sent",
                        meta={"system": "rating_thanks"},
                    )
                )
            else:
                plan.rasa_sender_id = conversation.rasa_sender_id
                plan.rasa_text = self._rasa_text(incoming, text, payload)
                plan.is_doctor_request = incoming.command == "doctor"
                plan.urgency = verdict.urgency if verdict.possibly_urgent else ()
            session.flush()
            plan.patient = StoredMessage.of(patient_row)
            plan.immediate = [StoredMessage.of(row) for row in immediate]
            return plan

    def _resolve_input(
        self, session: Session, conversation: Conversation, incoming: Incoming
    ) -> tuple[str, str | None]:
        """(text to store, quick-reply payload) for what the patient did."""
        if incoming.button is not None:
            message_id, index = incoming.button
            offered = store.get_message(session=session, message_id=message_id)
            if (
                offered is None
                or offered.conversation_id != conversation.id
                or not offered.buttons
                or index >= len(offered.buttons)
            ):
                raise InputError(404, BUTTON_NOT_HERE)
            button = offered.buttons[index]
            return str(button.get("title", "")), str(button.get("payload", ""))
        if incoming.command is not None:
            return f"/{incoming.command}", COMMAND_INTENTS[incoming.command]
        return incoming.text or "", None

    @staticmethod
    def _rasa_text(incoming: Incoming, text: str, payload: str | None) -> str:
        if payload:
            return payload
        # Typed text is never an intent: "/request_human{...}" typed by a patient is just text.
        return text.lstrip("/").strip() or text

    def _system(self, session: Session, conversation: Conversation, message_id: str) -> Message:
        return store.add_message(
            session=session,
            conversation=conversation,
            sender="system",
            text=system_text(message_id),
            status="sent",
            meta={"system": message_id},
        )

    def _emergency(
        self, session: Session, conversation: Conversation, patient: Message, verdict: SafetyVerdict
    ) -> list[Message]:
        """Vetted emergency text at once, then an emergency handoff (or the open one raised)."""
        reply = store.add_message(
            session=session,
            conversation=conversation,
            sender="system",
            text=emergency_text(verdict.category, verdict.language),
            status="sent",
            meta={"system": "emergency", "category": verdict.category, "language": verdict.language},
        )
        red_flags = verdict.flags or [{"category": verdict.category}]
        handoff, created = handoffs.escalate_emergency(
            session=session, conversation=conversation, red_flags=red_flags
        )
        patient.handoff_id = handoff.id
        patient.status = "clinician"
        patient.meta = {
            **(patient.meta or {}),
            "red_flags": red_flags,
            "category": verdict.category,
        }
        session.flush()
        return [reply]

    def _to_clinician(self, session: Session, conversation: Conversation, patient: Message) -> None:
        """Link the message to the open handoff; the service wakes the console after commit."""
        if note_message(session=session, message=patient) is None:
            logger.warning(
                "conversation %s is clinician-owned without an open handoff", conversation.id
            )
        patient.status = "clinician"

    def _cancel(
        self, session: Session, conversation: Conversation, patient: Message
    ) -> list[Message]:
        handoff = handoffs.cancel_handoff(session=session, conversation=conversation)
        patient.status = "clinician"
        patient.handoff_id = handoff.id if handoff else None
        return [self._system(session, conversation, "handoff_cancelled")]

    async def _ask_rasa(self, plan: _Plan) -> tuple[list[StoredMessage], str]:
        assert plan.rasa_text is not None and plan.rasa_sender_id is not None
        ref = plan.conversation
        await self._typing(ref, True)
        try:
            response = await self.rasa.send(
                plan.rasa_sender_id,
                plan.rasa_text,
                metadata={"conversation_id": ref.id, "channel": ref.channel},
            )
        except RasaUnavailable as exc:
            logger.error("Rasa unavailable for conversation %s: %s", ref.id, exc)
            stored = await self.run_db(self._record_failure, plan)
            await self._typing(ref, False)
            for message in stored:
                await self._push(ref, message)
            return stored, "failed"
        if plan.urgency and response.is_not_understood:
            stored = await self.run_db(self._possibly_urgent, plan)
            outcome = "clinician"
        else:
            stored = await self.run_db(self._record_replies, ref.id, plan.patient, response)
            outcome = "bot"
        await self._typing(ref, False)
        for message in stored:
            await self._push(ref, message)
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

    def _possibly_urgent(self, plan: _Plan) -> list[StoredMessage]:
        """A message that may be urgent is never asked to rephrase: a calm reply and an urgent handoff.

        Rasa's own replies are dropped; its tracker keeps them, which is harmless as
        the conversation is now the clinician's.
        """
        with unit_of_work(self.session_factory) as session:
            conversation = session.get(Conversation, plan.conversation.id)
            patient = session.get(Message, plan.patient.id)
            if conversation is None or patient is None:  # erased while Rasa was thinking
                return []
            reply = self._system(session, conversation, "possibly_urgent")
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

    def _record_failure(self, plan: _Plan) -> list[StoredMessage]:
        with unit_of_work(self.session_factory) as session:
            conversation = session.get(Conversation, plan.conversation.id)
            patient = session.get(Message, plan.patient.id)
            if conversation is None or patient is None:
                return []
            patient.status = "failed"
            rows = [self._system(session, conversation, "service_unavailable")]
            if plan.is_doctor_request:
                # Asking for a clinician must not depend on Rasa being up.
                handoff = handoffs.request_clinician(session=session, conversation=conversation)
                patient.status = "clinician"
                patient.handoff_id = handoff.id
            session.flush()
            return [StoredMessage.of(row) for row in rows]

    # -- outgoing -----------------------------------------------------------------------

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
        await self._push(ref, message)
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

    def _publish_message(self, ref: ConversationRef, message: StoredMessage) -> None:
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

    async def _push(self, ref: ConversationRef, message: StoredMessage) -> None:
        """Publish for listeners, then send on the patient's channel; a send failure is logged, not raised."""
        self._publish_message(ref, message)
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

    async def _typing(self, ref: ConversationRef, on: bool) -> None:
        event = {"type": vocabulary.TYPING, "conversation_id": ref.id, "on": on}
        self.bus.publish(topics.conversation(ref.id), event)
        self.bus.publish(topics.channel(ref.channel, ref.external_id), event)
        sender = self.channels.get(ref.channel)
        if on and sender is not None:
            try:
                await sender.typing(ref.external_id)
            except Exception:  # noqa: BLE001
                logger.warning("typing indicator on %s failed", ref.channel)

    # -- history, erasure, retries ------------------------------------------------------

    async def history(
        self, channel: str, external_id: str, after_id: int = 0
    ) -> list[StoredMessage]:
        def load() -> list[StoredMessage]:
            with unit_of_work(self.session_factory) as session:
                conversation = store.find_conversation(
                    session=session, channel=channel, external_id=external_id
                )
                if conversation is None:
                    return []
                rows = store.list_messages(
                    session=session, conversation_id=conversation.id, after_id=after_id, limit=1000
                )
                return [StoredMessage.of(row) for row in rows]

        return await self.run_db(load)

    async def erase(
        self, channel: str, external_id: str, silent_since: datetime | None = None
    ) -> bool:
        """Delete the patient's conversation, every message in it and Rasa's trackers of it.

        /delete and the web chat's delete button call it; so does the retention
        purge, with `silent_since`: then a conversation that received a message
        after that time is kept. ErasureFailed if Rasa's tracker store cannot be
        reached: then nothing is erased.
        """

        def delete() -> str | None:
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

        async with self._conversation_lock(channel, external_id):
            conversation_id = await self.run_db(delete)
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

    async def retry_failed(self, max_age_s: float = 900) -> int:
        """Re-send to Rasa the newest unanswered message of each bot-owned conversation.

        Older failed messages of a conversation stay failed (the patient has moved
        on; the clinician sees them marked). Returns how many were answered.
        """

        def candidates() -> list[tuple[ConversationRef, int, str, str, str | None]]:
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
                    ref = ConversationRef(
                        conversation.id, conversation.channel, conversation.external_id
                    )
                    found.append(
                        (
                            ref,
                            message.id,
                            conversation.rasa_sender_id,
                            message.text,
                            message.payload,
                        )
                    )
            return found

        answered = 0
        for ref, message_id, sender_id, text, payload in await self.run_db(candidates):
            async with self._conversation_lock(ref.channel, ref.external_id):
                patient = await self.run_db(self._reload_failed, message_id)
                if patient is None:
                    continue
                plan = _Plan(
                    conversation=ref,
                    patient=patient,
                    immediate=[],
                    rasa_sender_id=sender_id,
                    rasa_text=payload or text.lstrip("/").strip() or text,
                )
                try:
                    response = await self.rasa.send(
                        sender_id,
                        cast(str, plan.rasa_text),  # set just above, never None
                        metadata={"conversation_id": ref.id, "channel": ref.channel},
                    )
                except RasaUnavailable:
                    break  # still down: try again next round
                stored = await self.run_db(self._record_replies, ref.id, patient, response)
                for message in stored:
                    await self._push(ref, message)
                answered += 1
        return answered

    def _reload_failed(self, message_id: int) -> StoredMessage | None:
        with unit_of_work(self.session_factory) as session:
            message = session.get(Message, message_id)
            if message is None or message.status != "failed":
                return None
            return StoredMessage.of(message)


async def run_every(
    interval_s: float,
    stop: asyncio.Event,
    job: Callable[[], Awaitable[None]],
    what: str,
    run_first: bool = False,
) -> None:
    """Background task of the app: run `job` every `interval_s` until `stop`; survive its errors."""
    while not stop.is_set():
        if not run_first:
            try:
                await asyncio.wait_for(stop.wait(), timeout=interval_s)
                return
            except asyncio.TimeoutError:
                pass
        run_first = False
        try:
            await job()
        except Exception as exc:  # noqa: BLE001 - the loop must survive anything
            logger.error("%s went wrong: %s", what, type(exc).__name__)


async def retry_forever(router: Router, interval_s: float, stop: asyncio.Event) -> None:
    """Retry failed messages whenever Rasa is reachable."""

    async def retry() -> None:
        if await router.rasa.is_up():
            answered = await router.retry_failed()
            if answered:
                logger.info("answered %d message(s) that had failed while Rasa was down", answered)

    await run_every(interval_s, stop, retry, "retrying failed messages")


async def purge_forever(
    router: Router, retention: timedelta, interval_s: float, stop: asyncio.Event
) -> None:
    """Erase conversations silent for longer than the retention limit, checked every `interval_s`."""

    async def purge() -> None:
        erased = await router.purge_silent(retention)
        if erased:
            logger.info("erased %d conversation(s) past the retention limit", erased)

    # At start-up too: a gateway restarted more often than hourly must still purge.
    await run_every(interval_s, stop, purge, "the retention purge", run_first=True)


def _withhold_unvetted_answers(response: RasaResponse) -> None:
    """Replace an FAQ answer whose content expired or was retired since training."""
    for reply in response.replies:
        faq_id = reply.custom.get("faq_id")
        if faq_id and not texts.faq_still_vetted(str(faq_id)):
            reply.text = texts.system_text("answer_under_review")
            reply.buttons = []
