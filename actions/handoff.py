"""`action_handoff`: queue the conversation for a clinician and tell the patient where they stand.

Triggered by rules (the patient asks for a human, the second fallback,
personal medical advice, an emergency, negative feedback twice). The patient
never sees an error's text: if the gateway is unreachable they get
`utter_handoff_unavailable`, which carries the clinic's phone number.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.clients.gateway import GatewayClient, GatewayError
from actions.tracker_reading import build_summary, format_wait, handoff_priority, handoff_reason

logger = logging.getLogger(__name__)


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        reason = handoff_reason(tracker)
        summary = build_summary(tracker)
        priority = handoff_priority(reason, summary)
        client = GatewayClient.from_env()
        try:
            ticket = await asyncio.to_thread(
                client.open_handoff,
                sender_id=tracker.sender_id,
                reason=reason,
                priority=priority,
                summary=summary,
            )
        except GatewayError:
            logger.error(
                "handoff for sender %s (%s, %s) could not be queued",
                tracker.sender_id,
                reason,
                priority,
                exc_info=True,
            )
            dispatcher.utter_message(response="utter_handoff_unavailable")
            return [SlotSet("handoff_reason", None)]

        logger.info(
            "handoff %s queued at %d (%s, %s)", ticket.handoff_id, ticket.queue_position, reason, priority
        )
        if not ticket.clinician_available:
            # Nobody can answer now: the request waits in the queue, the bot keeps
            # answering, and the response asks whether to call back (the rules start
            # callback_form on "yes").
            dispatcher.utter_message(response="utter_handoff_out_of_hours")
            return [SlotSet("handoff_reason", None)]
        dispatcher.utter_message(
            response="utter_handoff_queued",
            queue_position=ticket.queue_position,
            expected_wait=format_wait(ticket.expected_wait_minutes),
        )
        return [SlotSet("handoff_reason", None)]
