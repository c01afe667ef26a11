"""Feedback per FAQ, summed for the content team's review, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.orm import sessionmaker

from bot.db.base import utcnow
from bot.db.models import AnswerFeedback
from bot.db.session import unit_of_work
from bot.handoff.feedback import feedback_by_faq, record_feedback


def _record(factory: sessionmaker, faq_id: str, *helpful: bool) -> None:
    with unit_of_work(factory) as session:
        for value in helpful:
            record_feedback(
                session=session, conversation_id=None, sender_id="c-0", faq_id=faq_id, helpful=value
            )


def test_least_helpful_answers_come_first(session_factory: sessionmaker) -> None:
    _record(session_factory, "opening_hours", True, True, True, False)
    _record(session_factory, "antibiotics_myth", False, False, True)
    _record(session_factory, "flu", True)
    _record(session_factory, "billing", False, True, True, True, True, True)
    with unit_of_work(session_factory) as session:
        rows = feedback_by_faq(session=session)
    assert [(r.faq_id, r.not_helpful, r.helpful) for r in rows] == [
        ("antibiotics_myth", 2, 1),
        ("opening_hours", 1, 3),  # 1 of 4 unhelpful ranks above 1 of 6
        ("billing", 1, 5),
        ("flu", 0, 1),
    ]
    assert rows[0].total == 3 and rows[0].last_at is not None


def test_since_leaves_older_feedback_out(session_factory: sessionmaker) -> None:
    _record(session_factory, "flu", False, True)
    with unit_of_work(session_factory) as session:
        session.execute(
            update(AnswerFeedback)
            .where(AnswerFeedback.helpful.is_(False))
            .values(created_at=utcnow() - timedelta(days=40))
        )
    with unit_of_work(session_factory) as session:
        recent = feedback_by_faq(session=session, since=utcnow() - timedelta(days=30))
        everything = feedback_by_faq(session=session)
    assert [(r.faq_id, r.not_helpful, r.helpful) for r in recent] == [("flu", 0, 1)]
    assert [(r.faq_id, r.not_helpful, r.helpful) for r in everything] == [("flu", 1, 1)]
    with unit_of_work(session_factory) as session:
        assert feedback_by_faq(session=session, since=utcnow() + timedelta(days=1)) == []
