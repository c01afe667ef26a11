"""Conversations written the way the gateway stores them, with the patient's words, for the inbox tests.

`Talk` writes one conversation's messages a second apart; its helpers produce
the shapes bot/gateway/routing.py stores for each path of the dialogue (a
direct answer, "did you mean" chosen or not, ask-to-rephrase, the clinician
offer after a second failure, personal advice, an emergency) so the inbox is
tested against what really reaches the database.
"""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from bot.content.models import ContentEntry
from bot.db.models import AnswerFeedback, Conversation, Message
from bot.inbox.grouping import FaqIndex, faq_index
from bot.nlu.embedding_model import shared_encoder
from bot.paths import CLINIC_FILE, CONTENT_DIR

OFFER_CLINICIAN_BUTTONS = [{"title": "Yes, please", "payload": "/affirm"}, {"title": "No, thanks", "payload": "/deny"}]


def choose(faq_id: str) -> str:
    return "/choose_faq" + json.dumps({"faq_id": faq_id})


class Talk:
    """One conversation; every message one second after the previous one."""

    def __init__(self, session: Session, start: datetime, channel: str = "webchat") -> None:
        self.session, self.t = session, start
        self.conversation = Conversation(
            channel=channel, external_id=f"{channel}-{start.isoformat()}-{id(self)}", created_at=start, last_message_at=start
        )
        session.add(self.conversation)
        session.flush()

    @property
    def id(self) -> str:
        return str(self.conversation.id)

    def say(self, sender: str, text: str = "", **fields: Any) -> Message:
        self.t += timedelta(seconds=1)
        fields.setdefault("status", "bot" if sender == "patient" else "sent")
        message = Message(conversation_id=self.conversation.id, sender=sender, text=text, created_at=self.t, **fields)
        self.session.add(message)
        self.session.flush()
        self.conversation.last_message_at = self.t
        return message

    def answered(self, text: str, faq_id: str) -> Message:
        question = self.say("patient", text, meta={"faq_ids": [faq_id]})
        self.say("bot", f"answer {faq_id}", meta={"custom": {"rest_point": True, "faq_id": faq_id}})
        return question

    def rephrase(self, text: str) -> Message:
        question = self.say("patient", text)
        self.say("bot", "Sorry, I'm not sure I understood.", meta={"custom": {"not_understood": True}})
        return question

    def clinician_offer(self, text: str) -> Message:
        question = self.say("patient", text)
        self.say("bot", "I'm sorry, I don't have a checked answer to that.", meta={"custom": {"not_understood": True}})
        self.say("bot", "Would you like me to ask one of our clinicians?", buttons=OFFER_CLINICIAN_BUTTONS)
        return question

    def offer(self, text: str, offered: list[str]) -> Message:
        question = self.say("patient", text)
        self.say(
            "bot", "Did you mean", meta={"custom": {"faq_offer": offered, "not_understood": True}},
            buttons=[{"title": f, "payload": choose(f)} for f in offered] + [{"title": "None of these", "payload": "/none_of_these"}],
        )
        return question

    def pick(self, faq_id: str) -> Message:
        pressed = self.say("patient", faq_id, payload=choose(faq_id), meta={"faq_ids": [faq_id]})
        self.say("bot", f"answer {faq_id}", meta={"custom": {"rest_point": True, "faq_id": faq_id}})
        return pressed

    def none_of_these(self) -> Message:
        pressed = self.say("patient", "None of these", payload="/none_of_these")
        self.say("bot", "Sorry, I'm not sure I understood.", meta={"custom": {"not_understood": True}})
        return pressed

    def personal_advice(self, text: str) -> Message:
        question = self.say("patient", text)
        self.say("bot", "I'm sorry, I can't give advice about your own health.")
        self.say("bot", "Would you like me to ask one of our clinicians?", buttons=OFFER_CLINICIAN_BUTTONS)
        return question

    def emergency(self, text: str) -> Message:
        question = self.say("patient", text, status="clinician", meta={"red_flags": [{"category": "stroke"}], "category": "stroke"})
        self.say("system", "Call 911 now.", meta={"system": "emergency", "category": "stroke"})
        return question

    def not_helpful(self, faq_id: str) -> AnswerFeedback:
        self.say("patient", "No", payload=f'/feedback_negative{{"faq_id": "{faq_id}"}}')
        press = AnswerFeedback(
            conversation_id=self.conversation.id, sender_id=f"{self.id}-0", faq_id=faq_id, helpful=False, created_at=self.t
        )
        self.session.add(press)
        self.session.flush()
        return press


def faq_entry(faq_id: str, title: str, examples: list[str], **fields: Any) -> ContentEntry:
    """An approved FAQ as the loader returns it, for an FAQ index built without content files."""
    values: dict[str, Any] = dict(
        kind="faq", id=faq_id, title=title, status="approved", answer="An answer.", sources=(),
        reviewed_by="Dr Test", reviewed_on=date(2026, 1, 1), review_due=date(2027, 1, 1), examples=tuple(examples),
    )
    values.update(fields)
    return ContentEntry(**values)


FAQS = [
    faq_entry("parking_and_transport", "Parking and getting here", [
        "is there parking at the clinic", "where do i park", "how do i get there by bus", "is parking free",
    ]),
    faq_entry("flu_vaccine", "The flu vaccine", [
        "when can i get a flu shot", "do you do flu jabs", "is the flu vaccine safe", "who should get the flu vaccine",
    ]),
    faq_entry("book_appointment", "Booking an appointment", [
        "how do i book an appointment", "can i see a doctor tomorrow", "book a visit", "make an appointment online",
    ]),
]


def content_copy(folder: Path) -> tuple[Path, Path]:
    """A copy of the shipped content tree and clinic profile under `folder`: approvals write there, never
    into data/content."""
    content = folder / "content"
    shutil.copytree(CONTENT_DIR, content, ignore=shutil.ignore_patterns("drafts"))
    clinic = folder / "clinic.yml"
    shutil.copyfile(CLINIC_FILE, clinic)
    return content, clinic


@pytest.fixture(scope="session")
def encoder() -> Any:
    """all-MiniLM-L6-v2 from build/embedding (unpacked by `make setup`), read-only."""
    return shared_encoder()


@pytest.fixture(scope="session")
def faqs(encoder: Any) -> FaqIndex:
    """The FAQ index of FAQS, for naming a group's nearest FAQ."""
    return faq_index(FAQS, encoder)
