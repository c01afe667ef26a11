"""The dashboard's counts equal what the seed generator wrote (the benchmark's data), on both databases."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import sessionmaker

from bot.dashboard import facts as f
from bot.dashboard.period import parse_period
from bot.db.session import unit_of_work
from tests.support.seed import seed_conversations

END = datetime(2026, 3, 12, 18, 0)


def test_every_count_matches_the_seed(session_factory: sessionmaker) -> None:
    with unit_of_work(session_factory) as session:
        truth = seed_conversations(session=session, count=300, end=END, days=20, seed=7)
    period = parse_period(start="2026-02-20", end="2026-03-12", group="week", today=END.date())
    with unit_of_work(session_factory) as session:
        facts = f.period_facts(session=session, period=period)

    def total(metric: str, key=lambda fact: fact.key) -> dict:  # type: ignore[no-untyped-def]
        out: dict = {}
        for fact in facts:
            if fact.metric == metric:
                out[key(fact)] = out.get(key(fact), 0) + fact.value
        return out

    assert total(f.CONVERSATIONS) == dict(truth.conversations)
    assert total(f.CONVERSATIONS, lambda x: x.key2)["contained"] == truth.contained
    assert total(f.MESSAGES) == dict(truth.messages)
    assert total(f.ANSWERS) == dict(truth.answers)
    assert total(f.FEEDBACK, lambda x: x.key2 == "helpful") == dict(truth.feedback)
    assert total(f.HANDOFFS, lambda x: (x.key, x.key2)) == dict(truth.handoffs)
    assert total(f.HANDOFF_FLAGS) == {k: v for k, v in truth.flags.items() if v}
    assert sorted(int(x.key) for x in facts if x.metric == f.TO_CLAIM for _ in range(x.value)) == sorted(truth.to_claim)
    assert sorted(int(x.key) for x in facts if x.metric == f.TO_RESOLVE for _ in range(x.value)) == sorted(truth.to_resolve)
    assert total(f.RED_FLAGS) == dict(truth.red_flags)
