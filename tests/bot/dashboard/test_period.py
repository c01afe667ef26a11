"""The dashboard's period: defaults, limits, and days folded into Monday-to-Sunday weeks."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.dashboard.period import MAX_DAYS, InvalidPeriod, Period, parse_period

TODAY = date(2026, 3, 12)


def test_the_default_is_the_last_thirty_days_by_day() -> None:
    period = parse_period(start=None, end=None, group=None, today=TODAY)
    assert (period.start, period.end, period.group, period.days) == (date(2026, 2, 11), TODAY, "day", 30)
    assert period.start_at == datetime(2026, 2, 11) and period.end_at == datetime(2026, 3, 13)
    assert period.query() == {"from": "2026-02-11", "to": "2026-03-12", "group": "day"}


def test_weeks_start_on_monday_and_keep_partial_weeks() -> None:
    period = parse_period(start="2026-03-04", end="2026-03-17", group="week", today=TODAY)
    assert period.buckets() == [date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16)]
    assert period.bucket(date(2026, 3, 15)) == date(2026, 3, 9)  # a Sunday
    assert period.label(date(2026, 3, 9)) == "week of 2026-03-09"
    assert Period(date(2026, 3, 4), date(2026, 3, 5)).buckets() == [date(2026, 3, 4), date(2026, 3, 5)]


@pytest.mark.parametrize(
    ("start", "end", "group", "message"),
    [
        ("2026-03-05", "2026-03-04", "day", "must not be after"),
        ("yesterday", None, "day", "'from' must be a date"),
        (None, "2026-13-01", "day", "'to' must be a date"),
        (None, None, "month", "Group by 'day' or 'week'"),
        ("2020-01-01", "2026-03-01", "week", f"at most {MAX_DAYS} days"),
        (None, "0001-01-02", "day", "too early"),
        (None, "9999-12-31", "day", "too late"),
    ],
)
def test_periods_the_dashboard_refuses(start: str | None, end: str | None, group: str, message: str) -> None:
    with pytest.raises(InvalidPeriod, match=message):
        parse_period(start=start, end=end, group=group, today=TODAY)
