""""Was this helpful?" answers per FAQ, recorded for the content team and summed for its review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from bot.db.models import AnswerFeedback


def record_feedback(
    *, session: Session, conversation_id: str | None, sender_id: str, faq_id: str, helpful: bool
) -> AnswerFeedback:
    feedback = AnswerFeedback(
        conversation_id=conversation_id, sender_id=sender_id, faq_id=faq_id, helpful=helpful
    )
    session.add(feedback)
    session.flush()
    return feedback


@dataclass(frozen=True)
class FaqFeedback:
    """One FAQ's feedback over a period."""

    faq_id: str
    helpful: int
    not_helpful: int
    last_at: datetime

    @property
    def total(self) -> int:
        return self.helpful + self.not_helpful


def feedback_by_faq(*, session: Session, since: datetime | None = None) -> list[FaqFeedback]:
    """Per FAQ, the answers patients found unhelpful most often first: where a review should start.

    Ties go to the larger unhelpful share, then to the FAQ id, so the order is stable.
    """
    not_helpful = func.sum(case((AnswerFeedback.helpful.is_(False), 1), else_=0))
    helpful = func.sum(case((AnswerFeedback.helpful.is_(True), 1), else_=0))
    query = select(
        AnswerFeedback.faq_id, helpful, not_helpful, func.max(AnswerFeedback.created_at)
    ).group_by(AnswerFeedback.faq_id)
    if since is not None:
        query = query.where(AnswerFeedback.created_at >= since)
    rows = [
        FaqFeedback(faq_id=faq_id, helpful=int(yes or 0), not_helpful=int(no or 0), last_at=last)
        for faq_id, yes, no, last in session.execute(query)
    ]
    return sorted(rows, key=lambda r: (-r.not_helpful, -r.not_helpful / r.total, r.faq_id))
