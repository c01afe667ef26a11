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
   owner "bot": to Rasa as the conversation's current sender id
   (bot.gateway.rasa_exchange, which also handles a possibly urgent message
   Rasa did not understand, and Rasa failures and their retries).

This module plans a turn; the other jobs have modules of their own, and `Router`
is the one object the channels, the console and the app hold:
- bot/gateway/delivery.py       outbound: store, publish on the bus, push to the channel;
- bot/gateway/rasa_exchange.py  the Rasa exchange and the retries of what failed;
- bot/gateway/erasure.py        erasure and the retention purge;
- bot/gateway/background.py     the loops that run retries and the purge;
- bot/gateway/turn.py           the plan, the conversation lock and system messages they share.

Database work runs in worker threads (SQLAlchemy is synchronous) in as few hops
as possible; messages of one conversation are handled strictly one at a time, in
every gateway that shares the locks (bot.locks).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import anyio
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import Conversation, Message
from bot.db.session import unit_of_work
from bot.events.bus import EventBus
from bot.gateway import conversations as store
from bot.gateway import handoffs
from bot.gateway.delivery import Delivery
from bot.gateway.erasure import Erasure
from bot.gateway.messages import (
    COMMAND_INTENTS,
    ChannelSender,
    ConversationRef,
    Incoming,
    RouteResult,
    StoredMessage,
)
from bot.gateway.rasa_client import RasaClient
from bot.gateway.rasa_exchange import RasaExchange
from bot.gateway.rasa_trackers import RasaTrackerEraser
from bot.gateway.safety import NOT_EMERGENCY, SafetyCheck, SafetyVerdict
from bot.gateway.texts import emergency_text
from bot.gateway.turn import Plan, add_system_message, hold_conversation, rasa_text
from bot.gateway.validation import InputError, clean_text
from bot.handoff.rating import handle_rating_payload
from bot.handoff.service import note_message
from bot.locks.base import ConversationLocks
from bot.locks.memory import InProcessLocks

logger = logging.getLogger(__name__)

BUTTON_NOT_HERE = "That button is not part of this conversation."


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
        # One message per conversation at a time, in every gateway that shares `locks`.
        self.locks = locks or InProcessLocks()
        self.delivery = Delivery(session_factory=session_factory, bus=bus, run_db=self.run_db)
        self.exchange = RasaExchange(
            session_factory=session_factory,
            rasa=rasa,
            delivery=self.delivery,
            locks=self.locks,
            run_db=self.run_db,
            segment_turns=segment_turns,
        )
        self.erasure = Erasure(
            session_factory=session_factory,
            bus=bus,
            locks=self.locks,
            run_db=self.run_db,
            trackers=trackers,
        )
        # Store a message to the patient and push it to their channel (the console's reply path).
        self.deliver = self.delivery.deliver

    # -- wiring -------------------------------------------------------------------------

    @property
    def channels(self) -> dict[str, ChannelSender]:
        return self.delivery.channels

    def register_channel(self, name: str, sender: ChannelSender) -> None:
        self.delivery.channels[name] = sender

    async def run_db(self, function: Callable[..., Any], *args: Any) -> Any:
        """Run database work in a worker thread, at most `db_concurrency` at a time."""
        return await anyio.to_thread.run_sync(function, *args, limiter=self.db_limiter)

    # -- the other jobs, for the channels, the console and the app -----------------------

    async def erase(
        self, channel: str, external_id: str, silent_since: datetime | None = None
    ) -> bool:
        """Delete the patient's conversation and Rasa's trackers of it (bot.gateway.erasure)."""
        return await self.erasure.erase(channel, external_id, silent_since)

    async def purge_silent(self, retention: timedelta) -> int:
        """Erase every conversation with no message for `retention` (bot.gateway.erasure)."""
        return await self.erasure.purge_silent(retention)

    async def retry_failed(self, max_age_s: float = 900) -> int:
        """Re-send what failed while Rasa was down (bot.gateway.rasa_exchange)."""
        return await self.exchange.retry_failed(max_age_s)

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

        async with hold_conversation(self.locks, incoming.channel, incoming.external_id):
            plan = await self.run_db(self._store_and_plan, incoming, authorize)
            self.delivery.publish_message(plan.conversation, plan.patient)
            await self.delivery.push_all(plan.conversation, plan.immediate)
            replies = list(plan.immediate)
            if plan.rasa_text is None:
                return RouteResult(
                    plan.conversation.id, plan.patient, replies, plan.outcome, plan.emergency
                )
            more, outcome = await self.exchange.ask(plan)
            replies.extend(more)
            return RouteResult(plan.conversation.id, plan.patient, replies, outcome, plan.emergency)

    def _store_and_plan(
        self, incoming: Incoming, authorize: Callable[[Session], object] | None = None
    ) -> Plan:
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
            plan = Plan(conversation=ref, patient=StoredMessage.of(patient_row), immediate=[])

            if verdict.is_emergency:
                immediate += self._emergency(session, conversation, patient_row, verdict)
                plan.emergency = True

            if not conversation.notice_shown or incoming.command == "start":
                immediate.append(add_system_message(session, conversation, "first_contact_notice"))
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
                plan.rasa_text = rasa_text(text, payload)
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
        return [add_system_message(session, conversation, "handoff_cancelled")]
