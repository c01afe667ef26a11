"""What the inbox page shows: groups of open questions in a period, largest or newest first.

Three queries, whatever the inbox holds: the page's groups with their size
and first and last dates (grouped in SQL), the kinds in each, and a few of the
newest examples per group (a window function, on SQLite and PostgreSQL). The
text is read from the patient's message, so an erased conversation's words
cannot be shown.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import Message
from bot.inbox.models import OPEN, InboxGroup, InboxQuestion

SORTS = ("largest", "newest")
EXAMPLES = 3
PAGE_GROUPS = 50


@dataclass(frozen=True)
class Example:
    question_id: int
    text: str
    asked_at: datetime
    kind: str
    faq_id: str | None


@dataclass
class GroupSummary:
    id: int
    size: int
    first_at: datetime
    last_at: datetime
    nearest_faq_id: str | None
    nearest_score: float | None
    kinds: Counter[str] = field(default_factory=Counter)
    examples: list[Example] = field(default_factory=list)


@dataclass(frozen=True)
class InboxPage:
    groups: list[GroupSummary]
    questions: int
    group_count: int


def _in_period(start: datetime | None, end: datetime | None) -> list:
    conditions = [InboxQuestion.status == OPEN]
    if start is not None:
        conditions.append(InboxQuestion.asked_at >= start)
    if end is not None:
        conditions.append(InboxQuestion.asked_at < end)
    return conditions


def inbox_page(
    *, session: Session, start: datetime | None, end: datetime | None, sort: str = "largest", limit: int = PAGE_GROUPS
) -> InboxPage:
    """The open groups with a question asked in [start, end), sized by those questions."""
    where = _in_period(start, end)
    size, last = func.count().label("size"), func.max(InboxQuestion.asked_at).label("last_at")
    order = (size.desc(), last.desc()) if sort == "largest" else (last.desc(), size.desc())
    rows = session.execute(
        select(
            InboxQuestion.group_id, size, func.min(InboxQuestion.asked_at).label("first_at"), last,
            InboxGroup.nearest_faq_id, InboxGroup.nearest_score,
        )
        .join(InboxGroup, InboxGroup.id == InboxQuestion.group_id)
        .where(*where)
        .group_by(InboxQuestion.group_id, InboxGroup.nearest_faq_id, InboxGroup.nearest_score)
        .order_by(*order, InboxQuestion.group_id)
        .limit(limit)
    ).all()
    groups = {
        row.group_id: GroupSummary(row.group_id, row.size, row.first_at, row.last_at, row.nearest_faq_id, row.nearest_score)
        for row in rows
    }
    totals = session.execute(
        select(func.count(), func.count(func.distinct(InboxQuestion.group_id))).where(*where)
    ).one()
    if groups:
        ids = list(groups)
        for group_id, kind, n in session.execute(
            select(InboxQuestion.group_id, InboxQuestion.kind, func.count())
            .where(*where, InboxQuestion.group_id.in_(ids))
            .group_by(InboxQuestion.group_id, InboxQuestion.kind)
        ):
            groups[group_id].kinds[kind] = n
        rank = (
            func.row_number()
            .over(partition_by=InboxQuestion.group_id, order_by=(InboxQuestion.asked_at.desc(), InboxQuestion.id.desc()))
            .label("rank")
        )
        ranked = (
            select(
                InboxQuestion.id, InboxQuestion.group_id, InboxQuestion.message_id, InboxQuestion.asked_at,
                InboxQuestion.kind, InboxQuestion.faq_id, rank,
            )
            .where(*where, InboxQuestion.group_id.in_(ids))
            .subquery()
        )
        for row in session.execute(
            select(ranked, Message.text)
            .join(Message, Message.id == ranked.c.message_id)
            .where(ranked.c.rank <= EXAMPLES)
            .order_by(ranked.c.group_id, ranked.c.rank)
        ):
            groups[row.group_id].examples.append(Example(row.id, row.text, row.asked_at, row.kind, row.faq_id))
    return InboxPage([groups[row.group_id] for row in rows], int(totals[0]), int(totals[1]))


@dataclass(frozen=True)
class GroupDetail:
    group: InboxGroup
    questions: list[Example]


def group_detail(*, session: Session, group_id: int) -> GroupDetail | None:
    """Every open question of one group, newest first, with its text."""
    group = session.get(InboxGroup, group_id)
    if group is None:
        return None
    rows = session.execute(
        select(InboxQuestion.id, Message.text, InboxQuestion.asked_at, InboxQuestion.kind, InboxQuestion.faq_id)
        .join(Message, Message.id == InboxQuestion.message_id)
        .where(InboxQuestion.group_id == group_id, InboxQuestion.status == OPEN)
        .order_by(InboxQuestion.asked_at.desc(), InboxQuestion.id.desc())
    )
    return GroupDetail(group, [Example(*row) for row in rows])
