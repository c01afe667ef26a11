"""The calibrated gate: answers with the matcher's FAQ, or refuses with the plausible FAQs to offer."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.faq_gate import FAQAnswerGate, faq_candidate
from tests.bot.nlu.gate_support import incoming, trained_gate

FAQS = {
    "opening_hours": [
        "what are your opening hours", "when are you open", "what time do you open",
        "are you open on saturday", "what time do you close", "opening times", "are you open today",
    ],
    "contact_clinic": [
        "what is your phone number", "how do i contact the clinic", "can i email you",
        "whats the number for reception", "how can i reach you", "contact details",
    ],
    "flu_vaccine": [
        "should i get the flu vaccine", "is the flu jab safe", "who should get a flu shot",
        "how well does the flu vaccine work", "can children have the flu vaccine", "is the flu shot free",
    ],
}
CONFIG = {**FAQAnswerGate.get_default_config(), "calibrated": True, "answer_at": 0.6, "suggest_from": 0.4, "require_agreement": False}


@pytest.fixture(scope="module")
def gate() -> FAQAnswerGate:
    first, *others = FAQS
    return trained_gate(CONFIG, first, FAQS[first], other_faqs={k: FAQS[k] for k in others})


def test_a_plain_paraphrase_is_answered_with_the_matchers_faq(gate: FAQAnswerGate) -> None:
    # The ResponseSelector picked the wrong FAQ; the gate answers with the one the question asks for.
    message = incoming("what time do you close on fridays", "contact_clinic")
    gate.process([message])
    assert message.get("intent")["name"] == "faq"
    response = message.get("response_selector")["faq"]["response"]
    assert response["utter_action"] == "utter_faq/opening_hours"
    assert response["intent_response_key"] == "faq/opening_hours"
    decision = message.get("faq_gate")
    assert decision["answered"] is True and decision["suggestions"] == []
    assert faq_candidate(message.as_dict()) == ("opening_hours", decision["confidence"])


def test_an_unsure_question_is_refused_with_plausible_faqs_to_offer(gate: FAQAnswerGate) -> None:
    # The same model with a bar no answer clears: every FAQ question is unsure.
    strict = FAQAnswerGate.load({**CONFIG, "answer_at": 1.01}, gate._model_storage, gate._resource, None)
    message = incoming("is the flu jab any good", "flu_vaccine")
    strict.process([message])
    decision = message.get("faq_gate")
    assert decision["answered"] is False
    assert message.get("intent")["name"] == "nlu_fallback"
    assert decision["suggestions"][0] == "flu_vaccine"
    assert len(decision["suggestions"]) <= 3


def test_an_unrelated_question_gets_no_suggestions(gate: FAQAnswerGate) -> None:
    message = incoming("can you recommend a good plumber near me", "contact_clinic")
    gate.process([message])
    assert message.get("intent")["name"] == "nlu_fallback"
    assert message.get("faq_gate")["suggestions"] == []


def test_it_looks_past_rasas_fallback_but_leaves_other_intents_alone(gate: FAQAnswerGate) -> None:
    behind_fallback = incoming("when are you open on saturdays", "opening_hours")
    behind_fallback.set("intent_ranking", [{"name": "nlu_fallback", "confidence": 0.7}, {"name": "faq", "confidence": 0.5}])
    behind_fallback.set("intent", {"name": "nlu_fallback", "confidence": 0.7})
    greeting = Message(data={"text": "hello"})
    greeting.set("intent", {"name": "greet", "confidence": 0.99})
    gate.process([behind_fallback, greeting])
    assert behind_fallback.get("intent")["name"] == "faq"
    assert greeting.get("intent") == {"name": "greet", "confidence": 0.99}
    assert greeting.get("faq_gate") is None


def test_a_model_trained_without_the_matcher_refuses_every_faq() -> None:
    config = {**CONFIG, "calibrated": False, "example_similarity": False}
    untrained = trained_gate(config, "opening_hours", FAQS["opening_hours"])
    calibrated = FAQAnswerGate(CONFIG, untrained._model_storage, untrained._resource)
    message = incoming("when are you open", "opening_hours")
    calibrated.process([message])
    assert message.get("intent")["name"] == "nlu_fallback"
