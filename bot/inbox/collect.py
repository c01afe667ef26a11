"""Fill the inbox: read what was stored since the last pass, embed the unanswered questions, group them.

Runs in the background (bot/inbox/worker.py, when the inbox page is opened and
the last pass is over COLLECT_EVERY_S old; `patientbot inbox collect` from cron
or by hand), never in the page's own request: embedding costs milliseconds per
question, and the page must stay fast. Each source has a cursor (the last row
id read). The message cursor stops before the first question whose outcome is
not known yet (a "did you mean" still waiting for the patient's choice), so
that question is read again next time; rows already in the inbox are skipped
(the table's unique key says so too).

Nothing here logs or copies a patient's words: the text is read to be
embedded, and the inbox row points at the message.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.orm import Session

from bot.db.models import AnswerFeedback, Message
from bot.inbox import outcomes
from bot.inbox.grouping import Encoder, FaqIndex, Groups, from_bytes, to_bytes
from bot.inbox.models import NOT_HELPFUL, OPEN, InboxCursor, InboxGroup, InboxQuestion

logger = logging.getLogger(__name__)

MESSAGES, FEEDBACK = "messages", "feedback"
# A "did you mean" with no reply after this long was left: the gateway's session expiry.
SESSION_LAPSE = timedelta(hours=1)
COLLECT_EVERY_S = 60
_IN_CHUNK = 500


@dataclass(frozen=True)
class Collected:
    added: Counter[str]
    groups_created: int


def _cursor(session: Session, source: str) -> InboxCursor:
    row = session.get(InboxCursor, source)
    if row is None:
        row = InboxCursor(source=source, last_id=0)
        session.add(row)
        session.flush()
    return row


def _rows(session: Session, after: int) -> list[outcomes.Row]:
    query = (
        select(
            Message.id, Message.conversation_id, Message.sender, Message.payload, Message.status,
            Message.meta, Message.buttons, Message.created_at,
        )
        .where(Message.id > after)
        .order_by(Message.id)
    )
    return [outcomes.Row(*row) for row in session.execute(query)]


def _chunks(values: Sequence[int]) -> list[Sequence[int]]:
    return [values[i : i + _IN_CHUNK] for i in range(0, len(values), _IN_CHUNK)]


def _known(session: Session, message_ids: Sequence[int]) -> set[tuple[int, str]]:
    known: set[tuple[int, str]] = set()
    for chunk in _chunks(list(message_ids)):
        known.update(
            tuple(row) for row in session.execute(
                select(InboxQuestion.message_id, InboxQuestion.kind).where(InboxQuestion.message_id.in_(chunk))
            ).all()
        )
    return known


def _question_of(session: Session, feedback: AnswerFeedback) -> Message | None:
    """The patient's question that got the answer the press was about (typed, not a button)."""
    answered = session.scalars(
        select(Message)
        .where(
            Message.conversation_id == feedback.conversation_id,
            Message.sender == "patient",
            Message.created_at <= feedback.created_at,
            Message.meta[("faq_ids", 0)].as_string() == feedback.faq_id,
        )
        .order_by(Message.id.desc())
        .limit(1)
    ).first()
    if answered is None or answered.payload is None:
        return answered
    # A chosen "did you mean": the question is what the patient typed before the press.
    return session.scalars(
        select(Message)
        .where(
            Message.conversation_id == feedback.conversation_id,
            Message.sender == "patient",
            Message.payload.is_(None),
            Message.id < answered.id,
        )
        .order_by(Message.id.desc())
        .limit(1)
    ).first()


def _not_helpful(session: Session, after: int) -> tuple[list[outcomes.Unanswered], int]:
    presses = list(
        session.scalars(
            select(AnswerFeedback)
            .where(AnswerFeedback.id > after, AnswerFeedback.conversation_id.is_not(None))
            .order_by(AnswerFeedback.id)
        )
    )
    found = []
    for press in presses:
        if press.helpful:
            continue
        question = _question_of(session, press)
        if question is not None:
            found.append(
                outcomes.Unanswered(question.id, question.conversation_id, NOT_HELPFUL, press.faq_id, question.created_at)
            )
    return found, max((p.id for p in presses), default=after)


def _texts(session: Session, message_ids: Sequence[int]) -> dict[int, str]:
    texts: dict[int, str] = {}
    for chunk in _chunks(list(message_ids)):
        query = select(Message.id, Message.text).where(Message.id.in_(chunk))
        texts.update((row[0], row[1]) for row in session.execute(query))
    return texts


def _open_members(session: Session) -> Groups:
    rows = session.execute(
        select(InboxQuestion.group_id, InboxQuestion.embedding).where(
            InboxQuestion.status == OPEN, InboxQuestion.group_id.is_not(None)
        )
    )
    return Groups.of((group_id, from_bytes(blob)) for group_id, blob in rows)


def drop_empty_groups(*, session: Session) -> int:
    """Groups left without a question (erased, or never filled) go."""
    result = session.execute(
        delete(InboxGroup)
        .where(~exists().where(InboxQuestion.group_id == InboxGroup.id))
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


def collect(*, session: Session, encoder: Encoder, faqs: FaqIndex, now: datetime) -> Collected:
    """One pass: new unanswered questions and "Not helpful" presses into the inbox, grouped."""
    message_cursor, feedback_cursor = _cursor(session, MESSAGES), _cursor(session, FEEDBACK)
    rows = _rows(session, message_cursor.last_id)
    scanned = outcomes.scan(rows, lapsed_before=now - SESSION_LAPSE)
    presses, last_feedback = _not_helpful(session, feedback_cursor.last_id)
    candidates = scanned.found + presses
    known = _known(session, [c.message_id for c in candidates])
    seen: set[tuple[int, str]] = set()
    new = []
    for item in candidates:
        pair = (item.message_id, item.kind)
        if pair not in known and pair not in seen:
            seen.add(pair)
            new.append(item)
    texts = _texts(session, [item.message_id for item in new])
    new = [item for item in new if texts.get(item.message_id, "").strip()]
    vectors: Any = encoder.encode([texts[item.message_id] for item in new]) if new else []

    groups = _open_members(session)
    placed = [groups.place(vector) for vector in vectors]
    stored: dict[int, int] = {}
    for key in sorted({k for k in placed if k < 0}, reverse=True):
        group = InboxGroup(created_at=now, updated_at=now)
        session.add(group)
        session.flush()
        stored[key] = group.id
    for item, vector, key in zip(new, vectors, placed):
        session.add(
            InboxQuestion(
                message_id=item.message_id, conversation_id=item.conversation_id, kind=item.kind,
                faq_id=item.faq_id, asked_at=item.asked_at, embedding=to_bytes(vector),
                group_id=stored.get(key, key), status=OPEN, created_at=now,
            )
        )
    for key in set(placed):
        faq_id, score = faqs.nearest(groups.centroid(key))
        session.execute(
            update(InboxGroup)
            .where(InboxGroup.id == stored.get(key, key))
            .values(nearest_faq_id=faq_id, nearest_score=score, updated_at=now)
        )

    last_message = rows[-1].id if rows else message_cursor.last_id
    if scanned.first_pending is not None:
        last_message = scanned.first_pending - 1
    message_cursor.last_id = max(message_cursor.last_id, last_message)
    feedback_cursor.last_id = last_feedback
    message_cursor.updated_at = feedback_cursor.updated_at = now
    drop_empty_groups(session=session)
    session.flush()
    added = Counter(item.kind for item in new)
    logger.info("inbox: %d question(s) added (%s), %d new group(s)", len(new), dict(added), len(stored))
    return Collected(added, len(stored))


def open_count(*, session: Session) -> int:
    return int(session.scalar(select(func.count()).where(InboxQuestion.status == OPEN)) or 0)
