"""Whether a clinician can be expected to answer now: opening hours and someone on duty.

Opening hours come from the clinic profile (data/clinic.yml, `hours`,
`timezone` and `closed_on`, the dates of public holidays and other closures),
the same file the patient-facing answers are templated from, so the clinic
states its hours once. On a closed date nobody is expected to answer, whatever
the weekday's hours say.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy.orm import Session

from bot.handoff.clinicians import on_duty_count
from bot.paths import CLINIC_FILE

logger = logging.getLogger(__name__)

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


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


def parse_hours(profile: dict) -> OpeningHours:
    tz = ZoneInfo(str(profile.get("timezone") or "UTC"))
    hours: dict[int, tuple[time, time]] = {}
    for day, window in (profile.get("hours") or {}).items():
        if day not in _DAYS or not window:
            continue
        opens, closes = (time.fromisoformat(str(v)) for v in window)
        hours[_DAYS.index(day)] = (opens, closes)
    return OpeningHours(tz=tz, hours=hours, closed_on=_closed_dates(profile.get("closed_on")))


def _closed_dates(value: object) -> frozenset[date]:
    """`closed_on`: a list of dates (YAML dates or "YYYY-MM-DD"); ValueError names a bad entry."""
    if value is None:
        return frozenset()
    if not isinstance(value, list):
        raise ValueError("closed_on must be a list of dates (YYYY-MM-DD)")
    dates = set()
    for item in value:
        if isinstance(item, date) and not isinstance(item, datetime):
            dates.add(item)
            continue
        try:
            dates.add(date.fromisoformat(str(item)))
        except ValueError:
            raise ValueError(f"closed_on: '{item}' is not a date (YYYY-MM-DD)") from None
    return frozenset(dates)


@lru_cache(maxsize=4)
def load_opening_hours(path: Path = CLINIC_FILE) -> OpeningHours | None:
    """The clinic's hours, or None (always open) when the profile has none or is unreadable."""
    try:
        profile = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not profile.get("hours"):
            return None
        return parse_hours(profile)
    except Exception:
        logger.exception("could not read opening hours from %s; treating the clinic as open", path)
        return None


def clinician_available(*, session: Session, now: datetime, hours: OpeningHours | None) -> bool:
    """Open now (`hours` None: no hours constraint) and at least one enabled clinician on duty."""
    if hours is not None and not hours.is_open(now):
        return False
    return on_duty_count(session=session) > 0
