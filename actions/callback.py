"""The callback form: how to reach the patient and their consent, validated, then queued.

Used when no clinician can answer now. The contact is kept only with consent,
and the slots are cleared once it is submitted so the number does not linger
in the dialogue state.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.clients.gateway import GatewayClient, GatewayError
from actions.tracker_reading import build_summary

logger = logging.getLogger(__name__)

MAX_CONTACT_CHARS = 200
_EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_PHONE_CHARS_RE = re.compile(r"^\+?[\d\s().-]+$")
_YES = {"yes", "y", "true", "ok", "okay", "sure", "i agree", "agree", "/affirm"}
_NO = {"no", "n", "false", "nope", "i don't agree", "/deny"}


def clean_contact(value: Any) -> str | None:
    """A phone number (7-15 digits) or an e-mail address, else None."""
    text = str(value or "").strip()
    if not text or len(text) > MAX_CONTACT_CHARS:
        return None
    if _EMAIL_RE.match(text):
        return text
    if _PHONE_CHARS_RE.match(text) and 7 <= len(re.sub(r"\D", "", text)) <= 15:
        return re.sub(r"\s+", " ", text)
    return None


def clean_consent(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    return None


class ValidateCallbackForm(FormValidationAction):
    def name(self) -> str:
        return "validate_callback_form"

    def validate_callback_contact(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        # None makes the form ask again with utter_ask_callback_contact.
        return {"callback_contact": clean_contact(slot_value)}

    def validate_callback_consent(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        return {"callback_consent": clean_consent(slot_value)}


class ActionSubmitCallback(Action):
    def name(self) -> str:
        return "action_submit_callback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        cleared: list[EventType] = [SlotSet("callback_contact", None), SlotSet("callback_consent", None)]
        contact = clean_contact(tracker.get_slot("callback_contact"))
        if contact is None or tracker.get_slot("callback_consent") is not True:
            # No consent, no callback: the patient is given the clinic's phone instead.
            dispatcher.utter_message(response="utter_callback_declined")
            return cleared
        client = GatewayClient.from_env()
        try:
            await asyncio.to_thread(
                client.open_handoff,
                sender_id=tracker.sender_id,
                reason="callback",
                priority="routine",
                summary=build_summary(tracker),
                callback={"contact": contact, "consent": True},
            )
        except GatewayError:
            logger.error("callback request for sender %s could not be queued", tracker.sender_id, exc_info=True)
            dispatcher.utter_message(response="utter_handoff_unavailable")
            return cleared
        dispatcher.utter_message(response="utter_callback_saved")
        return cleared
