"""The whole path, on the real gateway (create_app), the real Rasa model and the real action server.

A patient asks for a doctor; Rasa runs action_handoff, which queues the handoff
through the gateway's handoff API; a clinician sees it arrive in the console
without reloading, claims it and replies; the reply reaches the patient's own
channel; what the patient then writes goes to the clinician and never to
Rasa; the clinician resolves; the patient is told, rates 1-5, and the bot
answers FAQs again. Once with the patient in the web chat (two browser
contexts), once on Telegram (python-telegram-bot against the Bot API stand-in).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from bot.db.models import AnswerFeedback, Conversation, Message
from bot.db.session import unit_of_work
from bot.gateway.deps import opening_hours_dep
from bot.handoff.models import Handoff
from bot.handoff.texts import system_text
from tests.bot.console.conftest import csrf_of
from tests.support import fixtures as gateway_fixtures
from tests.support.browser import log_in
from tests.support.fixtures import make_settings
from tests.support.handoff import PASSWORD, make_clinician
from tests.support.servers import wait_until
from tests.support.telegram_api import TelegramApiStandIn

# The gateway team's fixtures: a real gateway on loopback, the real Rasa server.
serve_gateway = gateway_fixtures.serve_gateway
real_rasa_url = gateway_fixtures.real_rasa_url

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PATIENT_CHAT = 880001


def _start(start_gateway: Callable[..., tuple[str, Any]], settings: Any, port: int) -> tuple[str, Any]:
    base_url, app = start_gateway(settings, port=port)
    # The test must not depend on the time of day: no opening-hours constraint.
    app.dependency_overrides[opening_hours_dep] = lambda: None
    with unit_of_work(app.state.gateway.session_factory) as session:
        make_clinician(session, "alice")
    return base_url, app


def _handoffs(app: Any) -> list[Handoff]:
    with unit_of_work(app.state.gateway.session_factory) as session:
        return list(session.scalars(select(Handoff)))


def _conversation(app: Any) -> Conversation:
    with unit_of_work(app.state.gateway.session_factory) as session:
        return session.scalars(select(Conversation)).one()


def _feedback(app: Any) -> list[tuple[str, bool]]:
    with unit_of_work(app.state.gateway.session_factory) as session:
        return [(f.faq_id, f.helpful) for f in session.scalars(select(AnswerFeedback))]


def _patient_messages(app: Any) -> list[Message]:
    with unit_of_work(app.state.gateway.session_factory) as session:
        return list(session.scalars(select(Message).where(Message.sender == "patient").order_by(Message.id)))


def _patient_send(page: Page, text: str) -> None:
    page.get_by_label("Your message").fill(text)
    page.keyboard.press("Enter")


def test_webchat_patient_and_console_clinician(
    browser: Browser,
    serve_gateway: Callable[..., tuple[str, Any]],
    sqlite_url: str,
    real_rasa_url: str,
    gateway_port: int,
) -> None:
    # A fresh Rasa tracker after every second Rasa turn at a rest point: the FAQ answer
    # at the end is followed by one, and its "Helpful" button must still rate it.
    settings = make_settings(sqlite_url, real_rasa_url, rasa_timeout_s=20, rasa_segment_turns=2)
    base_url, app = _start(serve_gateway, settings, gateway_port)
    clinician = browser.new_context(viewport={"width": 1280, "height": 900})
    patient = browser.new_context(viewport={"width": 420, "height": 800})
    console, chat = clinician.new_page(), patient.new_page()
    try:
        log_in(console, base_url, "alice")
        console.evaluate("window.__notReloaded = true")

        chat.goto(base_url + "/")
        chat.get_by_role("button", name="Open chat with PatientBot").click()
        log = chat.get_by_role("log", name="Conversation")
        _patient_send(chat, "can i speak to a doctor")
        expect(log.locator(".pb-bot").last).to_contain_text("number 1 in the queue", timeout=60_000)

        [handoff] = _handoffs(app)
        assert (handoff.reason, handoff.status) == ("request_human", "waiting")
        assert handoff.summary["intents"][-1]["name"] == "request_human"

        row = console.locator(f'tr[data-handoff-id="{handoff.id}"]')
        row.wait_for(timeout=10_000)
        assert console.evaluate("window.__notReloaded") is True
        assert "can i speak to a doctor" in row.inner_text()
        row.get_by_role("button", name="Claim").click()
        console.wait_for_url(f"{base_url}/console/handoffs/{handoff.id}")
        expect(log.locator(".pb-system").last).to_contain_text(system_text("clinician_joined"), timeout=10_000)

        console.fill("#reply", "Hello, this is Dr Alice. What is worrying you?")
        console.click("#reply-form button[type=submit]")
        expect(log.locator(".pb-clinician").last).to_contain_text("Dr Alice", timeout=10_000)

        # Typed text and button presses now go to the clinician, never to Rasa.
        bot_replies = log.locator(".pb-bot").count()
        _patient_send(chat, "what are your opening hours")
        console.locator("#transcript li.from-patient", has_text="what are your opening hours").wait_for(timeout=10_000)
        chat.wait_for_timeout(1500)
        assert log.locator(".pb-bot").count() == bot_replies
        assert _patient_messages(app)[-1].status == "clinician"

        console.fill("#outcome", "Reassured; booked a routine visit.")
        console.click("#resolve-form button[type=submit]")
        console.wait_for_url(f"{base_url}/console/")
        expect(log.locator(".pb-system").last).to_contain_text(system_text("rating_request")[:30], timeout=10_000)
        assert system_text("handoff_resolved")[:30] in log.inner_text()

        bot_replies = log.locator(".pb-bot").count()
        chat.get_by_role("group", name="Quick replies").get_by_role("button", name="5").click()
        expect(log.locator(".pb-patient").last).to_have_text("You: 5")
        expect(log.locator(".pb-system").last).to_contain_text(system_text("rating_thanks"), timeout=10_000)
        assert _handoffs(app)[0].rating == 5, "the gateway must pass rating buttons to handle_rating_payload"
        assert log.locator(".pb-bot").count() == bot_replies  # the press never reached Rasa

        answered = log.locator(".pb-bot").count()
        _patient_send(chat, "what are your opening hours")
        expect(log.locator(".pb-bot")).to_have_count(answered + 1, timeout=30_000)
        assert "Monday" in log.locator(".pb-bot").last.inner_text()

        # "Was this helpful?" is recorded against the answer, across the new Rasa tracker.
        assert _conversation(app).rasa_segment == 1
        chat.get_by_role("group", name="Quick replies").get_by_role("button", name="Helpful", exact=True).click()
        expect(log.locator(".pb-bot")).to_have_count(answered + 2, timeout=30_000)
        assert "glad it helped" in log.locator(".pb-bot").last.inner_text()
        assert _feedback(app) == [("opening_hours", True)]
    finally:
        clinician.close()
        patient.close()


@pytest.fixture
def telegram_api() -> Iterator[TelegramApiStandIn]:
    api = TelegramApiStandIn()
    api.start()
    try:
        yield api
    finally:
        api.stop()


def test_telegram_patient_and_console_clinician(
    telegram_api: TelegramApiStandIn,  # first: it must outlive the gateway
    serve_gateway: Callable[..., tuple[str, Any]],
    sqlite_url: str,
    real_rasa_url: str,
    gateway_port: int,
) -> None:
    api = telegram_api
    settings = make_settings(
        sqlite_url,
        real_rasa_url,
        rasa_timeout_s=20,
        telegram_bot_token=api.token,
        telegram_api_base_url=api.base_url,
    )
    base_url, app = _start(serve_gateway, settings, gateway_port)
    api.wait_for("setMyCommands")

    def to_patient() -> list[str]:
        return api.sent_texts(PATIENT_CHAT)

    api.queue_update(api.text_update(PATIENT_CHAT, "/doctor"))
    api.wait_for("sendMessage", where=lambda c: "in the queue" in c.params.get("text", ""), timeout=60)
    [handoff] = _handoffs(app)

    with httpx.Client(base_url=base_url, timeout=10) as console:
        token = csrf_of(console.get("/console/login").text)
        assert console.post(
            "/console/login", data={"username": "alice", "password": PASSWORD, "csrf_token": token}
        ).status_code == 303
        token = csrf_of(console.get("/console/").text)
        assert console.post(f"/console/handoffs/{handoff.id}/claim", data={"csrf_token": token}).status_code == 303
        api.wait_for("sendMessage", where=lambda c: c.params.get("text") == system_text("clinician_joined"))
        reply = {"csrf_token": token, "text": "Hello from Dr Alice"}
        assert console.post(f"/console/handoffs/{handoff.id}/reply", data=reply).status_code == 303
        api.wait_for("sendMessage", where=lambda c: "Hello from Dr Alice" in c.params.get("text", ""))

        sent_before = len(to_patient())
        api.queue_update(api.text_update(PATIENT_CHAT, "it hurts when I walk"))
        wait_until(
            lambda: "it hurts when I walk" in console.get(f"/console/handoffs/{handoff.id}").text,
            10,
            message="the patient's message never reached the console",
        )
        assert len(to_patient()) == sent_before  # Rasa never answered it

        resolved = {"csrf_token": token, "outcome_note": "Advised rest; call if worse."}
        assert console.post(f"/console/handoffs/{handoff.id}/resolve", data=resolved).status_code == 303

    rating = api.wait_for("sendMessage", where=lambda c: c.params.get("reply_markup"), count=1)[-1]
    buttons = [row[0] for row in rating.params["reply_markup"]["inline_keyboard"]]
    assert [b["text"] for b in buttons] == ["1", "2", "3", "4", "5"]
    api.queue_update(api.callback_update(PATIENT_CHAT, buttons[3]["callback_data"]))
    api.wait_for("sendMessage", where=lambda c: c.params.get("text") == system_text("rating_thanks"), timeout=10)
    assert _handoffs(app)[0].rating == 4, "the gateway must pass rating buttons to handle_rating_payload"
    with unit_of_work(app.state.gateway.session_factory) as session:
        assert session.scalar(select(Conversation.owner)) == "bot"

    before = len(to_patient())
    api.queue_update(api.text_update(PATIENT_CHAT, "what are your opening hours"))
    api.wait_for("sendMessage", count=before + 1, where=lambda c: int(c.params["chat_id"]) == PATIENT_CHAT, timeout=30)
    assert "Monday" in to_patient()[-1]
