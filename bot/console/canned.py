"""Canned replies: the sentences clinicians type again and again, one click away.

Kept short and generic on purpose (no clinical advice): the clinician picks
one, may edit it in the reply box, and sends it like any reply.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CannedReply:
    id: str
    title: str
    text: str


CANNED_REPLIES: tuple[CannedReply, ...] = (
    CannedReply(
        "greeting",
        "Introduce yourself",
        "Hello, I'm a clinician at the clinic and I've read your conversation with our assistant. "
        "How can I help?",
    ),
    CannedReply(
        "more_detail",
        "Ask for details",
        "Could you tell me a bit more: when did this start, how severe is it, and has anything "
        "made it better or worse?",
    ),
    CannedReply(
        "book_visit",
        "Suggest a visit",
        "This is best looked at in person. Please book an appointment with us; if it gets worse "
        "before then, contact us again straight away.",
    ),
    CannedReply(
        "emergency",
        "Emergency advice",
        "What you describe needs urgent attention. Please call the emergency number now or go to "
        "the nearest emergency department.",
    ),
    CannedReply(
        "closing",
        "Close the conversation",
        "Thank you for reaching out. I'll close our chat now; our assistant is here for general "
        "questions, and you can ask for a clinician again at any time.",
    ),
)

_BY_ID = {reply.id: reply for reply in CANNED_REPLIES}


def canned_text(canned_id: str) -> str | None:
    reply = _BY_ID.get(canned_id)
    return reply.text if reply else None
