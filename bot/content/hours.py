"""The clinic's opening hours in machine-readable form (data/clinic.yml: `hours`, `timezone`, `closed_on`).

Parsed here, with the rest of the clinic profile, so `patientbot content
validate` reports a mistake in them with its line, and the handoff layer
(bot.handoff.availability) decides from the same parse whether a clinician can
be expected to answer now.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HOURS_KEYS = ("timezone", "hours", "closed_on")


class HoursError(ValueError):
    """A mistake in the profile's hours; `key` is the profile key it is under."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key


@dataclass(frozen=True)
class OpeningHours:
    tz: ZoneInfo
    # weekday index (0 = Monday) -> (open, close) local times
    hours: dict[int, tuple[time, time]]
    # local dates the clinic is closed all day (public holidays)
    closed_on: frozenset[date] = frozenset()

    def is_open(self, now_utc: datetime) -> bool:
        if now_utc.tzinfo is None:
            now_utc = now_utc.replace(tzinfo=timezone.utc)
        local = now_utc.astimezone(self.tz)
        if local.date() in self.closed_on:
            return False
        window = self.hours.get(local.weekday())
        if window is None:
            return False
        opens, closes = window
        return opens <= local.time().replace(tzinfo=None) < closes


def parse_hours(profile: Mapping[str, Any]) -> OpeningHours:
    """The profile's hours; HoursError names the key and the entry that is wrong."""
    return OpeningHours(
        tz=_timezone(profile.get("timezone")),
        hours=_weekly(profile.get("hours")),
        closed_on=_closed_dates(profile.get("closed_on")),
    )


def _timezone(value: object) -> ZoneInfo:
    try:
        return ZoneInfo(str(value or "UTC"))
    except (ZoneInfoNotFoundError, ValueError):
        raise HoursError("timezone", f"'{value}' is not a time zone (e.g. America/New_York)") from None


def _weekly(value: object) -> dict[int, tuple[time, time]]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise HoursError("hours", "must map days (mon..sun) to [open, close]")
    hours: dict[int, tuple[time, time]] = {}
    for day, window in value.items():
        if day not in DAYS:
            raise HoursError("hours", f"unknown day '{day}' (use {', '.join(DAYS)})")
        if not window:
            continue  # closed that day
        try:
            opens, closes = (time.fromisoformat(str(v)) for v in window)
        except (TypeError, ValueError):
            raise HoursError("hours", f"{day} must be [open, close] in 24h HH:MM, not {window}") from None
        if opens >= closes:
            raise HoursError("hours", f"{day} closes ({closes:%H:%M}) before it opens ({opens:%H:%M})")
        hours[DAYS.index(day)] = (opens, closes)
    return hours


def _closed_dates(value: object) -> frozenset[date]:
    """`closed_on`: a list of dates (YAML dates or "YYYY-MM-DD")."""
    if value is None:
        return frozenset()
    if not isinstance(value, list):
        raise HoursError("closed_on", "must be a list of dates (YYYY-MM-DD)")
    dates = set()
    for item in value:
        if isinstance(item, date) and not isinstance(item, datetime):
            dates.add(item)
            continue
        try:
            dates.add(date.fromisoformat(str(item)))
        except ValueError:
            raise HoursError("closed_on", f"'{item}' is not a date (YYYY-MM-DD)") from None
    return frozenset(dates)
