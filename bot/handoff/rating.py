"""The patient's 1-5 rating of a resolved handoff: the buttons we send and reading the press back.

The payload is a Rasa-style intent (`/handoff_rating{"rating": 4}`) that stays
well under Telegram's 64-byte callback-data limit. It names no handoff: the
rating goes to the conversation's latest resolved handoff, so a payload from
one conversation can never rate another's.
"""

from __future__ import annotations

import contextlib
import json
import re

from sqlalchemy.orm import Session

from bot.handoff import service
from bot.handoff.errors import HandoffError
from bot.handoff.texts import system_text

PAYLOAD_INTENT = "/handoff_rating"
_PAYLOAD_RE = re.compile(r"^/handoff_rating(\{.*\})$")


def rating_buttons() -> list[dict[str, str]]:
    return [
        {"title": str(n), "payload": f'{PAYLOAD_INTENT}{{"rating": {n}}}'} for n in range(1, 6)
    ]


def parse_rating_payload(payload: str | None) -> int | None:
    """The rating in a button payload, or None if the payload is not a rating."""
    match = _PAYLOAD_RE.match((payload or "").strip())
    if not match:
        return None
    try:
        rating = json.loads(match.group(1)).get("rating")
    except (ValueError, AttributeError):
        return None
    if isinstance(rating, int) and not isinstance(rating, bool) and 1 <= rating <= 5:
        return rating
    return None


def handle_rating_payload(
    *, session: Session, conversation_id: str, payload: str | None
) -> str | None:
    """For the gateway, on a button payload, before routing to Rasa.

    Returns the text to answer the patient with when `payload` is one of our
    rating buttons (the rating is recorded if there is a resolved, unrated
    handoff), or None when it is not ours and should be routed as usual. A
    second press is answered too: Rasa has no intent for these buttons.
    """
    if not (payload or "").startswith(PAYLOAD_INTENT):
        return None
    rating = parse_rating_payload(payload)
    if rating is not None:
        with contextlib.suppress(HandoffError):  # nothing to rate, or rated already
            service.record_rating(session=session, conversation_id=conversation_id, rating=rating)
    return system_text("rating_thanks")
