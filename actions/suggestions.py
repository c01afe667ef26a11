""""Did you mean": the likeliest FAQs as buttons when no direct answer is safe, and the answer to the one pressed.

The FAQ gate (bot/nlu/faq_gate.py) refuses to guess, and puts the FAQs it found
plausible in the parse result (`faq_gate.suggestions`, best first). Offering
them costs the patient one tap instead of a rephrase. Each button carries the
FAQ's id, never text for NLU to read again: `/choose_faq{"faq_id": "..."}`.
"None of these" leads to the usual rephrase request, and then to the clinician
offer (data/rules.yml).

The offer's `custom` names the FAQs offered, and the pressed button's payload
names the one chosen; the gateway stores both with the conversation, and the
clinician console shows them in the transcript.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.tracker_reading import FAQ_ID_ENTITY, faq_id_entity

logger = logging.getLogger(__name__)

OFFERED_SLOT = "faq_suggestions_offered"
FAQ_RESPONSE_PREFIX = "utter_faq/"
MAX_SUGGESTIONS = 3
NONE_OF_THESE_PAYLOAD = "/none_of_these"


def served_faq_title(domain: dict[str, Any], faq_id: str) -> str | None:
    """The title of a served FAQ (its response's `custom.title`), or None for an id we do not serve."""
    variants = (domain.get("responses") or {}).get(f"{FAQ_RESPONSE_PREFIX}{faq_id}") or []
    for variant in variants:
        title = (variant.get("custom") or {}).get("title")
        if isinstance(title, str) and title:
            return title
    return None


def suggested_faqs(tracker: Tracker) -> list[str]:
    """The FAQ ids the gate found plausible for the latest message, best first."""
    gate = (tracker.latest_message or {}).get("faq_gate") or {}
    suggestions = gate.get("suggestions") if isinstance(gate, dict) else None
    if not isinstance(suggestions, list):
        return []
    return [str(s) for s in suggestions if isinstance(s, str) and s][:MAX_SUGGESTIONS]


def choose_payload(faq_id: str) -> str:
    return "/choose_faq" + json.dumps({FAQ_ID_ENTITY: faq_id})


class ActionSuggestFAQs(Action):
    """Offers the plausible FAQs as buttons, or says there is nothing to offer (the rules then ask to rephrase)."""

    def name(self) -> str:
        return "action_suggest_faqs"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        offered = [(faq_id, title) for faq_id in suggested_faqs(tracker) if (title := served_faq_title(domain, faq_id))]
        if not offered:
            return [SlotSet(OFFERED_SLOT, False)]
        buttons = [{"title": title, "payload": choose_payload(faq_id)} for faq_id, title in offered]
        buttons.append({"title": _none_of_these_title(domain), "payload": NONE_OF_THESE_PAYLOAD})
        dispatcher.utter_message(
            response="utter_did_you_mean",
            buttons=buttons,
            json_message={"faq_offer": [faq_id for faq_id, _title in offered], "not_understood": True},
        )
        return [SlotSet(OFFERED_SLOT, True)]


class ActionAnswerChosenFAQ(Action):
    """The vetted answer of the FAQ the patient pressed, with its sources and feedback buttons."""

    def name(self) -> str:
        return "action_answer_chosen_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        faq_id = faq_id_entity(tracker)
        if faq_id is None or served_faq_title(domain, faq_id) is None:
            # A forged or stale button (an FAQ withdrawn since the offer): no guess, ask again.
            logger.warning("choose_faq without a served FAQ id; asking to rephrase")
            dispatcher.utter_message(response="utter_ask_rephrase")
            return [SlotSet(OFFERED_SLOT, False)]
        dispatcher.utter_message(response=f"{FAQ_RESPONSE_PREFIX}{faq_id}")
        return [SlotSet(OFFERED_SLOT, False)]


def _none_of_these_title(domain: dict[str, Any]) -> str:
    """The "None of these" label, from the vetted content (utter_none_of_these), so a clinic can word it."""
    for variant in (domain.get("responses") or {}).get("utter_none_of_these") or []:
        text = variant.get("text")
        if isinstance(text, str) and text.strip():
            return text.strip()
    return "None of these"
