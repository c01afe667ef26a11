"""Seeded conversations in the shapes the gateway stores, for the dashboard's tests and benchmark.

`seed_conversations` writes a realistic mix (channels, daily and hourly rhythm,
direct answers, "did you mean" offers picked or not, rephrase requests, small
talk, feedback presses, emergencies, requests for a clinician claimed and
resolved after lifelike waits, some overdue, past the wait limit, expired, out
of hours or with a callback) with bulk inserts, and returns what it wrote as
counts, so a test can compare the dashboard's figures with the truth.

Every patient text and callback contact contains PATIENT_MARK, so a test can
prove that none of it reaches the dashboard.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from bot.db.base import new_id
from bot.db.models import AnswerFeedback, Conversation, Message
from bot.handoff.models import PRIORITY_RANK, Handoff

PATIENT_MARK = "PATIENT-TEXT"
FAQ_IDS = (
    "book_appointment", "cancel_appointment", "clinic_location", "common_cold", "antibiotics_use",
    "blood_test_preparation", "childhood_vaccines", "billing_questions", "after_hours_care", "anxiety_stress",
)
RED_FLAG_CATEGORIES = ("heart_attack", "stroke", "suicide_self_harm", "breathing_difficulty", "infant_fever")
CHANNEL_WEIGHTS = {"webchat": 55, "telegram": 35, "rest": 10}
TURN_WEIGHTS = {"direct": 62, "offer": 10, "rephrase": 10, "smalltalk": 12, "handoff": 5, "emergency": 1}
REASON_WEIGHTS = {
    "request_human": 45, "fallback": 25, "personal_advice": 15, "possibly_urgent": 7,
    "negative_feedback": 5, "callback": 3,
}
# What patients ask that the content does not answer yet, a few phrasings each: the inbox groups them.
UNANSWERED = {
    "wifi": ["what is the wifi password", "do you have free wifi", "can i use the wifi in the waiting room",
             "wifi for patients?"],
    "home_visits": ["do you do home visits", "can a doctor come to my house", "home visit for my elderly mum",
                    "my dad is housebound can someone visit him"],
    "sick_note": ["how do i get a sick note", "i need a fit note for work", "can i get a doctors note for school",
                  "sick note for my employer"],
    "travel": ["do i need jabs to travel to thailand", "travel vaccines for india", "malaria tablets before my trip",
               "which vaccinations for a holiday in kenya"],
    "records": ["how do i get a copy of my medical records", "can i see my notes", "request my health records",
                "i want my records sent to my new doctor"],
    "toilets": ["where are the toilets", "is there a baby changing room", "do you have a bathroom for patients"],
    "payment": ["can i pay by card", "do you take cash", "is there a fee for a missed appointment",
                "how much is a private consultation"],
    "interpreter": ["can i bring my own interpreter", "do you have sign language interpreters",
                    "my mum only speaks polish can someone translate"],
}
ALERT_AFTER_S = 300
GIVEUP_AFTER_S = 900
EXPIRE_AFTER_S = 3 * 86400
OPEN_HOURS = range(8, 18)  # weekdays, UTC


@dataclass
class SeedSummary:
    """What was written, counted the way the dashboard counts it."""

    conversations: Counter[str] = field(default_factory=Counter)  # channel
    contained: int = 0
    messages: Counter[str] = field(default_factory=Counter)  # patient messages per channel
    answers: Counter[str] = field(default_factory=Counter)  # direct, suggestion, none, other
    feedback: Counter[bool] = field(default_factory=Counter)
    handoffs: Counter[tuple[str, str]] = field(default_factory=Counter)  # (reason, priority)
    flags: Counter[str] = field(default_factory=Counter)  # overdue, wait_limit, expired, out_of_hours, callback
    to_claim: list[int] = field(default_factory=list)
    to_resolve: list[int] = field(default_factory=list)
    red_flags: Counter[str] = field(default_factory=Counter)


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class _Writer:
    """One conversation at a time; rows go to lists that are inserted in bulk."""

    def __init__(
        self, rng: random.Random, summary: SeedSummary, end: datetime, clinician_id: int | None, seed: int = 0
    ) -> None:
        self.rng = rng
        # The wording of unanswered questions comes from its own generator, so the mix of
        # everything else (and the dashboard's figures) does not depend on it.
        self.words = random.Random(f"words-{seed}")
        self.clinician_id = clinician_id
        self.summary = summary
        self.end = end
        self.conversations: list[dict[str, Any]] = []
        self.messages: list[dict[str, Any]] = []
        self.handoffs: list[dict[str, Any]] = []
        self.feedback: list[dict[str, Any]] = []

    def conversation(self, start: datetime) -> None:
        rng = self.rng
        channel = _pick(rng, CHANNEL_WEIGHTS)
        cid = new_id()
        self.cid, self.channel, self.t = cid, channel, start
        self.summary.conversations[channel] += 1
        self.message("system", "notice", meta={"system": "first_contact_notice"}, status="sent")
        turns = {
            "direct": self._direct, "offer": self._offer, "rephrase": self._rephrase,
            "smalltalk": self._smalltalk, "handoff": self._handoff_request, "emergency": self._emergency,
        }
        handed_off = False
        for _ in range(min(8, 1 + int(rng.expovariate(1 / 1.6)))):
            kind = _pick(rng, TURN_WEIGHTS)
            turns[kind]()
            if kind in ("handoff", "emergency"):
                handed_off = True
                break
        self.summary.contained += not handed_off
        self.conversations.append(
            {
                "id": cid, "channel": channel, "external_id": f"seed-{cid}", "owner": "bot",
                "rasa_segment": 0, "segment_turns": 0, "notice_shown": True,
                "created_at": start, "last_message_at": self.t,
            }
        )

    def message(
        self, sender: str, text: str, *, status: str = "bot", payload: str | None = None,
        meta: dict[str, Any] | None = None, buttons: list[dict[str, str]] | None = None,
    ) -> None:
        self.t += timedelta(seconds=self.rng.randint(3, 90))
        if sender == "patient":
            self.summary.messages[self.channel] += 1
            text = f"{PATIENT_MARK} {text}"
        self.messages.append(
            {
                "conversation_id": self.cid, "sender": sender, "text": text, "payload": payload,
                "buttons": buttons, "meta": meta, "status": status, "created_at": self.t,
            }
        )

    def _answer(self, faq: str) -> None:
        self.message("bot", f"answer {faq}", status="sent", meta={"custom": {"rest_point": True, "faq_id": faq}},
                     buttons=[{"title": "Yes", "payload": "/feedback_positive"}, {"title": "No", "payload": "/feedback_negative"}])
        if self.rng.random() < 0.3:
            helpful = self.rng.random() < 0.8
            intent = "feedback_positive" if helpful else "feedback_negative"
            self.message("patient", "Yes" if helpful else "No", payload=f'/{intent}{{"faq_id": "{faq}"}}')
            self.feedback.append({"conversation_id": self.cid, "sender_id": f"{self.cid}-0", "faq_id": faq,
                                  "helpful": helpful, "created_at": self.t})
            self.summary.feedback[helpful] += 1
            self.message("bot", "thanks", status="sent", meta={"custom": {"rest_point": True}})

    def _direct(self) -> None:
        faq = self.rng.choice(FAQ_IDS)
        self.message("patient", f"how about {faq}?", meta={"faq_ids": [faq]})
        self.summary.answers["direct"] += 1
        self._answer(faq)

    def _offer(self) -> None:
        offered = self.rng.sample(FAQ_IDS, 2)
        self.message("patient", self._unanswered())
        self.message("bot", "Did you mean", status="sent",
                     meta={"custom": {"faq_offer": offered, "not_understood": True}},
                     buttons=[{"title": f, "payload": "/choose_faq" + json.dumps({"faq_id": f})} for f in offered])
        if self.rng.random() < 0.6:
            self.message("patient", offered[0], payload="/choose_faq" + json.dumps({"faq_id": offered[0]}),
                         meta={"faq_ids": [offered[0]]})
            self.summary.answers["suggestion"] += 1
            self._answer(offered[0])
        else:
            self.message("patient", "None of these", payload="/none_of_these")
            self.message("bot", "rephrase", status="sent", meta={"custom": {"not_understood": True}})
            self.summary.answers["none"] += 1

    def _unanswered(self) -> str:
        return self.words.choice(self.words.choice(list(UNANSWERED.values())))

    def _rephrase(self) -> None:
        self.message("patient", self._unanswered())
        self.message("bot", "rephrase", status="sent", meta={"custom": {"not_understood": True}})
        self.summary.answers["none"] += 1

    def _smalltalk(self) -> None:
        self.message("patient", "hello")
        self.message("bot", "hi", status="sent", meta={"custom": {"rest_point": True}})
        self.summary.answers["other"] += 1

    def _emergency(self) -> None:
        category = self.rng.choice(RED_FLAG_CATEGORIES)
        flags = [{"category": category, "label": category, "phrase": "x", "context": []}]
        self.message("patient", "something terrible", status="clinician", meta={"red_flags": flags, "category": category})
        self.summary.red_flags[category] += 1
        self.message("system", "emergency guidance", status="sent", meta={"system": "emergency", "category": category})
        self._handoff("emergency", "emergency", red_flags=[category])

    def _handoff_request(self) -> None:
        self.message("patient", "can I talk to someone")
        self.summary.answers["other"] += 1
        reason = _pick(self.rng, REASON_WEIGHTS)
        priority = "urgent" if reason == "possibly_urgent" or self.rng.random() < 0.1 else "routine"
        self.message("bot", "queued", status="sent")
        self._handoff(reason, priority)

    def _handoff(self, reason: str, priority: str, red_flags: list[str] | None = None) -> None:
        rng, created = self.rng, self.t
        available = created.weekday() < 5 and created.hour in OPEN_HOURS
        callback = reason == "callback" or rng.random() < 0.05
        row: dict[str, Any] = {
            "id": new_id(), "conversation_id": self.cid, "reason": reason, "priority": priority,
            "priority_rank": PRIORITY_RANK[priority], "summary": None, "red_flags": red_flags,
            "claimed_by": None, "callback_contact": f"{PATIENT_MARK} +1 555 0100" if callback else None,
            "callback_consent": callback, "created_at": created, "status": "waiting",
            "patient_notified_at": None if available else created,
            "alerted_at": None, "claimed_at": None, "resolved_at": None, "expired_at": None,
            "cancelled_at": None, "outcome_note": None, "rating": None,
        }
        self.summary.handoffs[(reason, priority)] += 1
        self.summary.flags["callback"] += callback
        self.summary.flags["out_of_hours"] += not available
        median = 60 if priority == "emergency" else (240 if available else 5 * 3600)
        wait = int(rng.lognormvariate(0, 0.9) * median) + 5
        if rng.random() < 0.05:  # nobody ever claims it
            wait = EXPIRE_AFTER_S + 60
        # Only what has happened by `end`: a request whose claim would come later is still waiting.
        waited = min(wait, int((self.end - created).total_seconds()))
        if waited > ALERT_AFTER_S:
            row["alerted_at"] = created + timedelta(seconds=ALERT_AFTER_S)
            self.summary.flags["overdue"] += 1
        if waited > GIVEUP_AFTER_S and available:
            row["patient_notified_at"] = created + timedelta(seconds=GIVEUP_AFTER_S)
            self.summary.flags["wait_limit"] += 1
        if waited > EXPIRE_AFTER_S:
            row.update(status="expired", expired_at=created + timedelta(seconds=EXPIRE_AFTER_S))
            self.summary.flags["expired"] += 1
        elif waited == wait:
            claimed = created + timedelta(seconds=wait)
            solved = int(rng.lognormvariate(0, 0.7) * 480) + 30
            row.update(claimed_at=claimed, claimed_by=self.clinician_id)
            self.summary.to_claim.append(wait)
            self.t = claimed
            self.message("clinician", "Hello, I am a clinician.", status="sent")
            self.message("patient", "thank you", status="clinician")
            if claimed + timedelta(seconds=solved) <= self.end:
                row.update(status="resolved", resolved_at=claimed + timedelta(seconds=solved),
                           outcome_note="done", rating=rng.randint(3, 5))
                self.summary.to_resolve.append(wait + solved)
                self.t = row["resolved_at"]
                self.message("system", "resolved", status="sent", meta={"system": "handoff_resolved"})
            else:
                row["status"] = "claimed"
        row["updated_at"] = row.get("resolved_at") or row.get("expired_at") or created
        self.handoffs.append(row)

    def flush(self, session: Session) -> None:
        for model, rows in (
            (Conversation, self.conversations), (Message, self.messages),
            (Handoff, self.handoffs), (AnswerFeedback, self.feedback),
        ):
            for i in range(0, len(rows), 5000):
                session.execute(insert(model), rows[i:i + 5000])
            rows.clear()
        session.flush()


def _start_time(rng: random.Random, end: datetime, days: int) -> datetime:
    """A start in the last `days` days before `end`: fewer at weekends, most in the daytime."""
    while True:
        day = (end - timedelta(days=rng.randrange(days))).date()
        if day.weekday() >= 5 and rng.random() < 0.4:
            continue
        hour = min(23, max(0, int(rng.gauss(13, 4))))
        start = datetime.combine(day, datetime.min.time()) + timedelta(hours=hour, minutes=rng.randrange(60))
        if start < end - timedelta(hours=2):
            return start


def seed_conversations(
    *,
    session: Session,
    count: int,
    end: datetime,
    days: int = 30,
    seed: int = 0,
    clinician_id: int | None = None,
) -> SeedSummary:
    """Write `count` conversations started in the `days` days before `end` (naive UTC).

    Claimed requests are claimed by `clinician_id` (an existing clinician, or None).
    """
    rng = random.Random(seed)
    summary = SeedSummary()
    writer = _Writer(rng, summary, end, clinician_id, seed)
    for i in range(count):
        writer.conversation(_start_time(rng, end, days))
        if i % 2000 == 1999:
            writer.flush(session)
    writer.flush(session)
    return summary
