"""The answer mix of a conversation held with the real gateway, Rasa model and action server.

The hand-built rows of conftest.py follow the shapes the gateway stores; this
test checks that contract end to end: what the patient saw (an FAQ answer with
feedback buttons, "did you mean" buttons, a request to rephrase) is what the
dashboard counts, and the feedback press reaches it through the action server.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from bot.dashboard import facts as f
from bot.dashboard.facts import Scope
from bot.db.session import make_engine, make_session_factory, unit_of_work
from bot.gateway.apikeys import create_api_key
from tests.support import fixtures as gateway_fixtures
from tests.support.fixtures import make_settings

serve_gateway = gateway_fixtures.serve_gateway
real_rasa_url = gateway_fixtures.real_rasa_url

pytestmark = pytest.mark.slow

# Issue 17's examples of "did you mean" (docs/evaluation.md); the model may answer some directly.
MAYBE_OFFERED = ("whats the clinic's phone number", "i would like to book a visit")


def _payloads(reply: dict[str, Any]) -> list[str]:
    return [b["payload"] for b in reply["buttons"]]


def _seen(replies: list[dict[str, Any]]) -> str:
    """What the patient was shown, as the dashboard should count it."""
    payloads = [p for reply in replies for p in _payloads(reply)]
    if any(p.startswith("/feedback_positive") for p in payloads):
        return "direct"
    if any(p.startswith("/choose_faq") for p in payloads):
        return "offered"
    if any("say it another way" in reply["text"] for reply in replies):
        return "none"
    return "other"


def test_what_the_patient_saw_is_what_the_dashboard_counts(
    database_url: str,
    serve_gateway: Callable[..., tuple[str, Any]],
    real_rasa_url: str,
    gateway_port: int,
) -> None:
    base_url, app = serve_gateway(make_settings(database_url, real_rasa_url, rasa_timeout_s=20), port=gateway_port)
    factory = app.state.gateway.session_factory
    with unit_of_work(factory) as session:
        key = create_api_key(session=session, name="dashboard test").key
    client = httpx.Client(base_url=base_url, headers={"X-API-Key": key}, timeout=60)

    def say(**body: Any) -> dict[str, Any]:
        response = client.post("/api/v1/messages", json={"external_id": "dashboard-1", **body})
        response.raise_for_status()
        return response.json()

    expected: Counter[str] = Counter()
    for text in ("hello", "what are your opening hours", "what's the best pizza topping", *MAYBE_OFFERED):
        result = say(text=text)
        seen = _seen(result["replies"])
        if seen == "direct" and text == "what are your opening hours":
            answer = next(r for r in result["replies"] if r["buttons"])
            say(button={"message_id": answer["id"], "index": 0})  # helpful
        if seen == "offered":
            offer = next(r for r in result["replies"] if any(p.startswith("/choose_faq") for p in _payloads(r)))
            picked = say(button={"message_id": offer["id"], "index": 0})
            seen = "suggestion" if _seen(picked["replies"]) == "direct" else "none"
        expected[seen] += 1
    conversation_id = result["conversation_id"]
    client.close()

    assert expected["direct"] >= 1 and expected["none"] >= 1 and expected["other"] >= 1
    engine = make_engine(database_url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            facts = f.live_facts(session=session, scope=Scope(conversation_id=conversation_id))
    finally:
        engine.dispose()
    counted: Counter[str] = Counter()
    for fact in facts:
        if fact.metric == f.ANSWERS:
            counted[fact.key] += fact.value
    assert counted == expected
    feedback = [(fact.key, fact.key2, fact.value) for fact in facts if fact.metric == f.FEEDBACK]
    assert feedback == [("opening_hours", "helpful", 1)]
