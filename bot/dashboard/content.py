"""Vetted content whose review is due soon, and content already withheld because its review lapsed.

Read from the content files through the content store (the single source of
truth), with the same rule the store serves by: approved content past its
`review_due` date is no longer served, so it is listed here as withheld.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from bot.content.models import ContentEntry

REVIEW_WINDOW_DAYS = 30


@dataclass(frozen=True)
class ReviewItem:
    kind: str
    id: str
    title: str
    review_due: date
    # Days until the review date (due soon), or since it (withheld).
    days: int


def review_dates(
    *, entries: Iterable[ContentEntry], today: date, within_days: int = REVIEW_WINDOW_DAYS
) -> tuple[list[ReviewItem], list[ReviewItem]]:
    """(due within `within_days` days, soonest first; withheld as expired, longest overdue first)."""
    due: list[ReviewItem] = []
    expired: list[ReviewItem] = []
    horizon = today + timedelta(days=within_days)
    for entry in entries:
        if entry.status != "approved" or entry.review_due is None:
            continue
        days = (entry.review_due - today).days
        item = ReviewItem(entry.kind, entry.id, entry.title, entry.review_due, abs(days))
        if entry.review_due < today:
            expired.append(item)
        elif entry.review_due <= horizon:
            due.append(item)
    due.sort(key=lambda i: (i.review_due, i.kind, i.id))
    expired.sort(key=lambda i: (i.review_due, i.kind, i.id))
    return due, expired
