"""Collection on SQLite and PostgreSQL: what enters the inbox, what stays out, grouping, cursors."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.db.session import unit_of_work
from bot.inbox.collect import collect
from bot.inbox.grouping import FaqIndex
from bot.inbox.models import (
    CLINICIAN_OFFER,
    NOT_HELPFUL,
    REPHRASE,
    UNCHOSEN,
    InboxGroup,
    InboxQuestion,
)
from tests.support.inbox import Talk

START = datetime(2026, 5, 4, 9, 0)
LATER = START + timedelta(hours=3)


def _questions(factory: sessionmaker) -> list[tuple[int, str, str | None, int | None]]:
    with unit_of_work(factory) as session:
        return [
            (q.message_id, q.kind, q.faq_id, q.group_id)
            for q in session.scalars(select(InboxQuestion).order_by(InboxQuestion.message_id, InboxQuestion.kind))
        ]


def test_every_kind_of_unanswered_question_enters_and_the_rest_stays_out(
    session_factory: sessionmaker, encoder, faqs: FaqIndex
) -> None:
    with unit_of_work(session_factory) as session:
        talk = Talk(session, START)
        talk.answered("how do i book an appointment", "book_appointment")
        rephrased = talk.rephrase("wat is the wifi pasword")
        offered = talk.clinician_offer("do you have free wifi for patients")
        unchosen = talk.offer("can i park outside", ["parking_and_transport", "book_appointment"])
        talk.none_of_these()
        chosen = talk.offer("flu jab at the clinic?", ["flu_vaccine"])
        talk.pick("flu_vaccine")
        talk.not_helpful("flu_vaccine")
        answered = talk.answered("when can i get a flu shot", "flu_vaccine")
        talk.not_helpful("flu_vaccine")
        talk.personal_advice("should i double my dose of metformin")
        talk.emergency("my face is drooping and i cannot lift my arm")
        talk.say("patient", "hello there", meta=None)
        talk.say("bot", "Hi!", meta={"custom": {"rest_point": True}})
        talk.say("patient", "rasa never answered this", status="failed")
        result = collect(session=session, encoder=encoder, faqs=faqs, now=LATER)
    assert dict(result.added) == {REPHRASE: 1, CLINICIAN_OFFER: 1, UNCHOSEN: 1, NOT_HELPFUL: 2}
    found = {(m, k, f) for m, k, f, _ in _questions(session_factory)}
    assert found == {
        (rephrased.id, REPHRASE, None),
        (offered.id, CLINICIAN_OFFER, None),
        (unchosen.id, UNCHOSEN, "parking_and_transport"),
        (chosen.id, NOT_HELPFUL, "flu_vaccine"),  # the typed question, not the button press
        (answered.id, NOT_HELPFUL, "flu_vaccine"),
    }


def test_an_offer_waits_for_the_patients_choice_and_is_not_read_twice(
    session_factory: sessionmaker, encoder, faqs: FaqIndex
) -> None:
    with unit_of_work(session_factory) as session:
        talk = Talk(session, START)
        question = talk.offer("parking for disabled drivers?", ["parking_and_transport"])
        first = collect(session=session, encoder=encoder, faqs=faqs, now=talk.t + timedelta(minutes=1))
        assert sum(first.added.values()) == 0  # the patient may still choose
        talk.rephrase("is the car park open on sunday")
        second = collect(session=session, encoder=encoder, faqs=faqs, now=talk.t + timedelta(minutes=1))
        again = collect(session=session, encoder=encoder, faqs=faqs, now=talk.t + timedelta(minutes=2))
    assert dict(second.added) == {UNCHOSEN: 1, REPHRASE: 1}  # moving on is choosing none
    assert sum(again.added.values()) == 0
    assert question.id in {m for m, *_ in _questions(session_factory)}


def test_an_offer_left_unanswered_counts_once_the_session_lapsed(
    session_factory: sessionmaker, encoder, faqs: FaqIndex
) -> None:
    with unit_of_work(session_factory) as session:
        talk = Talk(session, START)
        talk.offer("parking permit for the clinic", ["parking_and_transport"])
        assert sum(collect(session=session, encoder=encoder, faqs=faqs, now=talk.t + timedelta(minutes=59)).added.values()) == 0
        assert dict(collect(session=session, encoder=encoder, faqs=faqs, now=talk.t + timedelta(minutes=61)).added) == {UNCHOSEN: 1}


def test_similar_questions_share_a_group_named_after_the_nearest_faq(
    session_factory: sessionmaker, encoder, faqs: FaqIndex
) -> None:
    with unit_of_work(session_factory) as session:
        for i, text in enumerate(["where can i park my car", "is parking free at the clinic", "how much does parking cost",
                                  "what is the wifi password", "can i use the wifi in the waiting room"]):
            Talk(session, START + timedelta(minutes=i)).rephrase(text)
        collect(session=session, encoder=encoder, faqs=faqs, now=LATER)
        groups = {g.id: g for g in session.scalars(select(InboxGroup))}
        members: dict[int, list[str]] = {}
        for question in session.scalars(select(InboxQuestion)):
            members.setdefault(question.group_id, []).append(question.message_id)
    sizes = sorted(len(m) for m in members.values())
    assert sizes == [2, 3]
    parking = next(g for g, m in members.items() if len(m) == 3)
    assert groups[parking].nearest_faq_id == "parking_and_transport"
    assert groups[parking].nearest_score is not None and groups[parking].nearest_score > 0.4
