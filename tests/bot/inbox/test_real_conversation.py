"""What a conversation with the real gateway, the shipped model and the action server puts in the inbox.

The hand-written rows of tests/support/inbox.py follow the shapes the gateway
stores; this test checks that contract end to end: what the patient was shown
(an ask to rephrase, a clinician offered after a second failure, "did you mean"
answered with "None of these", the personal-advice refusal, an answer marked
"Not helpful") is what collection finds, and nothing else.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from bot.db.base import utcnow
from bot.db.session import unit_of_work
from bot.gateway.apikeys import create_api_key
from bot.inbox.collect import collect
from bot.inbox.grouping import FaqIndex
from bot.inbox.models import CLINICIAN_OFFER, NOT_HELPFUL, REPHRASE, UNCHOSEN
from tests.support import fixtures as gateway_fixtures
from tests.support.fixtures import make_settings
from tests.support.questions import UNSURE_QUESTION

serve_gateway = gateway_fixtures.serve_gateway
real_rasa_url = gateway_fixtures.real_rasa_url

pytestmark = pytest.mark.slow

OUT_OF_SCOPE = ("what's the best pizza topping", "who won the football last night")
PERSONAL = "should i double my dose of metformin"


def _payloads(replies: list[dict[str, Any]]) -> list[str]:
    return [b["payload"] for reply in replies for b in reply["buttons"]]


def test_the_inbox_holds_what_the_patient_was_not_answered(
    database_url: str, serve_gateway: Callable[..., tuple[str, Any]], real_rasa_url: str, gateway_port: int,
    encoder, faqs: FaqIndex,  # type: ignore[no-untyped-def]
) -> None:
    base_url, app = serve_gateway(make_settings(database_url, real_rasa_url, rasa_timeout_s=20), port=gateway_port)
    factory = app.state.gateway.session_factory
    with unit_of_work(factory) as session:
        key = create_api_key(session=session, name="inbox test").key
    client = httpx.Client(base_url=base_url, headers={"X-API-Key": key}, timeout=60)

    def say(**body: Any) -> list[dict[str, Any]]:
        response = client.post("/api/v1/messages", json={"external_id": "inbox-1", **body})
        response.raise_for_status()
        return list(response.json()["replies"])

    def press(replies: list[dict[str, Any]], payload_start: str) -> list[dict[str, Any]]:
        for reply in replies:
            for index, button in enumerate(reply["buttons"]):
                if button["payload"].startswith(payload_start):
                    return say(button={"message_id": reply["id"], "index": index})
        raise AssertionError(f"no {payload_start} button")

    expected: Counter[str] = Counter()
    for text in (*OUT_OF_SCOPE, UNSURE_QUESTION, PERSONAL, "what are your opening hours"):
        replies = say(text=text)
        payloads = _payloads(replies)
        shown = " ".join(r["text"] for r in replies)
        if any(p.startswith("/choose_faq") for p in payloads):
            press(replies, "/none_of_these")
            expected[UNCHOSEN] += 1
        elif any(p.startswith("/feedback_negative") for p in payloads):
            press(replies, "/feedback_negative")
            expected[NOT_HELPFUL] += 1
        elif "/affirm" in payloads:
            if "advice about your own health" not in shown:  # the personal-advice refusal stays out
                expected[CLINICIAN_OFFER] += 1
            press(replies, "/deny")
        elif "say it another way" in shown:
            expected[REPHRASE] += 1
    client.close()
    assert expected[REPHRASE] + expected[CLINICIAN_OFFER] >= 1  # the model did not understand pizza

    with unit_of_work(factory) as session:
        found = collect(session=session, encoder=encoder, faqs=faqs, now=utcnow())
    assert found.added == expected
