""""Was this helpful?" answers per FAQ, recorded for the content team."""

from __future__ import annotations

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
