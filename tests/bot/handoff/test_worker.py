"""The sweep as the gateway runs it, and Telegram alerts with a Claim button (real PTB, Bot API stand-in)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker
from telegram import Update
from telegram.ext import Application

from bot.db.base import utcnow
from bot.db.models import Conversation, Message
from bot.db.session import unit_of_work
from bot.handoff import service
from bot.handoff.models import Handoff
from bot.handoff.notify import CLAIM_PREFIX, ClinicianNotifier, register_claim_handler
from bot.handoff.texts import system_text
from bot.handoff.worker import HandoffWorker
from bot.settings import get_settings
from tests.bot.console.conftest import RecordingDeliver, make_console_app
from tests.bot.handoff.conftest import SECRET
from tests.support.handoff import audit_actions, make_clinician, make_conversation, serve
from tests.support.telegram_api import TelegramApiStandIn

TOKEN = "123456:TEST-token"


@pytest.fixture
def telegram(test_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[TelegramApiStandIn]:
    stand_in = TelegramApiStandIn(TOKEN)
    base = stand_in.start()
    monkeypatch.setenv("PATIENTBOT_TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("PATIENTBOT_TELEGRAM_API_BASE_URL", base)
    get_settings.cache_clear()
    try:
        yield stand_in
    finally:
        stand_in.stop()


def _app(factory: sessionmaker) -> tuple[FastAPI, RecordingDeliver]:
    deliver = RecordingDeliver(factory)
    return make_console_app(factory, deliver), deliver


def _clinicians(factory: sessionmaker) -> dict[str, int]:
    with unit_of_work(factory) as s:
        return {
            "linked": make_clinician(s, "linked", telegram_chat_id="5001").id,
            "second": make_clinician(s, "second", telegram_chat_id="5002").id,
            "off": make_clinician(s, "off", on_duty=False, telegram_chat_id="5003").id,
            "unlinked": make_clinician(s, "unlinked").id,
        }


def _open(factory: sessionmaker, priority: str, minutes_ago: int = 0) -> tuple[str, str]:
    with unit_of_work(factory) as s:
        conv = make_conversation(s).id
        hid = service.open_handoff(
            session=s,
            conversation_id=conv,
            reason="personal_advice",
            priority=priority,
            now=utcnow() - timedelta(minutes=minutes_ago),
        ).id
        return conv, hid


async def test_the_sweep_tells_the_patient_and_hands_back_to_the_bot(
    test_env: dict[str, str], session_factory: sessionmaker
) -> None:
    app, deliver = _app(session_factory)
    fresh_conv, fresh = _open(session_factory, "routine", minutes_ago=1)
    old_conv, old = _open(session_factory, "routine", minutes_ago=45)  # past both limits (5 and 30 min)

    result = await HandoffWorker(app).sweep_once()

    assert sorted(result.alerted) == sorted([old]) and result.timed_out == [(old, old_conv)]
    assert [(m["conversation_id"], m["sender"]) for m in deliver.sent] == [(old_conv, "system")]
    assert "emergency" in deliver.sent[0]["text"].lower()  # what to do next includes emergency advice
    with unit_of_work(session_factory) as s:
        assert s.get(Conversation, old_conv).owner == "bot"
        assert s.get(Conversation, fresh_conv).owner == "clinician"
        assert s.get(Handoff, old).status == "waiting"
    assert (await HandoffWorker(app).sweep_once()).timed_out == []  # told once
    assert len(deliver.sent) == 1


async def test_urgent_handoffs_alert_linked_on_duty_clinicians(
    telegram: TelegramApiStandIn, session_factory: sessionmaker
) -> None:
    _clinicians(session_factory)
    _, routine = _open(session_factory, "routine")
    _, urgent = _open(session_factory, "urgent")
    notifier = ClinicianNotifier(get_settings(), session_factory)
    await notifier.start()
    try:
        assert await notifier.notify(routine) == 0
        assert await notifier.notify(urgent) == 2
        assert await notifier.notify(routine, overdue=True) == 2  # waiting too long: everyone hears
    finally:
        await notifier.stop()
    sent = telegram.calls_to("sendMessage")
    assert sorted(int(c.params["chat_id"]) for c in sent) == [5001, 5001, 5002, 5002]
    first = sent[0].params
    assert "URGENT" in first["text"] and f"/console/handoffs/{urgent}" in first["text"]
    button = first["reply_markup"]["inline_keyboard"][0][0]
    assert button == {"text": "Claim", "callback_data": f"{CLAIM_PREFIX}{urgent}"}
    with unit_of_work(session_factory) as s:
        assert "handoff.clinicians_notified" in audit_actions(s, urgent)


async def test_the_claim_button_claims_for_that_clinician(
    telegram: TelegramApiStandIn, session_factory: sessionmaker
) -> None:
    ids = _clinicians(session_factory)
    _, hid = _open(session_factory, "emergency")
    application = Application.builder().token(TOKEN).base_url(f"{telegram.base_url}/bot").build()
    assert register_claim_handler(application, session_factory, get_settings())
    assert not register_claim_handler(application, session_factory, get_settings())  # once only
    async with application:
        for update_id, chat_id in enumerate((5001, 5002, 7777)):
            data = {"update_id": update_id, **telegram.callback_update(chat_id, f"{CLAIM_PREFIX}{hid}")}
            update = Update.de_json(data, application.bot)
            await application.process_update(update)
    answers = [c.params["text"] for c in telegram.calls_to("answerCallbackQuery")]
    assert answers[0].startswith("Claimed. Open the conversation:")
    assert "already been claimed" in answers[1]
    assert "not linked" in answers[2]
    with unit_of_work(session_factory) as s:
        assert s.get(Handoff, hid).claimed_by == ids["linked"]


def test_the_gateway_worker_alerts_on_new_emergencies(
    telegram: TelegramApiStandIn, session_factory: sessionmaker
) -> None:
    _clinicians(session_factory)
    app, _ = _app(session_factory)
    with unit_of_work(session_factory) as s:
        conv = make_conversation(s).id
    with serve(app) as url:  # the API router's lifespan starts the worker
        response = httpx.post(
            f"{url}/api/handoffs",
            json={"sender_id": f"{conv}-0", "reason": "emergency", "priority": "emergency", "summary": {}},
            headers={"X-PatientBot-Secret": SECRET},
        )
        assert response.status_code == 201
        calls = telegram.wait_for("sendMessage", count=2, timeout=10)
    assert {int(c.params["chat_id"]) for c in calls} == {5001, 5002}
    assert all("EMERGENCY" in c.params["text"] for c in calls)
    # The alert never carries what the patient wrote.
    with unit_of_work(session_factory) as s:
        texts = list(s.scalars(select(Message.text)))
    assert not any(t and t in c.params["text"] for t in texts for c in calls)
    time.sleep(0.2)
    assert len(telegram.calls_to("sendMessage")) == 2  # one alert per clinician, not per event


def test_claiming_from_telegram_through_the_running_gateway(
    telegram: TelegramApiStandIn, sqlite_url: str
) -> None:
    """The gateway's own PTB application (polling) routes the Claim button to us."""
    from bot.gateway.app import create_app
    from tests.support.fixtures import CLOSED_PORT_URL, make_settings
    from tests.support.servers import ServerThread, wait_until

    settings = make_settings(
        sqlite_url, CLOSED_PORT_URL, telegram_bot_token=TOKEN, telegram_api_base_url=telegram.base_url
    )
    app = create_app(settings, detector=None)
    server = ServerThread(app)
    url = server.start()
    try:
        factory = app.state.gateway.session_factory
        ids = _clinicians(factory)
        with unit_of_work(factory) as s:
            conv = make_conversation(s).id
        response = httpx.post(
            f"{url}/api/handoffs",
            json={"sender_id": f"{conv}-0", "reason": "personal_advice", "priority": "urgent", "summary": {}},
            headers={"X-PatientBot-Secret": SECRET},
        )
        hid = response.json()["handoff_id"]
        alert = telegram.wait_for("sendMessage", where=lambda c: int(c.params["chat_id"]) == 5002)[0]
        data = alert.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        telegram.queue_update(telegram.callback_update(5002, data))
        answer = telegram.wait_for("answerCallbackQuery")[0]
        assert answer.params["text"].startswith("Claimed.")
        def joined() -> bool:
            with unit_of_work(factory) as s:
                texts = s.scalars(select(Message.text).where(Message.conversation_id == conv, Message.sender == "system"))
                return system_text("clinician_joined") in list(texts)

        wait_until(joined, 10, message="the patient was not told a clinician joined")
        with unit_of_work(factory) as s:
            handoff = s.get(Handoff, hid)
            assert (handoff.status, handoff.claimed_by) == ("claimed", ids["second"])
    finally:
        server.stop()
