"""The inbox page's groups on SQLite and PostgreSQL: sizes in the period, order, examples, handled questions."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import sessionmaker

from bot.db.session import unit_of_work
from bot.inbox import actions
from bot.inbox.collect import collect
from bot.inbox.grouping import FaqIndex
from bot.inbox.queries import EXAMPLES, group_detail, inbox_page
from tests.support.handoff import make_clinician
from tests.support.inbox import Talk

DAY1 = datetime(2026, 5, 4, 9, 0)
DAY3 = DAY1 + timedelta(days=2)
PARKING = ["where can i park my car", "is parking free at the clinic", "how much does parking cost",
           "is there a car park", "can i park outside the surgery"]
WIFI = ["what is the wifi password", "can i use the wifi in the waiting room"]


def _fill(factory: sessionmaker, encoder, faqs: FaqIndex) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work(factory) as session:
        for i, text in enumerate(PARKING):
            Talk(session, DAY1 + timedelta(minutes=i)).rephrase(text)
        for i, text in enumerate(WIFI):
            Talk(session, DAY3 + timedelta(minutes=i)).rephrase(text)
        collect(session=session, encoder=encoder, faqs=faqs, now=DAY3 + timedelta(hours=2))


def test_largest_first_newest_first_and_the_period(session_factory: sessionmaker, encoder, faqs: FaqIndex) -> None:
    _fill(session_factory, encoder, faqs)
    with unit_of_work(session_factory) as session:
        largest = inbox_page(session=session, start=None, end=None)
        newest = inbox_page(session=session, start=None, end=None, sort="newest")
        day3 = inbox_page(session=session, start=DAY3.replace(hour=0), end=DAY3.replace(hour=0) + timedelta(days=1))
    assert [g.size for g in largest.groups] == [5, 2] and largest.questions == 7 and largest.group_count == 2
    assert [g.size for g in newest.groups] == [2, 5]
    assert [g.size for g in day3.groups] == [2] and day3.questions == 2
    parking = largest.groups[0]
    assert parking.nearest_faq_id == "parking_and_transport"
    assert parking.first_at == DAY1 + timedelta(seconds=1) and parking.last_at == DAY1 + timedelta(minutes=4, seconds=1)
    assert dict(parking.kinds) == {"rephrase": 5}
    assert [e.text for e in parking.examples] == PARKING[::-1][:EXAMPLES]  # the newest few


def test_handled_questions_leave_the_page(session_factory: sessionmaker, encoder, faqs: FaqIndex) -> None:
    _fill(session_factory, encoder, faqs)
    with unit_of_work(session_factory) as session:
        clinician = make_clinician(session, "alice")
        page = inbox_page(session=session, start=None, end=None)
        parking, wifi = page.groups
        detail = group_detail(session=session, group_id=parking.id)
        assert detail is not None and len(detail.questions) == 5
        first_two = [q.question_id for q in detail.questions[:2]]
        assert actions.dismiss(session=session, question_ids=first_two, clinician_id=clinician.id, now=DAY3) == 2
        everything = actions.open_questions(session=session, group_id=wifi.id)
        actions.dismiss(session=session, question_ids=everything, clinician_id=clinician.id, now=DAY3)
        after = inbox_page(session=session, start=None, end=None)
    assert [(g.id, g.size) for g in after.groups] == [(parking.id, 3)]


def test_dismissing_what_was_handled_already_is_refused(session_factory: sessionmaker, encoder, faqs: FaqIndex) -> None:
    _fill(session_factory, encoder, faqs)
    with unit_of_work(session_factory) as session:
        clinician = make_clinician(session, "alice")
        group = inbox_page(session=session, start=None, end=None).groups[1]
        ids = actions.open_questions(session=session, group_id=group.id)
        actions.dismiss(session=session, question_ids=ids, clinician_id=clinician.id, now=DAY3)
        again = actions.open_questions(session=session, question_ids=ids)
    assert again == []
    with unit_of_work(session_factory) as session:
        try:
            actions.dismiss(session=session, question_ids=again, clinician_id=clinician.id, now=DAY3)
        except actions.InboxError:
            pass
        else:
            raise AssertionError("dismissing nothing was accepted")
