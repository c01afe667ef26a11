"""The background collector: one pass at a time, due once a minute by its injected clock."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import sessionmaker

from bot.db.session import unit_of_work
from bot.inbox.grouping import FaqIndex
from bot.inbox.worker import Collector
from tests.support.inbox import Talk

START = datetime(2026, 5, 4, 9, 0)


def test_a_pass_is_due_a_minute_after_the_last_and_adds_only_what_is_new(
    session_factory: sessionmaker, encoder, faqs: FaqIndex  # type: ignore[no-untyped-def]
) -> None:
    clock = [START + timedelta(hours=2)]
    collector = Collector(factory=session_factory, encoder=lambda: encoder, faqs=lambda _: faqs, clock=lambda: clock[0])
    with unit_of_work(session_factory) as session:
        Talk(session, START).rephrase("where can i park my car")
    assert collector.due()
    assert collector.kick() and collector.thread is not None
    collector.thread.join(timeout=60)
    assert sum(collector.last_result.added.values()) == 1
    assert not collector.due() and not collector.kick()
    clock[0] += timedelta(seconds=59)
    assert not collector.due()
    clock[0] += timedelta(seconds=1)
    assert collector.due()
    assert sum(collector.run_once().added.values()) == 0
