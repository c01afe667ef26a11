"""A small hand-built period whose every count is known, on SQLite and PostgreSQL.

Rows are written in the shapes the gateway and bot.handoff write them (message
`meta`, button payloads, handoff timestamps), each with its own timestamp, so a
test can check the dashboard's figures against numbers worked out by hand.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.dashboard.period import Period
from bot.db.models import AnswerFeedback, Conversation, Message
from bot.db.session import unit_of_work
from bot.handoff.models import PRIORITY_RANK, Handoff

SECRET_WORDS = "PATIENT-SAID my name is Jane Roe, 555-0100"
FIRST = date(2026, 3, 2)  # a Monday
LAST = date(2026, 3, 10)  # the Tuesday a week later


@dataclass
class Scenario:
    factory: sessionmaker
    period: Period
    conversations: dict[str, str]  # name -> id


def at(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second)


class _Talk:
    """Messages of one conversation, one second apart from `start`."""

    def __init__(self, session: Session, conversation: Conversation, start: datetime) -> None:
        self.session, self.conversation, self.t = session, conversation, start

    def say(self, sender: str, **fields: object) -> Message:
        self.t += timedelta(seconds=1)
        fields.setdefault("status", "bot" if sender == "patient" else "sent")
        message = Message(
            conversation_id=self.conversation.id, sender=sender, text=SECRET_WORDS, created_at=self.t, **fields
        )
        self.session.add(message)
        self.session.flush()
        return message


def conversation(session: Session, channel: str, start: datetime) -> tuple[Conversation, _Talk]:
    row = Conversation(channel=channel, external_id=f"{channel}-{start.isoformat()}", created_at=start, last_message_at=start)
    session.add(row)
    session.flush()
    return row, _Talk(session, row, start)


def handoff(session: Session, conversation_id: str, created: datetime, **fields: object) -> Handoff:
    fields.setdefault("priority", "routine")
    row = Handoff(
        conversation_id=conversation_id,
        created_at=created,
        updated_at=created,
        priority_rank=PRIORITY_RANK[str(fields["priority"])],
        **fields,
    )
    session.add(row)
    session.flush()
    return row


def choose(faq_id: str) -> str:
    return "/choose_faq" + json.dumps({"faq_id": faq_id})


def write_scenario(session: Session) -> dict[str, str]:
    """The period's rows (see each block's comment) and two conversations just outside it."""
    names = {}
    # A: web chat on the first day, never handed off. Questions: direct, by suggestion,
    # not answered (rephrase), not answered ("None of these"), small talk, and one Rasa never answered.
    a, talk = conversation(session, "webchat", at(FIRST, 9))
    talk.say("patient", meta={"faq_ids": ["book_appointment"]})
    talk.say("bot", meta={"custom": {"rest_point": True, "faq_id": "book_appointment"}})
    talk.say("patient", payload='/feedback_positive{"faq_id": "book_appointment"}')
    talk.say("patient")
    talk.say("bot", meta={"custom": {"faq_offer": ["common_cold", "flu"], "not_understood": True}})
    talk.say("patient", payload=choose("common_cold"), meta={"faq_ids": ["common_cold"]})
    talk.say("bot", meta={"custom": {"rest_point": True, "faq_id": "common_cold"}})
    talk.say("patient")
    talk.say("bot", meta={"custom": {"not_understood": True}})
    talk.say("patient")
    talk.say("bot", meta={"custom": {"faq_offer": ["flu"], "not_understood": True}})
    talk.say("patient", payload="/none_of_these")
    talk.say("bot", meta={"custom": {"not_understood": True}})
    talk.say("patient")
    talk.say("bot", meta={"custom": {"rest_point": True}})
    talk.say("patient", status="failed")
    for faq_id, helpful in (("book_appointment", True), ("common_cold", False), ("common_cold", True)):
        session.add(AnswerFeedback(conversation_id=a.id, sender_id=f"{a.id}-0", faq_id=faq_id, helpful=helpful, created_at=talk.t))
    names["a"] = a.id

    # B: Telegram on the last day: an emergency, claimed after 2 min, resolved 10 min after the request.
    b, talk = conversation(session, "telegram", at(LAST, 14))
    talk.say("patient", status="clinician", meta={"red_flags": [{"category": "stroke"}], "category": "stroke"})
    talk.say("system", meta={"system": "emergency", "category": "stroke"})
    created = talk.t
    handoff(session, b.id, created, reason="emergency", priority="emergency", status="resolved", red_flags=["stroke"],
            claimed_at=created + timedelta(seconds=120), resolved_at=created + timedelta(seconds=600))
    names["b"] = b.id

    # C: the REST API on the last day: a direct answer, then a request out of hours with a callback,
    # overdue, claimed after an hour and never resolved.
    c, talk = conversation(session, "rest", at(LAST, 20))
    talk.say("patient", meta={"faq_ids": ["clinic_location"]})
    talk.say("bot", meta={"custom": {"rest_point": True, "faq_id": "clinic_location"}})
    created = talk.t
    handoff(session, c.id, created, reason="request_human", status="claimed", patient_notified_at=created,
            alerted_at=created + timedelta(seconds=300), claimed_at=created + timedelta(seconds=3600),
            callback_contact=SECRET_WORDS, callback_consent=True)
    names["c"] = c.id

    # D: web chat on the first day: a fallback request that reached the wait limit and expired.
    d, talk = conversation(session, "webchat", at(FIRST, 23, 30))
    talk.say("patient")
    talk.say("bot", meta={"custom": {"not_understood": True}})
    created = talk.t
    handoff(session, d.id, created, reason="fallback", status="expired", alerted_at=created + timedelta(seconds=300),
            patient_notified_at=created + timedelta(seconds=900), expired_at=created + timedelta(days=3))
    names["d"] = d.id

    # Outside the period: just before it and just after it.
    for start in (at(FIRST, 0) - timedelta(seconds=10), at(LAST + timedelta(days=1), 0)):
        e, talk = conversation(session, "telegram", start)
        talk.say("patient", meta={"faq_ids": ["book_appointment"], "category": "stroke"})
        handoff(session, e.id, talk.t, reason="request_human", status="waiting")
        session.add(AnswerFeedback(conversation_id=e.id, sender_id="e-0", faq_id="flu", helpful=False, created_at=talk.t))
    session.flush()
    return names


@pytest.fixture
def scenario(session_factory: sessionmaker) -> Scenario:
    with unit_of_work(session_factory) as session:
        names = write_scenario(session)
    return Scenario(session_factory, Period(FIRST, LAST, "day"), names)
