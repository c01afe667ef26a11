"""Telegram alerts with a Claim button for on-duty clinicians (real PTB, Bot API stand-in)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import anyio
import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker
from telegram import Update
from telegram.ext import Application

from bot.channels.telegram_alerts import (
    CLAIM_PREFIX,
    ClinicianAlerts,
    ClinicianNotifier,
    register_claim_handler,
)
from bot.db.base import utcnow
from bot.db.models import Message
from bot.db.session import unit_of_work
from bot.events.after_commit import bind_publisher
from bot.events.memory import InProcessBus
from bot.handoff import service
from bot.handoff.models import Handoff
from bot.handoff.texts import system_text
from bot.locks.memory import InProcessLocks
from bot.settings import get_settings
from tests.conftest import TEST_SECRETS
from tests.support.handoff import audit_actions, make_clinician, make_conversation
from tests.support.telegram_api import TelegramApiStandIn

TOKEN = "123456:TEST-token"
SECRET = TEST_SECRETS["PATIENTBOT_HANDOFF_SECRET"]


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


class RecordingDeliver:
    """Stands in for the gateway's Router.deliver: remembers what the patient would get."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    async def __call__(
        self, conversation_id: str, text: str, *, buttons: Any = None, sender: str = "clinician"
    ) -> int:
        self.sent.append((conversation_id, text, sender))
        return len(self.sent)


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
    conv, hid = _open(session_factory, "emergency")
    deliver = RecordingDeliver()
    application = Application.builder().token(TOKEN).base_url(f"{telegram.base_url}/bot").build()
    assert register_claim_handler(application, session_factory, get_settings(), deliver)
    assert not register_claim_handler(application, session_factory, get_settings(), deliver)  # once only
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
    # The patient is told once, through the Deliver the handler was given.
    assert deliver.sent == [(conv, system_text("clinician_joined"), "system")]


async def test_alerts_follow_the_bus_once_per_handoff_and_priority(
    telegram: TelegramApiStandIn, session_factory: sessionmaker
) -> None:
    """Each handoff event reaches the alerts once (the service publishes it once, after commit)."""
    _clinicians(session_factory)
    bus = InProcessBus()
    bind_publisher(session_factory, bus)
    notifier = ClinicianNotifier(get_settings(), session_factory)
    await notifier.start()
    alerts = ClinicianAlerts(notifier, bus, InProcessLocks())
    stop = asyncio.Event()
    task = asyncio.create_task(alerts.run(stop))
    await asyncio.sleep(0)  # one turn of the loop: the alerts subscribe
    try:
        _, emergency = await anyio.to_thread.run_sync(_open, session_factory, "emergency")
        _, routine = await anyio.to_thread.run_sync(_open, session_factory, "routine")

        def raise_to_urgent() -> None:
            with unit_of_work(session_factory) as s:
                service.raise_priority(session=s, handoff_id=routine, priority="urgent")

        await anyio.to_thread.run_sync(raise_to_urgent)
        # Events are handled in order: once the raised one's alerts are out, all earlier are.
        calls = await anyio.to_thread.run_sync(lambda: telegram.wait_for("sendMessage", count=4, timeout=10))
    finally:
        stop.set()
        await task
    about = [emergency if emergency in c.params["text"] else routine for c in calls]
    assert about == [emergency, emergency, routine, routine]
    assert len(telegram.calls_to("sendMessage")) == 4
    assert "EMERGENCY" in calls[0].params["text"] and "URGENT" in calls[2].params["text"]
    # The alert never carries what the patient wrote.
    with unit_of_work(session_factory) as s:
        texts = list(s.scalars(select(Message.text)))
    assert not any(t and t in c.params["text"] for t in texts for c in calls)


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
