"""What a clinician does with an inbox question or a whole group: dismiss it, or mark it proposed.

A handled question leaves the open inbox but keeps its row (so collection
never adds it again), with who handled it and when; the proposal it became,
if any, is linked. The conversation's erasure still removes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.db.models import Message
from bot.inbox.models import DISMISSED, OPEN, PROPOSED, InboxQuestion


class InboxError(Exception):
    """Nothing to act on: the questions are gone (erased) or were handled already."""


def open_questions(*, session: Session, question_ids: Sequence[int] = (), group_id: int | None = None) -> list[int]:
    """The open question ids among `question_ids`, or of the group."""
    query = select(InboxQuestion.id).where(InboxQuestion.status == OPEN)
    if group_id is not None:
        query = query.where(InboxQuestion.group_id == group_id)
    else:
        query = query.where(InboxQuestion.id.in_(list(question_ids)))
    return list(session.scalars(query.order_by(InboxQuestion.id)))


def _handle(
    session: Session, ids: Sequence[int], status: str, clinician_id: int, now: datetime, proposal_id: str | None
) -> int:
    result = session.execute(
        update(InboxQuestion)
        .where(InboxQuestion.id.in_(list(ids)), InboxQuestion.status == OPEN)
        .values(status=status, handled_by=clinician_id, handled_at=now, proposal_id=proposal_id)
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:
        raise InboxError("Nothing to do: these questions were handled already or are gone.")
    return int(result.rowcount)


def dismiss(*, session: Session, question_ids: Sequence[int], clinician_id: int, now: datetime) -> int:
    """Take the open questions out of the inbox; returns how many."""
    return _handle(session, question_ids, DISMISSED, clinician_id, now, None)


def mark_proposed(
    *, session: Session, question_ids: Sequence[int], clinician_id: int, proposal_id: str, now: datetime
) -> int:
    return _handle(session, question_ids, PROPOSED, clinician_id, now, proposal_id)


def question_texts(*, session: Session, question_ids: Sequence[int]) -> list[str]:
    """The patients' words of open questions, oldest first (to redact into a proposal)."""
    rows = session.scalars(
        select(Message.text)
        .join(InboxQuestion, InboxQuestion.message_id == Message.id)
        .where(InboxQuestion.id.in_(list(question_ids)), InboxQuestion.status == OPEN)
        .order_by(InboxQuestion.asked_at, InboxQuestion.id)
    )
    return list(rows)
