"""What the handoff side says to patients: vetted system messages from the content store.

If the store cannot serve one (content missing, review overdue), the patient
must still not be left without an answer, so a short built-in text from the
clinic profile is used and an error logged so the content gets fixed.
"""

from __future__ import annotations

import logging

from bot.content.profile import text_fields
from bot.paths import CLINIC_FILE

logger = logging.getLogger(__name__)

_FALLBACKS = {
    "handoff_resolved": (
        "The clinician has finished this conversation. I'm back to answer your questions; "
        "if you need a clinician again just ask, or call {clinic_name} on {clinic_phone}."
    ),
    "rating_request": "How helpful was the clinician? Tap 1 (not helpful) to 5 (very helpful).",
    "rating_thanks": "Thank you for your rating.",
    "handoff_timeout": (
        "No clinician has been able to take your request yet. It stays in the queue; "
        "meanwhile I can answer general questions. You can also call {clinic_name} on "
        "{clinic_phone}, or leave a number for a callback. If this is an emergency, call "
        "{emergency_number} now."
    ),
    "handoff_cancelled": "Your request for a clinician is cancelled. I'm here if you need me.",
}


def clinic_profile() -> dict[str, str]:
    return text_fields(CLINIC_FILE)


def system_text(message_id: str) -> str:
    """A vetted system message's text (falls back to a built-in one, logged as an error)."""
    try:
        from bot.content.store import get_content_store

        return get_content_store().system(message_id).text
    except Exception:  # noqa: BLE001 - any content failure must still reach the patient
        logger.error("system message %r not served from content; using built-in text", message_id)
        return _FALLBACKS.get(message_id, _FALLBACKS["handoff_timeout"]).format_map(clinic_profile())
