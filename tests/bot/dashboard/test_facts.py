"""The dashboard's SQL aggregates on SQLite and PostgreSQL, against counts worked out by hand."""

from __future__ import annotations

from collections import Counter

from bot.dashboard import facts as f
from bot.dashboard.facts import Fact, Scope
from bot.db.session import unit_of_work
from tests.bot.dashboard.conftest import FIRST, LAST, Scenario


def _facts(scenario: Scenario, query) -> list[Fact]:  # type: ignore[no-untyped-def]
    period = scenario.period
    with unit_of_work(scenario.factory) as session:
        return query(session=session, scope=Scope(start=period.start_at, end=period.end_at))


def _totals(facts: list[Fact], by=lambda fact: fact.key) -> Counter:  # type: ignore[no-untyped-def]
    totals: Counter = Counter()
    for fact in facts:
        totals[by(fact)] += fact.value
    return totals


def test_conversations_per_day_channel_and_containment(scenario: Scenario) -> None:
    facts = _facts(scenario, f.conversations)
    assert sorted((x.day, x.key, x.key2, x.value) for x in facts) == [
        (FIRST, "webchat", "contained", 1),
        (FIRST, "webchat", "handoff", 1),
        (LAST, "rest", "handoff", 1),
        (LAST, "telegram", "handoff", 1),
    ]


def test_messages_from_patients_per_channel(scenario: Scenario) -> None:
    assert _totals(_facts(scenario, f.messages)) == {"webchat": 10, "telegram": 1, "rest": 1}


def test_the_answer_mix_follows_the_replies_and_the_next_press(scenario: Scenario) -> None:
    # direct: A's first question and C's; by suggestion: A's picked "did you mean";
    # not answered: A's rephrase, A's "None of these", D's; other: A's small talk.
    # Button presses, the message Rasa never answered and the emergency are not questions.
    assert _totals(_facts(scenario, f.answers)) == {"direct": 2, "suggestion": 1, "none": 3, "other": 1}


def test_feedback_per_faq(scenario: Scenario) -> None:
    assert _totals(_facts(scenario, f.feedback), lambda x: (x.key, x.key2)) == {
        ("book_appointment", "helpful"): 1,
        ("common_cold", "helpful"): 1,
        ("common_cold", "not_helpful"): 1,
    }


def test_handoffs_by_reason_priority_and_what_became_of_them(scenario: Scenario) -> None:
    assert _totals(_facts(scenario, f.handoffs), lambda x: (x.key, x.key2)) == {
        ("emergency", "emergency"): 1,
        ("request_human", "routine"): 1,
        ("fallback", "routine"): 1,
    }
    assert _totals(_facts(scenario, f.handoff_flags)) == {
        "overdue": 2, "wait_limit": 1, "expired": 1, "out_of_hours": 1, "callback": 1,
    }


def test_wait_times_are_whole_seconds_counted(scenario: Scenario) -> None:
    facts = _facts(scenario, f.wait_times)
    assert sorted((x.metric, x.key, x.value) for x in facts) == [
        (f.TO_CLAIM, "120", 1), (f.TO_CLAIM, "3600", 1), (f.TO_RESOLVE, "600", 1),
    ]


def test_red_flags_per_category(scenario: Scenario) -> None:
    assert [(x.day, x.key, x.value) for x in _facts(scenario, f.red_flags)] == [(LAST, "stroke", 1)]


def test_a_conversation_scope_counts_only_that_conversation(scenario: Scenario) -> None:
    with unit_of_work(scenario.factory) as session:
        facts = f.live_facts(session=session, scope=Scope(conversation_id=scenario.conversations["a"]))
    by_metric = _totals(facts, lambda x: x.metric)
    assert by_metric[f.CONVERSATIONS] == 1 and by_metric[f.MESSAGES] == 9 and by_metric[f.FEEDBACK] == 3
    assert _totals([x for x in facts if x.metric == f.ANSWERS]) == {"direct": 1, "suggestion": 1, "none": 2, "other": 1}
    assert by_metric[f.HANDOFFS] == 0


def test_facts_hold_no_patient_text(scenario: Scenario) -> None:
    with unit_of_work(scenario.factory) as session:
        facts = f.live_facts(session=session, scope=Scope())
    assert facts and not any("PATIENT" in x.key or "PATIENT" in x.key2 or "555" in x.key for x in facts)
