"""The real Rasa server and action server hold a short conversation over HTTP."""

from __future__ import annotations

import uuid
from pathlib import Path

import requests

from tests.support.rasa_process import RASA_TOKEN

# Rasa's REST channel and HTTP API want the token the gateway has (bot/rasa_channel.py).
AUTH = {"token": RASA_TOKEN}


def say(rasa_url: str, sender: str, text: str) -> list[dict]:
    response = requests.post(
        f"{rasa_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": text},
        params=AUTH,
        timeout=30,
    )
    response.raise_for_status()
    return response.json()


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def test_short_conversation(rasa_server_url: str, stack_log_dir: Path) -> None:
    sender = f"test-{uuid.uuid4().hex}"
    greeting = say(rasa_server_url, sender, "hello")
    assert "questions" in texts(greeting)

    answer = say(rasa_server_url, sender, "what are your opening hours")
    body = texts(answer)
    assert "Saturday 9am to 12pm" in body  # templated from data/clinic.yml
    assert "Source:" in body and "Reviewed by" in body
    buttons = [b["payload"] for b in answer[0]["buttons"]]
    assert buttons == [
        '/feedback_positive{"faq_id": "opening_hours"}',
        '/feedback_negative{"faq_id": "opening_hours"}',
    ]

    # The feedback button runs a custom action on the real action server, which
    # thanks the patient (recording it needs the gateway: tests/bot/console/test_full_path.py).
    feedback = say(rasa_server_url, sender, buttons[0])
    assert "glad it helped" in texts(feedback)

    advice = texts(say(rasa_server_url, sender, "should i double my dose of metformin"))
    assert "can't give advice about your own health" in advice
    assert "clinicians" in advice  # the clinician offer follows the refusal

    assert "No problem" in texts(say(rasa_server_url, sender, "/deny"))

    # Filling the buttons' placeholders found nothing to complain about: such an error
    # would have logged the conversation's slot values (bot.content.compiler.feedback_buttons).
    assert "interpolat" not in (stack_log_dir / "rasa.log").read_text(encoding="utf-8")


def test_unclear_messages_ask_to_rephrase_then_offer_a_clinician(rasa_server_url: str) -> None:
    sender = f"test-{uuid.uuid4().hex}"
    first = texts(say(rasa_server_url, sender, "what's the best pizza topping"))
    assert "say it another way" in first
    second = texts(say(rasa_server_url, sender, "who will win the football tonight"))
    assert "won't guess" in second and "clinicians" in second


def test_tracker_records_what_the_bot_saw(rasa_server_url: str) -> None:
    sender = f"test-{uuid.uuid4().hex}"
    say(rasa_server_url, sender, "how do i get my test results")
    tracker = requests.get(
        f"{rasa_server_url}/conversations/{sender}/tracker", params=AUTH, timeout=10
    ).json()
    parse = tracker["latest_message"]
    assert parse["intent"]["name"] == "faq"
    selected = parse["response_selector"]["faq"]["response"]["intent_response_key"]
    assert selected == "faq/test_results"
