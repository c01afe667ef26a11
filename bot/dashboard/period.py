"""The dashboard's period: whole UTC days from `start` to `end` (both included), by day or week.

Counts are stored and queried per UTC day (the console shows UTC times too);
weeks are Monday-to-Sunday sums of those days, so one set of queries serves
both groupings and counts kept after an erasure (per day) fold in the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

GROUPINGS = ("day", "week")
DEFAULT_DAYS = 30
# Two years by day is ~730 bars: more than that is unreadable and slow to draw.
MAX_DAYS = 731


class InvalidPeriod(ValueError):
    """A period the dashboard cannot show; the message says what to change."""


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    group: str = "day"

    @property
    def start_at(self) -> datetime:
        """The first instant of the period (naive UTC, as stored)."""
        return datetime.combine(self.start, time.min)

    @property
    def end_at(self) -> datetime:
        """The first instant after the period (exclusive bound)."""
        return datetime.combine(self.end + timedelta(days=1), time.min)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bucket(self, day: date) -> date:
        """The first day of the bucket `day` falls in: itself, or its week's Monday."""
        return day if self.group == "day" else day - timedelta(days=day.weekday())

    def buckets(self) -> list[date]:
        """Every bucket of the period, in order, empty ones included."""
        seen: list[date] = []
        for offset in range(self.days):
            bucket = self.bucket(self.start + timedelta(days=offset))
            if not seen or seen[-1] != bucket:
                seen.append(bucket)
        return seen

    def label(self, bucket: date) -> str:
        return bucket.isoformat() if self.group == "day" else f"week of {bucket.isoformat()}"

    def query(self) -> dict[str, str]:
        """The period as the dashboard's query parameters (links, CSV export)."""
        return {"from": self.start.isoformat(), "to": self.end.isoformat(), "group": self.group}


def _date(value: str | None, name: str) -> date | None:
    if value is None or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidPeriod(f"'{name}' must be a date like 2024-05-31.") from None


def _days_before(last: date) -> date:
    try:
        return last - timedelta(days=DEFAULT_DAYS - 1)
    except OverflowError:
        raise InvalidPeriod("'to' is too early a date.") from None


def parse_period(
    *, start: str | None, end: str | None, group: str | None, today: date
) -> Period:
    """The period a request asks for; the last DEFAULT_DAYS days up to today by default."""
    group = (group or "day").strip()
    if group not in GROUPINGS:
        raise InvalidPeriod("Group by 'day' or 'week'.")
    last = _date(end, "to") or today
    first = _date(start, "from") or _days_before(last)
    if first > last:
        raise InvalidPeriod("'from' must not be after 'to'.")
    if (last - first).days + 1 > MAX_DAYS:
        raise InvalidPeriod(f"Choose a period of at most {MAX_DAYS} days.")
    if last == date.max:  # the period ends at midnight after its last day
        raise InvalidPeriod("'to' is too late a date.")
    return Period(start=first, end=last, group=group)
