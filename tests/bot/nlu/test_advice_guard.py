"""bot.nlu.advice_guard: the last word on questions about the patient's own case, in the model."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.advice_guard import ADVICE_GUARD_KEY, PersonalAdviceGuard


@pytest.fixture(scope="module")
def guard() -> PersonalAdviceGuard:
    return PersonalAdviceGuard()  # the shipped rules on the project's spaCy pipeline


def _message(text: str, intent: str) -> Message:
    return Message(data={"text": text, "intent": {"name": intent, "confidence": 0.9}})


@pytest.mark.parametrize(
    ("text", "classified_as"),
    [
        ("should I double my dose of metformin?", "faq"),
        ("my potassium came back at 6.1, is that bad?", "nlu_fallback"),
        ("is this rash cancer", "out_of_scope"),
    ],
)
def test_a_question_about_the_patients_own_case_becomes_personal_advice(
    guard: PersonalAdviceGuard, text: str, classified_as: str
) -> None:
    [message] = guard.process([_message(text, classified_as)])
    assert message.get("intent") == {"name": "personal_advice", "confidence": 1.0}
    assert message.get(ADVICE_GUARD_KEY) == {"replaced_intent": classified_as}
    assert "advice_guard" in message.as_dict(only_output_properties=True)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("what are your opening hours?", "faq"),  # a general question keeps its FAQ
        ("how do I use an inhaler", "faq"),
        ("thanks, should I double my dose then?", "thanks"),  # small talk keeps its reply
        ("I want a doctor to tell me if my rash is cancer", "request_human"),
    ],
)
def test_general_questions_small_talk_and_requests_for_a_human_keep_their_intent(
    guard: PersonalAdviceGuard, text: str, intent: str
) -> None:
    [message] = guard.process([_message(text, intent)])
    assert message.get("intent")["name"] == intent
    assert message.get(ADVICE_GUARD_KEY) is None
