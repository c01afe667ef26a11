"""An erased conversation leaves the dashboard's figures as they were, as counts with no text."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.dashboard.models import DashboardCount
from bot.dashboard.report import build_report
from bot.db.models import Message
from bot.db.session import unit_of_work
from bot.gateway.conversations import delete_conversation
from tests.bot.dashboard.conftest import Scenario


def _tables(scenario: Scenario) -> dict[str, list[list[object]]]:
    with unit_of_work(scenario.factory) as session:
        report = build_report(session=session, period=scenario.period, entries=[], title=lambda _id: None, today=scenario.period.end)
    return {name: table.rows for name, table in report.tables.items()}


def test_the_figures_survive_erasure_as_counts_only(scenario: Scenario) -> None:
    before = _tables(scenario)
    with unit_of_work(scenario.factory) as session:
        for name in ("a", "b", "c"):
            assert delete_conversation(session=session, conversation_id=scenario.conversations[name])
    with unit_of_work(scenario.factory) as session:
        left = session.scalar(select(func.count(Message.id)).where(Message.conversation_id == scenario.conversations["a"]))
        kept = list(session.scalars(select(DashboardCount)))
    assert left == 0
    assert _tables(scenario) == before
    texts = " ".join(f"{row.metric} {row.key} {row.key2}" for row in kept)
    assert "PATIENT" not in texts and "555" not in texts and scenario.conversations["a"] not in texts


def test_an_erasure_rolled_back_keeps_no_counts(scenario: Scenario) -> None:
    with pytest.raises(RuntimeError), unit_of_work(scenario.factory) as session:
        delete_conversation(session=session, conversation_id=scenario.conversations["a"])
        raise RuntimeError("Rasa's tracker store could not be reached")
    with unit_of_work(scenario.factory) as session:
        assert session.scalar(select(func.count(DashboardCount.id))) == 0
        assert session.scalar(select(func.count(Message.id)).where(Message.conversation_id == scenario.conversations["a"])) == 9 + 7
