"""The dashboard's figures and tables from the hand-built period, by day and by week, on both databases."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from bot.dashboard.period import Period
from bot.dashboard.report import TABLES, Report, build_report, duration_text, percentile
from bot.db.session import unit_of_work
from tests.bot.dashboard.conftest import FIRST, LAST, Scenario
from tests.support.content import entry


def _report(scenario: Scenario, group: str = "day") -> Report:
    period = Period(FIRST, LAST, group)
    titles = {"book_appointment": "Booking an appointment"}
    with unit_of_work(scenario.factory) as session:
        return build_report(
            session=session,
            period=period,
            entries=[entry("soon", date(2026, 3, 20)), entry("lapsed", date(2026, 3, 1))],
            title=titles.get,
            today=LAST,
        )


def test_the_summary(scenario: Scenario) -> None:
    summary = dict(_report(scenario).summary)
    assert summary == {
        "Conversations": "4",
        "Messages from patients": "12",
        "Containment (ended without a handoff)": "25.0%",
        "Questions answered directly": "33.3%",
        "Questions by suggestion": "16.7%",
        "Questions not answered": "50.0%",
        "\"Helpful\" rate": "66.7%",
        "Requests for a clinician": "3",
        "Request to claim, p50 / p95": "2 min 00 s / 1 h 00 min",
        "Request to resolution, p50 / p95": "10 min 00 s / 10 min 00 s",
        "Requests that reached the wait limit": "1",
        "Requests when no clinician was available (after hours)": "33.3%",
        "Callback requests": "1",
        "Messages with red flags": "1",
        "Content due for review in 30 days": "1",
        "Content withheld as expired": "1",
    }


def test_tables_by_day(scenario: Scenario) -> None:
    report = _report(scenario)
    assert list(report.tables) == list(TABLES)
    conversations = report.tables["conversations"]
    assert conversations.columns == ["Period", "Telegram", "Web chat", "REST API", "All", "Without a handoff", "Containment (%)"]
    assert len(conversations.rows) == 9  # every day, the empty ones too
    assert conversations.rows[0] == ["2026-03-02", 0, 2, 0, 2, 1, 50.0]
    assert conversations.rows[1] == ["2026-03-03", 0, 0, 0, 0, 0, None]
    assert conversations.rows[-1] == ["2026-03-10", 1, 0, 1, 2, 0, 0.0]
    assert report.tables["answers"].rows[0] == ["2026-03-02", 1, 1, 3, 20.0, 20.0, 60.0, 1]
    assert report.tables["helpful"].rows == [
        ["All FAQs", "", 2, 1, 66.7],
        ["common_cold", "common_cold", 1, 1, 50.0],
        ["Booking an appointment", "book_appointment", 1, 0, 100.0],
    ]
    assert report.tables["handoffs"].rows == [
        ["emergency", 1, 0, 0, 1],
        ["fallback", 0, 0, 1, 1],
        ["request human", 0, 0, 1, 1],
        ["All reasons", 1, 0, 2, 3],
    ]
    assert report.tables["handoffs_over_time"].rows[0] == ["2026-03-02", 1, 1, 1, 1, 0, 0]
    assert report.tables["wait_times"].rows == [
        ["Request to claim", 2, 2.0, 60.0],
        ["Request to resolution", 1, 10.0, 10.0],
    ]
    waits = {row[0]: row[1:] for row in report.tables["wait_distribution"].rows}
    assert waits["1 to 5 min"] == [1, 0] and waits["5 to 15 min"] == [0, 1] and waits["1 to 4 h"] == [1, 0]
    assert report.tables["red_flags"].rows == [["Stroke signs (FAST)", "stroke", 1]]
    assert [row[2] for row in report.tables["content_due"].rows] == ["soon"]
    assert report.tables["content_expired"].rows == [["Lapsed", "faq", "lapsed", "2026-03-01", 9]]


def test_weeks_sum_their_days(scenario: Scenario) -> None:
    report = _report(scenario, "week")
    assert [row[0] for row in report.tables["messages"].rows] == ["week of 2026-03-02", "week of 2026-03-09"]
    assert report.tables["messages"].rows == [
        ["week of 2026-03-02", 0, 10, 0, 10],
        ["week of 2026-03-09", 1, 0, 1, 2],
    ]
    assert report.charts["conversations"].labels == ["week of 2026-03-02", "week of 2026-03-09"]


def test_each_chart_says_what_it_shows_and_names_its_table(scenario: Scenario) -> None:
    report = _report(scenario)
    assert set(report.charts) == {"conversations", "answers", "handoffs", "wait_distribution"}
    for chart in report.charts.values():
        assert chart.table in report.tables and chart.description.endswith("Every value is in the table below.")
    answers = report.charts["answers"]
    assert "Totals: Answered directly 2; By suggestion 1; Not answered 3." in answers.description
    assert "Largest: 2026-03-02 (5)." in answers.description


@pytest.mark.parametrize(
    ("counts", "p50", "p95"),
    [({}, None, None), ({7: 1}, 7, 7), ({1: 50, 100: 50}, 1, 100), ({1: 95, 100: 5}, 1, 1), ({1: 94, 100: 6}, 1, 100)],
)
def test_nearest_rank_percentiles(counts: dict[int, int], p50: int | None, p95: int | None) -> None:
    assert (percentile(Counter(counts), 50), percentile(Counter(counts), 95)) == (p50, p95)


def test_durations_read_as_people_say_them() -> None:
    assert [duration_text(s) for s in (None, 45, 250, 7500, 200_000)] == ["–", "45 s", "4 min 10 s", "2 h 05 min", "2 d 7 h"]
