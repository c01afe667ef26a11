"""`action_record_feedback`: "was this answer helpful?", stored per FAQ; twice "no" brings a clinician.

Feedback is worth recording but never worth an error message: if the gateway
cannot be reached the patient is still thanked (or apologised to) and the
failure is logged.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.clients.gateway import GatewayClient, GatewayError
from actions.tracker_reading import latest_intent, rated_faq_id

logger = logging.getLogger(__name__)

NEGATIVE_FEEDBACKS_BEFORE_HANDOFF = 2
_TRUE = {"true", "yes", "1", "helpful"}
_FALSE = {"false", "no", "0", "unhelpful", "not_helpful"}


def helpful_from(tracker: Tracker) -> bool | None:
    """True/False from the feedback intent (typed or a button's payload) or a `helpful` entity."""
    intent = latest_intent(tracker)
    if intent == "feedback_positive":
        return True
    if intent == "feedback_negative":
        return False
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == "helpful":
            value = str(entity.get("value")).strip().lower()
            if value in _TRUE:
                return True
            if value in _FALSE:
                return False
    return None


class ActionRecordFeedback(Action):
    def name(self) -> str:
        return "action_record_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        helpful = helpful_from(tracker)
        if helpful is None:
            logger.warning("action_record_feedback ran without a feedback intent; nothing recorded")
            return []
        faq_id = rated_faq_id(tracker)
        if faq_id:
            client = GatewayClient.from_env()
            try:
                await asyncio.to_thread(
                    client.record_feedback, sender_id=tracker.sender_id, faq_id=str(faq_id), helpful=helpful
                )
            except GatewayError:
                logger.error("feedback on faq %s could not be recorded", faq_id, exc_info=True)
        else:
            logger.warning("feedback with no FAQ answer to rate; not recorded")

        if helpful:
            dispatcher.utter_message(response="utter_feedback_thanks")
            return []
        dispatcher.utter_message(response="utter_feedback_sorry")
        count = int(tracker.get_slot("negative_feedback_count") or 0) + 1
        if count >= NEGATIVE_FEEDBACKS_BEFORE_HANDOFF:
            return [
                SlotSet("negative_feedback_count", 0.0),
                SlotSet("handoff_reason", "negative_feedback"),
                FollowupAction("action_handoff"),
            ]
        return [SlotSet("negative_feedback_count", float(count))]
