"""Which stored questions the bot did not answer, and why, read from the rows the gateway writes.

A question is a message a patient typed (no button payload) that the bot
handled (status `bot`: not during a handoff, not an emergency, not a
possibly-urgent message, not one Rasa never answered) and that got no direct
answer (no `meta.faq_ids`). The bot's replies to it are its messages before
the patient's next one; Rasa's custom data on them says what it did
(bot/gateway/rasa_client.py):

- `faq_offer`: "did you mean". The patient's next message says whether one was
  chosen (a `/choose_faq` press): until it comes the outcome is not known yet,
  unless the session has lapsed (the patient went away: none chosen).
- `not_understood` with a reply offering a clinician (its `/affirm` button):
  the second failure in a row, after which the bot offers a clinician.
- `not_understood` alone: the ask-to-rephrase.

Anything else is left out: answers, small talk, asking for a person, and the
personal-advice refusal (its replies carry neither marker), which is clinical,
not a content gap, and counted on the dashboard as a request for a clinician.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.inbox.models import CLINICIAN_OFFER, REPHRASE, UNCHOSEN

CHOOSE_FAQ_PREFIX = "/choose_faq"  # actions/suggestions.py's button payload
CLINICIAN_OFFER_PAYLOAD = "/affirm"  # data/content/system/offer_clinician.yml's "Yes, please"


@dataclass(frozen=True)
class Row:
    """The columns of a message that the outcome depends on (never its text)."""

    id: int
    conversation_id: str
    sender: str
    payload: str | None
    status: str
    meta: dict[str, Any] | None
    buttons: list[dict[str, Any]] | None
    created_at: datetime


@dataclass(frozen=True)
class Unanswered:
    message_id: int
    conversation_id: str
    kind: str
    faq_id: str | None
    asked_at: datetime


@dataclass(frozen=True)
class Scan:
    """What a pass found, and the first question whose outcome is not known yet (None: all known)."""

    found: list[Unanswered]
    first_pending: int | None


def is_question(row: Row) -> bool:
    meta = row.meta or {}
    return (
        row.sender == "patient"
        and row.payload is None
        and row.status == "bot"
        and not meta.get("faq_ids")
        and not meta.get("red_flags")
        and not meta.get("urgency")
    )


def _custom(row: Row) -> dict[str, Any]:
    custom = (row.meta or {}).get("custom")
    return custom if isinstance(custom, dict) else {}


def _offers_clinician(row: Row) -> bool:
    return any(
        isinstance(b, dict) and b.get("payload") == CLINICIAN_OFFER_PAYLOAD for b in (row.buttons or [])
    )


def classify(
    question: Row, replies: Sequence[Row], next_patient: Row | None, *, session_lapsed: bool
) -> tuple[str | None, str | None] | None:
    """(kind, faq id) for an unanswered question, (None, None) for one that is not, None if not known yet."""
    offer = next((r for r in replies if _custom(r).get("faq_offer")), None)
    if offer is not None:
        if next_patient is None:
            return (UNCHOSEN, str(_custom(offer)["faq_offer"][0])) if session_lapsed else None
        if (next_patient.payload or "").startswith(CHOOSE_FAQ_PREFIX):
            return None, None
        return UNCHOSEN, str(_custom(offer)["faq_offer"][0])
    if any(_custom(r).get("not_understood") is True for r in replies):
        return (CLINICIAN_OFFER if any(_offers_clinician(r) for r in replies) else REPHRASE), None
    return None, None


def scan(rows: Iterable[Row], *, lapsed_before: datetime) -> Scan:
    """Classify every question among `rows` (all messages after some id, in id order).

    `lapsed_before`: a question asked before it whose offer got no reply is
    taken as none chosen (the patient's session expired).
    """
    by_conversation: dict[str, list[Row]] = {}
    for row in rows:
        by_conversation.setdefault(row.conversation_id, []).append(row)
    found: list[Unanswered] = []
    pending: list[int] = []
    for messages in by_conversation.values():
        for index, row in enumerate(messages):
            if not is_question(row):
                continue
            later = messages[index + 1 :]
            next_patient = next((m for m in later if m.sender == "patient"), None)
            replies = [
                m for m in later if m.sender == "bot" and (next_patient is None or m.id < next_patient.id)
            ]
            outcome = classify(row, replies, next_patient, session_lapsed=row.created_at < lapsed_before)
            if outcome is None:
                pending.append(row.id)
            elif outcome[0] is not None:
                found.append(Unanswered(row.id, row.conversation_id, outcome[0], outcome[1], row.created_at))
    return Scan(found, min(pending) if pending else None)
