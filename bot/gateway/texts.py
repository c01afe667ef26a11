"""The gateway's own words to patients, always from vetted content (bot.content.store).

If the content store cannot serve a message (content missing, review overdue,
files unreadable), the patient must still never be met with silence, least of
all in an emergency: we fall back to a short fixed text built from the clinic
profile, and log an error so the content gets fixed.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.content.profile import profile_value, text_fields
from bot.paths import CLINIC_FILE

logger = logging.getLogger(__name__)

_FALLBACKS = {
    "first_contact_notice": (
        "I am an automated assistant, not a doctor, and I cannot help in an emergency: "
        "call {emergency_number}. Your messages are stored so the clinic's team can follow up; "
        "you can erase them at any time with /delete."
    ),
    "service_unavailable": (
        "I'm having trouble right now and can't answer. Your message is saved. "
        "Please try again in a few minutes or call {clinic_name} on {clinic_phone}. "
        "In an emergency call {emergency_number}."
    ),
    "possibly_urgent": (
        "I may not have understood, and this could be urgent. If this is an emergency, call "
        "{emergency_number} now. I'm asking one of our clinicians to look at your message now."
    ),
    "handoff_cancelled": "Your request for a clinician is cancelled. I'm here if you need me.",
    "conversation_deleted": "Your conversation has been erased.",
    "conversation_delete_failed": (
        "I could not erase your conversation just now, so nothing was deleted. "
        "Please try again in a few minutes."
    ),
}
DEFAULT_RETENTION_DAYS = 90
_EMERGENCY_FALLBACK = (
    "This may be an emergency. Call {emergency_number} now. "
    "If you are thinking about harming yourself, call or text {crisis_line}."
)


def _clinic() -> dict[str, str]:
    return text_fields(CLINIC_FILE)


def retention_days() -> int:
    """Days a silent conversation is kept (data/clinic.yml `retention_days`, which the notice quotes).

    Read at start-up; a value that is not a whole number of days stops the gateway
    with this message rather than keep conversations longer than patients were told.
    """
    value = profile_value(CLINIC_FILE, "retention_days", DEFAULT_RETENTION_DAYS)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 3650:
        raise ValueError(f"{CLINIC_FILE}: retention_days must be a whole number from 1 to 3650")
    return value


def _store() -> Any:
    from bot.content.store import get_content_store

    return get_content_store()


def load_content() -> None:
    """Read and check the content files now, at start-up, not on the first patient's message.

    Loading takes over a second; done lazily it made the first patient after every
    restart wait for it. A failure here is logged and left to system_text's fallback.
    """
    try:
        _store()
    except Exception:  # noqa: BLE001 - the gateway still serves with the built-in texts
        logger.exception("content could not be loaded at start-up; system messages use built-in text")


def system_text(message_id: str) -> str:
    """Text of a vetted system message, e.g. "first_contact_notice" or "service_unavailable"."""
    try:
        return _store().system(message_id).text
    except Exception:  # noqa: BLE001 - any content failure must still reach the patient
        logger.exception(
            "system message %r not served from content; using built-in text", message_id
        )
        template = _FALLBACKS.get(message_id, _FALLBACKS["service_unavailable"])
        return template.format_map(_clinic())


def faq_still_vetted(faq_id: str) -> bool:
    """Whether an FAQ the model answered with is still approved and within its review date.

    The model was trained on the content of its day; content that has since been
    retired or passed its review date must not be served as vetted.
    """
    try:
        return bool(_store().is_served("faq", faq_id))
    except Exception:  # noqa: BLE001 - unreadable content: do not vouch for the answer
        logger.exception("content store unavailable while checking an FAQ")
        return False


def emergency_text(category: str | None, language: str = "en") -> str:
    """The vetted emergency guidance for a red-flag category, in the patient's language if vetted.

    The store falls back to the generic guidance, and to English.
    """
    try:
        return _store().emergency(category or "general_emergency", language=language).text
    except Exception:  # noqa: BLE001
        logger.exception("emergency content %r not served; using built-in text", category)
        return _EMERGENCY_FALLBACK.format_map(_clinic())


def clinic_phone() -> str:
    return str(_clinic().get("clinic_phone", ""))
