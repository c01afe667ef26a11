"""Whether a clinician can be expected to answer now: opening hours and someone on duty.

Opening hours come from the clinic profile (data/clinic.yml, `hours`,
`timezone` and `closed_on`, the dates of public holidays and other closures),
the same file the patient-facing answers are templated from, so the clinic
states its hours once. On a closed date nobody is expected to answer, whatever
the weekday's hours say.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy.orm import Session

from bot.content.hours import OpeningHours, parse_hours
from bot.handoff.clinicians import on_duty_count
from bot.paths import CLINIC_FILE

__all__ = ["OpeningHours", "clinician_available", "load_opening_hours", "parse_hours"]

logger = logging.getLogger(__name__)


@lru_cache(maxsize=4)
def load_opening_hours(path: Path = CLINIC_FILE) -> OpeningHours | None:
    """The clinic's hours, or None (always open) when the profile has none or is unreadable.

    An unreadable profile is logged here; `patientbot content validate` (run by
    `make setup`) reports what is wrong with it, with its line, before it ships.
    """
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
