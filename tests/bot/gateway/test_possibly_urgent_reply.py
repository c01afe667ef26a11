"""When Rasa's reply to a message with signs of urgency gives way to the possibly-urgent tier."""

from __future__ import annotations

import pytest

from bot.gateway.rasa_client import parse_rasa_output
from bot.gateway.safety import needs_possibly_urgent_reply
from bot.safety.urgency import NEAR_EMERGENCY, SEVERE, TIME_DANGER, VULNERABLE

REPHRASE = [{"text": "Sorry, could you say it another way?", "custom": {"not_understood": True}}]
OFFER = [
    {
        "text": "I'm not sure I understood. Did you mean one of these?",
        "buttons": [{"title": "Dehydration", "payload": '/choose_faq{"faq_id": "dehydration"}'}],
        "custom": {"faq_offer": ["dehydration"], "not_understood": True},
    }
]
ANSWER = [{"text": "Sip fluids often.", "custom": {"rest_point": True, "faq_id": "dehydration"}}]


def _decide(urgency: tuple[str, ...], parts: list[dict]) -> bool:
    response = parse_rasa_output(parts)
    return needs_possibly_urgent_reply(
        urgency, not_understood=response.is_not_understood, offers_faqs=response.offers_faqs
    )


@pytest.mark.parametrize("sign", [VULNERABLE, SEVERE, TIME_DANGER, NEAR_EMERGENCY])
def test_a_request_to_rephrase_always_gives_way(sign: str) -> None:
    assert _decide((sign,), REPHRASE)


def test_an_offer_stands_when_the_semantic_sign_is_the_only_one() -> None:
    assert parse_rasa_output(OFFER).offers_faqs
    assert not _decide((NEAR_EMERGENCY,), OFFER)


@pytest.mark.parametrize("sign", [VULNERABLE, SEVERE, TIME_DANGER])
def test_an_offer_gives_way_to_a_word_of_urgency(sign: str) -> None:
    assert _decide((sign, NEAR_EMERGENCY), OFFER)
    assert _decide((sign,), OFFER)


def test_no_sign_or_an_answer_changes_nothing() -> None:
    assert not _decide((), REPHRASE)
    assert not _decide((TIME_DANGER,), ANSWER)
    assert not parse_rasa_output(ANSWER).offers_faqs
