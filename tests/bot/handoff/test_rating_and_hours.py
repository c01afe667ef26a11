"""Reading a rating button back, and the clinic's opening hours."""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import sessionmaker

from bot.db.session import unit_of_work
from bot.handoff import service
from bot.handoff.availability import (
    OpeningHours,
    clinician_available,
    load_opening_hours,
    parse_hours,
)
from bot.handoff.models import Handoff
from bot.handoff.rating import handle_rating_payload, parse_rating_payload, rating_buttons
from bot.handoff.texts import system_text
from bot.paths import CLINIC_FILE
from tests.support.handoff import make_clinician, make_conversation


def test_rating_buttons_fit_telegram_and_parse_back() -> None:
    buttons = rating_buttons()
    assert [b["title"] for b in buttons] == ["1", "2", "3", "4", "5"]
    assert all(len(b["payload"].encode()) <= 64 for b in buttons)  # Telegram's callback-data limit
    assert [parse_rating_payload(b["payload"]) for b in buttons] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    "payload",
    [None, "", "/greet", '/handoff_rating{"rating": 6}', '/handoff_rating{"rating": "5"}', "/handoff_rating{oops", '/handoff_rating{"rating": true}'],
)
def test_other_payloads_are_not_ratings(payload: str | None) -> None:
    assert parse_rating_payload(payload) is None


def test_the_gateway_hook_records_once_and_swallows_our_own_buttons(session_factory: sessionmaker) -> None:
    with unit_of_work(session_factory) as s:
        conv = make_conversation(s).id
        alice = make_clinician(s, "alice").id
        hid = service.open_handoff(session=s, conversation_id=conv, reason="fallback", priority="routine").id
    thanks = system_text("rating_thanks")
    with unit_of_work(session_factory) as s:
        # Nothing resolved yet: the press is ours, so it is answered, and nothing is recorded.
        assert handle_rating_payload(session=s, conversation_id=conv, payload='/handoff_rating{"rating": 3}') == thanks
        assert handle_rating_payload(session=s, conversation_id=conv, payload="/greet") is None
        assert handle_rating_payload(session=s, conversation_id=conv, payload=None) is None
        service.claim(session=s, handoff_id=hid, clinician_id=alice)
        service.resolve(session=s, handoff_id=hid, clinician_id=alice, outcome_note="ok")
    with unit_of_work(session_factory) as s:
        assert handle_rating_payload(session=s, conversation_id=conv, payload='/handoff_rating{"rating": 4}') == thanks
    with unit_of_work(session_factory) as s:
        assert handle_rating_payload(session=s, conversation_id=conv, payload='/handoff_rating{"rating": 1}') == thanks
        assert s.get(Handoff, hid).rating == 4  # the first press counts


NEW_YORK = ZoneInfo("America/New_York")


def _at(local: str) -> datetime:
    return datetime.fromisoformat(local).replace(tzinfo=NEW_YORK).astimezone(timezone.utc).replace(tzinfo=None)


def test_the_clinic_profile_hours() -> None:
    hours = load_opening_hours(CLINIC_FILE)
    assert hours is not None
    assert hours.is_open(_at("2026-03-02T09:30"))  # a Monday morning in New York
    assert not hours.is_open(_at("2026-03-02T18:00"))  # closing time
    assert hours.is_open(_at("2026-03-07T11:59"))  # Saturday
    assert not hours.is_open(_at("2026-03-07T12:00"))
    assert not hours.is_open(_at("2026-03-08T10:00"))  # Sunday


def test_parse_hours_and_availability(session_factory: sessionmaker) -> None:
    hours = parse_hours({"timezone": "UTC", "hours": {"mon": ["08:00", "18:00"]}})
    monday_noon = datetime(2026, 3, 2, 12, 0)
    assert hours.hours == {0: (time(8), time(18))}
    with unit_of_work(session_factory) as s:
        assert not clinician_available(session=s, now=monday_noon, hours=None)  # nobody on duty
        make_clinician(s, "alice")
        assert clinician_available(session=s, now=monday_noon, hours=None)
        assert clinician_available(session=s, now=monday_noon, hours=hours)
        assert not clinician_available(session=s, now=datetime(2026, 3, 3, 12, 0), hours=hours)
        assert not clinician_available(session=s, now=monday_noon, hours=OpeningHours(ZoneInfo("UTC"), {}))


def test_closed_dates_close_the_whole_day() -> None:
    hours = parse_hours(
        {"timezone": "America/New_York", "hours": {"fri": ["08:00", "18:00"]}, "closed_on": [date(2026, 12, 25), "2027-01-01"]}
    )
    assert not hours.is_open(_at("2026-12-25T10:00"))  # Christmas, a Friday
    assert not hours.is_open(_at("2027-01-01T10:00"))  # New Year's Day, a Friday
    assert hours.is_open(_at("2027-01-08T10:00"))  # the Friday after
    # Local dates: 02:00 UTC on 26 December is still Christmas evening in New York.
    assert not hours.is_open(datetime(2026, 12, 26, 2, 0)) and hours.closed_on == {date(2026, 12, 25), date(2027, 1, 1)}


@pytest.mark.parametrize(
    ("value", "message"),
    [("2026-12-25", "must be a list"), (["25/12/2026"], "'25/12/2026' is not a date")],
)
def test_bad_closed_dates_are_named(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_hours({"timezone": "UTC", "hours": {"mon": ["08:00", "18:00"]}, "closed_on": value})


def test_the_clinic_profile_lists_its_holidays() -> None:
    hours = load_opening_hours(CLINIC_FILE)
    assert hours is not None and date(2026, 12, 25) in hours.closed_on
    assert not hours.is_open(_at("2026-12-25T09:30"))
