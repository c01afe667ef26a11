"""Every event type on the bus: one vocabulary for the handoff domain and the gateway.

Events are JSON-able dicts ``{"type": <one of these>, ...ids and labels}``;
handoff events carry ``handoff_id``, ``conversation_id`` and ``priority``, never
message text or patient data (a listener that needs details reads the database).
Message events on the conversation, channel and messages topics carry the
stored message itself, because a patient's web chat socket shows it.
"""

from __future__ import annotations

# Handoff state changes (topic HANDOFFS), published once, after the change is committed.
OPENED = "opened"
CLAIMED = "claimed"
RELEASED = "released"
RESOLVED = "resolved"
CANCELLED = "cancelled"
PRIORITY_RAISED = "priority_raised"  # an emergency or an urgent request raised an open handoff
ALERT = "alert"  # waiting past handoff_alert_after_s: on-duty clinicians are alerted
TIMEOUT = "timeout"  # waiting past handoff_giveup_after_s: the bot answers the patient again
EXPIRED = "expired"  # unclaimed past handoff_expire_after_s: closed, out of the queue
UPDATED = "updated"  # callback details added, red flags added, rating recorded
HANDOFF_MESSAGE = "handoff_message"  # a message was added to a conversation with an open handoff
CONVERSATION_DELETED = "conversation_deleted"  # the gateway erased a conversation

# Conversation events (topics conversation(...), channel(...) and MESSAGES).
MESSAGE = "message"  # a stored message, with its public fields
TYPING = "typing"  # the bot is preparing an answer ("on": bool)
DELETED = "deleted"  # the conversation was erased
