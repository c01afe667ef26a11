"""Retention: a question is gone from the inbox when its conversation is erased, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from bot.db.session import unit_of_work
from bot.gateway.conversations import delete_conversation
from bot.inbox.collect import collect
from bot.inbox.grouping import FaqIndex
from bot.inbox.models import InboxGroup, InboxQuestion
from bot.inbox.queries import inbox_page
from tests.support.inbox import Talk

START = datetime(2026, 5, 4, 9, 0)


def test_erasing_a_conversation_takes_its_questions_and_empty_groups_with_it(
    session_factory: sessionmaker, encoder, faqs: FaqIndex
) -> None:
    with unit_of_work(session_factory) as session:
        kept = Talk(session, START)
        kept.rephrase("where can i park my car")
        erased = Talk(session, START + timedelta(minutes=5))
        erased.rephrase("is parking free at the clinic")
        erased.rephrase("what is the wifi password")
        erased.answered("when can i get a flu shot", "flu_vaccine")
        erased.not_helpful("flu_vaccine")
        collect(session=session, encoder=encoder, faqs=faqs, now=START + timedelta(hours=2))
        assert session.scalar(select(func.count()).select_from(InboxQuestion)) == 4
        erased_id, kept_id = erased.id, kept.id
    with unit_of_work(session_factory) as session:
        assert delete_conversation(session=session, conversation_id=erased_id)
    with unit_of_work(session_factory) as session:
        left = list(session.scalars(select(InboxQuestion)))
        groups = session.scalar(select(func.count()).select_from(InboxGroup))
        page = inbox_page(session=session, start=None, end=None)
    assert [q.conversation_id for q in left] == [kept_id]
    assert groups == 1  # the wifi and flu groups had no one else
    assert [e.text for g in page.groups for e in g.examples] == ["where can i park my car"]
