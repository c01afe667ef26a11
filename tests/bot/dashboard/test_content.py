"""Content due for review within 30 days, and approved content withheld because its review lapsed."""

from __future__ import annotations

from datetime import date

from bot.content.store import get_content_store
from bot.dashboard.content import review_dates
from tests.support.content import entry

TODAY = date(2026, 3, 12)


def test_due_soon_and_withheld_as_expired() -> None:
    entries = [
        entry("tomorrow", date(2026, 3, 13)),
        entry("today", TODAY),
        entry("in_thirty_days", date(2026, 4, 11)),
        entry("in_thirty_one_days", date(2026, 4, 12)),
        entry("yesterday", date(2026, 3, 11), kind="system"),
        entry("long_ago", date(2025, 12, 1)),
        entry("a_draft_long_ago", date(2025, 12, 1), status="draft"),
        entry("retired", date(2026, 3, 13), status="retired"),
    ]
    due, expired = review_dates(entries=entries, today=TODAY)
    assert [(i.id, i.days) for i in due] == [("today", 0), ("tomorrow", 1), ("in_thirty_days", 30)]
    assert [(i.kind, i.id, i.days) for i in expired] == [("faq", "long_ago", 101), ("system", "yesterday", 1)]


def test_the_shipped_content_is_all_found() -> None:
    entries = get_content_store().entries()
    assert {e.kind for e in entries} == {"faq", "emergency", "system"}
    due, expired = review_dates(entries=entries, today=max(e.review_due for e in entries if e.review_due))
    assert due and expired  # on the last review date, the earlier ones have lapsed
