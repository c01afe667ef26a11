"""Routing: stored first, safety before Rasa, clinician-owned never reaches Rasa, Rasa failures never silent.

Runs on SQLite and PostgreSQL (`database_url`) against real Rasa servers; the
failing stand-in is used only where Rasa must be slow or broken.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import select

from bot.db.base import utcnow
from bot.db.models import Conversation, Message
from bot.db.session import unit_of_work
from bot.events.memory import InProcessBus
from bot.gateway.app import Gateway
from bot.gateway.messages import ConversationNotFound, ErasureFailed, Incoming
from bot.gateway.texts import clinic_phone, emergency_text, system_text
from bot.gateway.validation import InputError
from bot.handoff.models import Handoff
from bot.tracker_store import SQLiteTrackerStore
from tests.support.detectors import EMERGENCY_TEXT, UrgencyWords
from tests.support.fixtures import CLOSED_PORT_URL, make_settings
from tests.support.rasa_failures import FailingRasa
from tests.support.rasa_process import RASA_TOKEN, RasaServer, train_mini_model
from tests.support.servers import free_port


@asynccontextmanager
async def running(
    database_url: str, rasa_url: str, detector: Any = None, **overrides: Any
) -> AsyncIterator[Gateway]:
    gateway = Gateway(
        make_settings(database_url, rasa_url, **overrides), bus=InProcessBus(), detector=detector
    )
    await gateway.start()
    try:
        yield gateway
    finally:
        await gateway.stop()


def rasa_user_texts(rasa_url: str, sender_id: str) -> list[str]:
    """What a real Rasa server's tracker recorded as user messages for `sender_id`."""
    response = httpx.get(
        f"{rasa_url}/conversations/{sender_id}/tracker", params={"token": RASA_TOKEN}, timeout=10
    )
    response.raise_for_status()
    return [e.get("text") for e in response.json()["events"] if e["event"] == "user"]


def drain(subscription: Any, event_type: str) -> list[dict[str, Any]]:
    """Every event of `event_type` received so far (the handoff side publishes on the topic too)."""
    found = []
    while (item := subscription.get_nowait()) is not None:
        if item[1].get("type") == event_type:
            found.append(item[1])
    return found


def rows(gateway: Gateway, conversation_id: str) -> list[Message]:
    with unit_of_work(gateway.session_factory) as session:
        return list(
            session.execute(
                select(Message)
                .where(Message.conversation_id == conversation_id)
                .order_by(Message.id)
            ).scalars()
        )


def conversation(gateway: Gateway, conversation_id: str) -> Conversation:
    with unit_of_work(gateway.session_factory) as session:
        return session.get(Conversation, conversation_id)


def open_handoff(gateway: Gateway, conversation_id: str) -> str:
    """What the handoff service does when a clinician takes over: a waiting handoff, owner clinician."""
    with unit_of_work(gateway.session_factory) as session:
        handoff = Handoff(
            conversation_id=conversation_id,
            reason="request_human",
            priority="routine",
            status="waiting",
        )
        session.add(handoff)
        session.get(Conversation, conversation_id).owner = "clinician"
        session.flush()
        return handoff.id


async def test_message_is_stored_then_answered_by_rasa(
    database_url: str, mini_rasa_url: str
) -> None:
    async with running(database_url, mini_rasa_url) as gateway:
        result = await gateway.router.handle_incoming(Incoming("rest", "patient-1", text="hello"))

        assert result.outcome == "bot"
        assert [m.sender for m in result.replies] == ["system", "bot"]
        assert result.replies[0].text == system_text("first_contact_notice")
        assert result.replies[1].text == "Hello! What would you like to know?"
        assert [b["title"] for b in result.replies[1].buttons] == [
            "Opening hours",
            "What can you do?",
        ]
        stored = rows(gateway, result.conversation_id)
        assert [(m.sender, m.status) for m in stored] == [
            ("patient", "bot"),
            ("system", "sent"),
            ("bot", "sent"),
        ]
        assert stored[0].text == "hello"
        sender_id = conversation(gateway, result.conversation_id).rasa_sender_id
        assert rasa_user_texts(mini_rasa_url, sender_id) == ["hello"]


async def test_first_contact_notice_only_on_the_first_message(
    database_url: str, mini_rasa_url: str
) -> None:
    async with running(database_url, mini_rasa_url) as gateway:
        await gateway.router.handle_incoming(Incoming("rest", "p", text="hello"))
        second = await gateway.router.handle_incoming(Incoming("rest", "p", text="hello"))
        assert [m.sender for m in second.replies] == ["bot"]


async def test_button_press_sends_its_payload_and_stores_its_title(
    database_url: str, mini_rasa_url: str
) -> None:
    async with running(database_url, mini_rasa_url) as gateway:
        first = await gateway.router.handle_incoming(Incoming("rest", "p", text="hello"))
        offer = first.replies[-1]
        pressed = await gateway.router.handle_incoming(Incoming("rest", "p", button=(offer.id, 0)))

        assert [m.text for m in pressed.replies] == ["We are open Monday to Friday."]
        assert pressed.patient_message.text == "Opening hours"
        stored = rows(gateway, first.conversation_id)[-2]
        assert (stored.text, stored.payload) == ("Opening hours", "/ask_hours")
        sender_id = conversation(gateway, first.conversation_id).rasa_sender_id
        assert rasa_user_texts(mini_rasa_url, sender_id)[-1] == "/ask_hours"


async def test_a_button_of_another_conversation_is_refused(
    database_url: str, mini_rasa_url: str
) -> None:
    async with running(database_url, mini_rasa_url) as gateway:
        mine = await gateway.router.handle_incoming(Incoming("rest", "a", text="hello"))
        with pytest.raises(InputError) as refused:
            await gateway.router.handle_incoming(
                Incoming("rest", "b", button=(mine.replies[-1].id, 0))
            )
        assert refused.value.status_code == 404
        with pytest.raises(InputError):
            await gateway.router.handle_incoming(
                Incoming("rest", "a", button=(mine.replies[-1].id, 9))
            )


async def test_typed_slash_text_is_never_an_intent(database_url: str, mini_rasa_url: str) -> None:
    async with running(database_url, mini_rasa_url) as gateway:
        result = await gateway.router.handle_incoming(Incoming("rest", "p", text="/request_human"))
        assert result.replies[-1].text == "Sorry, I did not understand that."
        sender_id = conversation(gateway, result.conversation_id).rasa_sender_id
        assert rasa_user_texts(mini_rasa_url, sender_id) == ["request_human"]


async def test_rasa_down_tells_the_patient_and_keeps_the_message(database_url: str) -> None:
    async with running(database_url, CLOSED_PORT_URL) as gateway:
        result = await gateway.router.handle_incoming(
            Incoming("rest", "p", text="when are you open?")
        )

        assert result.outcome == "failed"
        unavailable = result.replies[-1]
        assert unavailable.text == system_text("service_unavailable")
        assert clinic_phone() in unavailable.text
        stored = rows(gateway, result.conversation_id)
        assert (stored[0].sender, stored[0].text, stored[0].status) == (
            "patient",
            "when are you open?",
            "failed",
        )


async def test_slow_rasa_times_out_quickly_and_is_not_silent(database_url: str) -> None:
    with FailingRasa("slow", delay_s=5) as rasa:
        async with running(database_url, rasa.url, rasa_timeout_s=0.5, rasa_retries=1) as gateway:
            started = time.monotonic()
            result = await gateway.router.handle_incoming(Incoming("rest", "p", text="hi"))
            elapsed = time.monotonic() - started
    assert result.outcome == "failed"
    assert result.replies[-1].text == system_text("service_unavailable")
    assert rasa.requests == 2  # one retry, as configured
    assert elapsed < 3


async def test_rasa_server_error_is_a_failure_too(database_url: str) -> None:
    with FailingRasa("error") as rasa:
        async with running(database_url, rasa.url) as gateway:
            result = await gateway.router.handle_incoming(Incoming("rest", "p", text="hi"))
    assert result.outcome == "failed"
    assert rows(gateway, result.conversation_id)[0].status == "failed"


async def test_a_failed_message_is_answered_when_rasa_is_back(database_url: str) -> None:
    port = free_port()
    async with running(database_url, f"http://127.0.0.1:{port}") as gateway:
        failed = await gateway.router.handle_incoming(Incoming("rest", "p", text="hours"))
        assert failed.outcome == "failed"
        server = RasaServer(train_mini_model(), port=port)
        await asyncio.to_thread(server.start)
        try:
            answered = await gateway.router.retry_failed()
        finally:
            await asyncio.to_thread(server.stop)
        assert answered == 1
        stored = rows(gateway, failed.conversation_id)
        assert stored[0].status == "bot"
        assert stored[-1].text == "We are open Monday to Friday."


async def test_doctor_request_opens_a_handoff_even_when_rasa_is_down(database_url: str) -> None:
    async with running(database_url, CLOSED_PORT_URL) as gateway:
        result = await gateway.router.handle_incoming(Incoming("rest", "p", command="doctor"))
        assert result.replies[-1].text == system_text("service_unavailable")
        handoff_id = rows(gateway, result.conversation_id)[0].handoff_id
        with unit_of_work(gateway.session_factory) as session:
            handoff = session.get(Handoff, handoff_id)
            assert (handoff.reason, handoff.status) == ("request_human", "waiting")


async def test_clinician_owned_conversation_never_reaches_rasa(
    database_url: str, real_rasa_url: str
) -> None:
    async with running(database_url, real_rasa_url) as gateway:
        router = gateway.router
        first = await router.handle_incoming(Incoming("rest", "p", text="hello"))
        conversation_id = first.conversation_id
        sender_id = conversation(gateway, conversation_id).rasa_sender_id
        before = rasa_user_texts(real_rasa_url, sender_id)
        handoff_id = open_handoff(gateway, conversation_id)
        await gateway.router.deliver(
            conversation_id, "Which one?", buttons=[{"title": "Left", "payload": "/left"}]
        )

        with router.bus.subscribe("handoffs") as handoff_events:
            typed = await router.handle_incoming(Incoming("rest", "p", text="my ear hurts"))
            offered = rows(gateway, conversation_id)[-2]
            pressed = await router.handle_incoming(Incoming("rest", "p", button=(offered.id, 0)))
            helped = await router.handle_incoming(Incoming("rest", "p", command="help"))
            doctor = await router.handle_incoming(Incoming("rest", "p", command="doctor"))
            events = drain(handoff_events, "handoff_message")

        for result in (typed, pressed, helped, doctor):
            assert result.outcome == "clinician"
            assert result.replies == []
            assert result.patient_message.status == "clinician"
        assert len(events) == 4 and {e["handoff_id"] for e in events} == {handoff_id}
        assert all(m.handoff_id == handoff_id for m in rows(gateway, conversation_id)[-4:])
        assert rasa_user_texts(real_rasa_url, sender_id) == before

        cancelled = await router.handle_incoming(Incoming("rest", "p", command="cancel"))
        assert [m.text for m in cancelled.replies] == [system_text("handoff_cancelled")]
        assert conversation(gateway, conversation_id).owner == "bot"
        with unit_of_work(gateway.session_factory) as session:
            assert session.get(Handoff, handoff_id).status == "cancelled"
        assert rasa_user_texts(real_rasa_url, sender_id) == before


async def test_an_emergency_written_in_spanish_gets_the_spanish_guidance(
    database_url: str, detector: Any
) -> None:
    async with running(database_url, CLOSED_PORT_URL, detector=detector) as gateway:
        result = await gateway.router.handle_incoming(
            Incoming("web", "w-es", text="mi hijo no puede respirar, se está ahogando")
        )
        assert result.emergency
        guidance = result.replies[0]
        assert guidance.text == emergency_text("breathing_difficulty", "es")
        assert "Llame al" in guidance.text
        assert guidance.meta == {
            "system": "emergency", "category": "breathing_difficulty", "language": "es"
        }


async def test_emergency_gets_vetted_text_at_once_and_an_emergency_handoff(
    database_url: str, mini_rasa_url: str, detector: Any
) -> None:
    async with running(database_url, mini_rasa_url, detector=detector) as gateway:
        with gateway.bus.subscribe("handoffs") as events:
            result = await gateway.router.handle_incoming(
                Incoming("rest", "p", text=EMERGENCY_TEXT)
            )
            # Published once, by the handoff service, after the commit.
            [event] = drain(events, "opened")

        category = detector.check(EMERGENCY_TEXT).category
        assert result.emergency and result.outcome == "clinician"
        assert result.replies[0].text == emergency_text(category)
        assert result.replies[1].text == system_text("first_contact_notice")
        assert event["priority"] == "emergency" and event["conversation_id"] == result.conversation_id
        with unit_of_work(gateway.session_factory) as session:
            handoff = session.execute(select(Handoff)).scalar_one()
            assert (handoff.priority, handoff.reason, handoff.status) == (
                "emergency",
                "emergency",
                "waiting",
            )
            assert handoff.red_flags
            # Who is in charge now depends on a clinician being available (the handoff side's rule).
        assert rows(gateway, result.conversation_id)[0].handoff_id == handoff.id
        sender_id = conversation(gateway, result.conversation_id).rasa_sender_id
        assert rasa_user_texts(mini_rasa_url, sender_id) == []


async def test_emergency_during_a_handoff_raises_its_priority(
    database_url: str, detector: Any
) -> None:
    async with running(database_url, CLOSED_PORT_URL, detector=detector) as gateway:
        first = await gateway.router.handle_incoming(Incoming("rest", "p", text="hello"))
        handoff_id = open_handoff(gateway, first.conversation_id)
        with gateway.bus.subscribe("handoffs") as events:
            result = await gateway.router.handle_incoming(
                Incoming("rest", "p", text=EMERGENCY_TEXT)
            )
            [event] = drain(events, "priority_raised")
        assert result.replies[0].text.startswith(
            emergency_text(detector.check(EMERGENCY_TEXT).category)[:20]
        )
        assert (event["priority"], event["handoff_id"]) == ("emergency", handoff_id)
        with unit_of_work(gateway.session_factory) as session:
            handoff = session.get(Handoff, handoff_id)
            assert (handoff.priority, handoff.priority_rank) == ("emergency", 0)
        assert rows(gateway, first.conversation_id)[-2].handoff_id == handoff_id


async def test_a_possibly_urgent_message_rasa_cannot_understand_is_never_asked_to_rephrase(
    database_url: str, mini_rasa_url: str
) -> None:
    detector = UrgencyWords("suddenly")
    async with running(database_url, mini_rasa_url, detector=detector) as gateway:
        with gateway.bus.subscribe("handoffs") as events:
            result = await gateway.router.handle_incoming(
                Incoming("rest", "p", text="my gran went all funny suddenly")
            )
            [event] = drain(events, "opened")
        assert not result.emergency and result.outcome == "clinician"
        assert [r.text for r in result.replies] == [
            system_text("first_contact_notice"),
            system_text("possibly_urgent"),
        ]
        assert "Sorry, I did not understand" not in " ".join(r.text for r in result.replies)
        with unit_of_work(gateway.session_factory) as session:
            handoff = session.execute(select(Handoff)).scalar_one()
            assert (handoff.priority, handoff.reason) == ("urgent", "possibly_urgent")
            assert handoff.red_flags == ["possibly urgent: time_danger"]
        patient = rows(gateway, result.conversation_id)[0]
        assert (patient.status, patient.handoff_id) == ("clinician", handoff.id)
        assert patient.meta["urgency"] == ["time_danger"]
        assert (event["handoff_id"], event["priority"]) == (handoff.id, "urgent")


async def test_urgency_signs_do_not_replace_an_answer_or_a_plain_rephrase(
    database_url: str, mini_rasa_url: str
) -> None:
    detector = UrgencyWords("suddenly")
    async with running(database_url, mini_rasa_url, detector=detector) as gateway:
        answered = await gateway.router.handle_incoming(
            Incoming("rest", "a", text="suddenly wondering when are you open")
        )
        assert answered.replies[-1].text == "We are open Monday to Friday."
        plain = await gateway.router.handle_incoming(Incoming("rest", "b", text="blorp"))
        assert plain.replies[-1].text == "Sorry, I did not understand that."
        assert plain.outcome == "bot"
        with unit_of_work(gateway.session_factory) as session:
            assert session.execute(select(Handoff)).first() is None


async def test_deliver_stores_and_pushes_to_the_patients_channel(
    database_url: str, mini_rasa_url: str
) -> None:
    async with running(database_url, mini_rasa_url) as gateway:
        first = await gateway.router.handle_incoming(Incoming("webchat", "hash-1", text="hello"))
        handoff_id = open_handoff(gateway, first.conversation_id)
        with gateway.bus.subscribe(
            "channel:webchat:hash-1", f"conversation:{first.conversation_id}"
        ) as sub:
            sent = await gateway.router.deliver(
                first.conversation_id, "Hello, I am Dr Lee.", buttons=[{"title": "Thanks"}]
            )
            topics = {sub.get_nowait()[0], sub.get_nowait()[0]}
        assert topics == {"channel:webchat:hash-1", f"conversation:{first.conversation_id}"}
        stored = rows(gateway, first.conversation_id)[-1]
        assert (stored.sender, stored.text, stored.handoff_id) == (
            "clinician",
            "Hello, I am Dr Lee.",
            handoff_id,
        )
        assert sent.public()["buttons"] == [{"title": "Thanks", "index": 0}]
        with pytest.raises(ConversationNotFound):
            await gateway.router.deliver("0" * 32, "anyone?")


async def test_rasa_moves_to_a_new_tracker_at_a_rest_point(
    database_url: str, mini_rasa_url: str
) -> None:
    async with running(database_url, mini_rasa_url, rasa_segment_turns=2) as gateway:
        router = gateway.router
        first = await router.handle_incoming(Incoming("rest", "p", text="hello"))
        conversation_id = first.conversation_id
        await router.handle_incoming(Incoming("rest", "p", text="hello"))  # 2 turns, no rest point
        assert conversation(gateway, conversation_id).rasa_segment == 0
        await router.handle_incoming(Incoming("rest", "p", text="hours"))  # rest point
        assert conversation(gateway, conversation_id).rasa_segment == 1
        await router.handle_incoming(Incoming("rest", "p", text="hello"))
        assert rasa_user_texts(mini_rasa_url, f"{conversation_id}-0") == ["hello", "hello", "hours"]
        assert rasa_user_texts(mini_rasa_url, f"{conversation_id}-1") == ["hello"]


async def test_messages_of_one_conversation_are_routed_in_order(
    database_url: str, mini_rasa_url: str
) -> None:
    async with running(database_url, mini_rasa_url) as gateway:
        texts = [f"question {i}" for i in range(6)]
        await asyncio.gather(
            *(gateway.router.handle_incoming(Incoming("rest", "p", text=t)) for t in texts)
        )
        stored = rows(gateway, (await gateway.router.history("rest", "p"))[0].conversation_id)
        patient_texts = [m.text for m in stored if m.sender == "patient"]
        sender_id = f"{stored[0].conversation_id}-0"
        assert rasa_user_texts(mini_rasa_url, sender_id) == patient_texts
        assert sorted(patient_texts) == texts


async def test_erase_deletes_the_conversation_and_its_messages(
    database_url: str, mini_rasa_url: str
) -> None:
    async with running(database_url, mini_rasa_url) as gateway:
        result = await gateway.router.handle_incoming(Incoming("telegram", "42", text="hello"))
        open_handoff(gateway, result.conversation_id)
        assert await gateway.router.erase("telegram", "42") is True
        assert rows(gateway, result.conversation_id) == []
        assert conversation(gateway, result.conversation_id) is None
        with unit_of_work(gateway.session_factory) as session:
            assert session.execute(select(Handoff)).first() is None
        assert await gateway.router.erase("telegram", "42") is False


async def _rasa_tracker_file(path: Path, *sender_ids: str) -> None:
    """Rasa's SQL tracker store file with a short conversation under each sender id."""
    store = SQLiteTrackerStore(domain=Domain.empty(), db=str(path))
    try:
        for sender_id in sender_ids:
            await store.save(
                DialogueStateTracker.from_events(
                    sender_id,
                    [SessionStarted(), ActionExecuted("action_listen"), UserUttered("my knee")],
                )
            )
    finally:
        store.engine.dispose()


def _rasa_senders(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        return sorted({row[0] for row in connection.execute("SELECT sender_id FROM events")})


def _update_conversation(gateway: Gateway, conversation_id: str, **values: Any) -> None:
    with unit_of_work(gateway.session_factory) as session:
        row = session.get(Conversation, conversation_id)
        for name, value in values.items():
            setattr(row, name, value)


def _with_rasa_trackers(database_url: str, tracker_db: Path) -> Any:
    """A gateway (Rasa down: messages are stored, not answered) erasing in `tracker_db`."""
    return running(database_url, CLOSED_PORT_URL, rasa_tracker_db_url=f"sqlite:///{tracker_db}")


@pytest.fixture
def tracker_db(tmp_path: Path) -> Path:
    """Where a test's Rasa tracker store file lives (created when first saved to)."""
    return tmp_path / "rasa_tracker.db"


async def test_erase_also_erases_rasas_copy_under_every_segment(
    database_url: str, tracker_db: Path
) -> None:
    async with _with_rasa_trackers(database_url, tracker_db) as gateway:
        result = await gateway.router.handle_incoming(Incoming("telegram", "42", text="hello"))
        _update_conversation(gateway, result.conversation_id, rasa_segment=1)
        mine = [f"{result.conversation_id}-0", f"{result.conversation_id}-1"]
        await _rasa_tracker_file(tracker_db, *mine, "someone-else-0")

        assert await gateway.router.erase("telegram", "42") is True
        assert conversation(gateway, result.conversation_id) is None
    assert _rasa_senders(tracker_db) == ["someone-else-0"]


async def test_an_unreachable_rasa_tracker_store_keeps_the_conversation_to_erase_later(
    database_url: str, tmp_path: Path
) -> None:
    unreadable = tmp_path / "no-such-dir" / "rasa_tracker.db"
    async with _with_rasa_trackers(database_url, unreadable) as gateway:
        result = await gateway.router.handle_incoming(Incoming("web", "w-1", text="hello"))
        with pytest.raises(ErasureFailed):
            await gateway.router.erase("web", "w-1")
        assert conversation(gateway, result.conversation_id) is not None
        assert [m.text for m in rows(gateway, result.conversation_id) if m.sender == "patient"] == [
            "hello"
        ]


async def test_conversations_silent_past_the_retention_limit_are_erased_with_rasas_copy(
    database_url: str, tracker_db: Path
) -> None:
    async with _with_rasa_trackers(database_url, tracker_db) as gateway:
        old = await gateway.router.handle_incoming(Incoming("rest", "old", text="hello"))
        recent = await gateway.router.handle_incoming(Incoming("rest", "recent", text="hello"))
        last_spoke = utcnow() - timedelta(days=91)
        _update_conversation(gateway, old.conversation_id, last_message_at=last_spoke)
        await _rasa_tracker_file(
            tracker_db, f"{old.conversation_id}-0", f"{recent.conversation_id}-0"
        )

        assert await gateway.router.purge_silent(timedelta(days=90)) == 1
        assert conversation(gateway, old.conversation_id) is None
        assert conversation(gateway, recent.conversation_id) is not None
        assert await gateway.router.purge_silent(timedelta(days=90)) == 0
    assert _rasa_senders(tracker_db) == [f"{recent.conversation_id}-0"]


@pytest.mark.parametrize(
    ("text", "status"),
    [("", 422), ("   \n ", 422), ("x" * 2001, 413), ("\x00\x01", 422)],
)
async def test_bad_text_is_refused_before_anything_is_stored(
    database_url: str, text: str, status: int
) -> None:
    async with running(database_url, CLOSED_PORT_URL) as gateway:
        with pytest.raises(InputError) as refused:
            await gateway.router.handle_incoming(Incoming("rest", "p", text=text))
        assert refused.value.status_code == status
        assert await gateway.router.history("rest", "p") == []


async def test_logs_never_carry_what_the_patient_wrote(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "my rash on the left thigh is spreading"
    caplog.set_level(logging.DEBUG)
    with FailingRasa("error") as rasa:
        async with running(database_url, rasa.url, rasa_retries=1) as gateway:
            await gateway.router.handle_incoming(Incoming("rest", "p", text=secret))
            await gateway.router.retry_failed()
    assert caplog.records  # the failure was logged...
    assert secret not in caplog.text  # ...without the message
    assert "thigh" not in caplog.text
