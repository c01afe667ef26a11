""""Did you mean": the offer's buttons carry FAQ ids, and a press answers with that FAQ's vetted response."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.suggestions import ActionAnswerChosenFAQ, ActionSuggestFAQs, choose_payload

DOMAIN: dict[str, Any] = {
    "responses": {
        "utter_faq/opening_hours": [{"text": "We are open ...", "custom": {"faq_id": "opening_hours", "title": "Clinic opening hours"}}],
        "utter_faq/contact_clinic": [{"text": "Call us ...", "custom": {"faq_id": "contact_clinic", "title": "How to contact the clinic"}}],
        "utter_none_of_these": [{"text": "None of these"}],
    }
}


def _tracker(parse: dict[str, Any]) -> Tracker:
    return Tracker("patient-1", {}, {"text": "?", **parse}, [], False, None, {}, "action_listen")


async def test_the_plausible_faqs_are_offered_with_none_of_these_last() -> None:
    dispatcher = CollectingDispatcher()
    tracker = _tracker({"intent": {"name": "nlu_fallback"}, "faq_gate": {"suggestions": ["contact_clinic", "opening_hours"]}})
    events = await ActionSuggestFAQs().run(dispatcher, tracker, DOMAIN)
    assert events == [SlotSet("faq_suggestions_offered", True)]
    [message] = dispatcher.messages
    assert message["response"] == "utter_did_you_mean"
    assert message["buttons"] == [
        {"title": "How to contact the clinic", "payload": '/choose_faq{"faq_id": "contact_clinic"}'},
        {"title": "Clinic opening hours", "payload": '/choose_faq{"faq_id": "opening_hours"}'},
        {"title": "None of these", "payload": "/none_of_these"},
    ]
    assert message["custom"] == {"faq_offer": ["contact_clinic", "opening_hours"], "not_understood": True}


@pytest.mark.parametrize(
    "gate",
    [None, {"suggestions": []}, {"suggestions": ["withdrawn_faq"]}, {"suggestions": "opening_hours"}],
)
async def test_nothing_plausible_offers_nothing_and_the_rules_ask_to_rephrase(gate: Any) -> None:
    dispatcher = CollectingDispatcher()
    parse: dict[str, Any] = {"intent": {"name": "nlu_fallback"}}
    if gate is not None:
        parse["faq_gate"] = gate
    events = await ActionSuggestFAQs().run(dispatcher, _tracker(parse), DOMAIN)
    assert events == [SlotSet("faq_suggestions_offered", False)]
    assert dispatcher.messages == []


async def test_a_pressed_title_gets_that_faqs_vetted_answer() -> None:
    dispatcher = CollectingDispatcher()
    tracker = _tracker({"intent": {"name": "choose_faq"}, "entities": [{"entity": "faq_id", "value": "opening_hours"}]})
    events = await ActionAnswerChosenFAQ().run(dispatcher, tracker, DOMAIN)
    assert [m["response"] for m in dispatcher.messages] == ["utter_faq/opening_hours"]
    assert events == [SlotSet("faq_suggestions_offered", False)]


@pytest.mark.parametrize("entities", [[], [{"entity": "faq_id", "value": "not_an_faq"}], [{"entity": "faq_id", "value": 3}]])
async def test_a_forged_or_stale_choice_is_never_a_guess(entities: list[dict[str, Any]]) -> None:
    dispatcher = CollectingDispatcher()
    tracker = _tracker({"intent": {"name": "choose_faq"}, "entities": entities})
    await ActionAnswerChosenFAQ().run(dispatcher, tracker, DOMAIN)
    assert [m["response"] for m in dispatcher.messages] == ["utter_ask_rephrase"]


def test_the_payload_is_an_intent_with_the_faq_id_as_entity() -> None:
    assert choose_payload("covid_spread") == '/choose_faq{"faq_id": "covid_spread"}'
