"""What the console's pages show, read in one transaction each (sync: run in a worker thread).

View models are plain dicts built here, so templates never touch ORM objects
after their session has closed. Patient text is passed through as-is; the
templates escape it.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.content.store import get_content_store
from bot.db.base import utcnow
from bot.db.models import Conversation, Message
from bot.db.session import unit_of_work
from bot.handoff import queue, service
from bot.handoff.errors import HandoffNotFound
from bot.handoff.feedback import feedback_by_faq
from bot.handoff.models import OPEN_STATUSES, Clinician, Handoff

PREVIEW_CHARS = 160
_HANDOFF_ID_RE = re.compile(r"^[0-9a-f]{32}$")


def check_handoff_id(handoff_id: str) -> str:
    if not _HANDOFF_ID_RE.match(handoff_id or ""):
        raise HandoffNotFound()
    return handoff_id


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(Clinician.id, Clinician.display_name).where(Clinician.id.in_(ids)))
    return {row.id: row.display_name for row in rows}


def _clip(text: str | None) -> str:
    value = " ".join((text or "").split())
    return value if len(value) <= PREVIEW_CHARS else value[: PREVIEW_CHARS - 1] + "…"


def _preview(session: Session, handoff: Handoff) -> str:
    """The patient's latest question: from the bot's summary, else their latest message."""
    questions = (handoff.summary or {}).get("questions") if isinstance(handoff.summary, dict) else None
    if questions:
        return _clip(str(questions[-1]))
    text = session.scalar(
        select(Message.text)
        .where(Message.conversation_id == handoff.conversation_id, Message.sender == "patient")
        .order_by(Message.id.desc())
        .limit(1)
    )
    return _clip(text)


def _item(session: Session, handoff: Handoff, names: dict[int, str], channels: dict[str, str], me: int) -> dict[str, Any]:
    return {
        "id": handoff.id,
        "status": handoff.status,
        "priority": handoff.priority,
        "reason": handoff.reason.replace("_", " "),
        "created_at": handoff.created_at,
        "claimed_at": handoff.claimed_at,
        "red_flags": list(handoff.red_flags or []),
        "callback": handoff.callback_contact is not None,
        "channel": channels.get(handoff.conversation_id, ""),
        "preview": _preview(session, handoff),
        "claimed_by": names.get(handoff.claimed_by or -1),
        "mine": handoff.claimed_by == me,
        "overdue": handoff.alerted_at is not None,
        "bot_answering": handoff.patient_notified_at is not None,
    }


def queue_view(factory: sessionmaker, clinician_id: int) -> dict[str, Any]:
    with unit_of_work(factory) as session:
        waiting = queue.list_queue(session=session)
        claimed = queue.list_claimed(session=session)
        everyone = waiting + claimed
        names = _names(session, {h.claimed_by for h in claimed if h.claimed_by})
        conv_ids = {h.conversation_id for h in everyone}
        channels = dict(
            session.execute(
                select(Conversation.id, Conversation.channel).where(Conversation.id.in_(conv_ids))
            ).all()
        ) if conv_ids else {}
        me = session.get(Clinician, clinician_id)
        return {
            "waiting": [_item(session, h, names, channels, clinician_id) for h in waiting],
            "mine": [_item(session, h, names, channels, clinician_id) for h in claimed if h.claimed_by == clinician_id],
            "others": [_item(session, h, names, channels, clinician_id) for h in claimed if h.claimed_by != clinician_id],
            "on_duty": bool(me and me.on_duty),
        }


def _flag_names(value: Any) -> list[str]:
    flags = value if isinstance(value, list) else []
    names = []
    for flag in flags:
        name = flag.get("category") if isinstance(flag, dict) else flag
        if name:
            names.append(str(name))
    return names


def message_view(message: Message) -> dict[str, Any]:
    """A message with what the bot saw: intent and confidence, red flags, FAQ ids, system id."""
    meta = message.meta if isinstance(message.meta, dict) else {}
    intent = meta.get("intent")
    confidence = meta.get("confidence")
    if isinstance(intent, dict):
        confidence = intent.get("confidence", confidence)
        intent = intent.get("name")
    faq_ids = meta.get("faq_ids") or ([meta["faq_id"]] if meta.get("faq_id") else [])
    return {
        "id": message.id,
        "sender": message.sender,
        "text": message.text,
        "created_at": message.created_at,
        "status": message.status,
        "intent": intent,
        "confidence": round(float(confidence), 2) if isinstance(confidence, (int, float)) else None,
        "red_flags": _flag_names(meta.get("red_flags")) or ([meta["category"]] if meta.get("category") else []),
        "faq_ids": [str(f) for f in faq_ids],
        "system": meta.get("system"),
        "buttons": [str(b.get("title", "")) for b in (message.buttons or []) if isinstance(b, dict)],
        "offered_faqs": _offered_faqs(meta),
        "chosen_faq": _chosen_faq(message.payload),
    }


def _offered_faqs(meta: dict[str, Any]) -> list[str]:
    """The FAQ ids a "did you mean" reply offered (its custom `faq_offer`, actions/suggestions.py)."""
    custom = meta.get("custom")
    offered = custom.get("faq_offer") if isinstance(custom, dict) else None
    return [str(f) for f in offered] if isinstance(offered, list) else []


def _chosen_faq(payload: str | None) -> str | None:
    """Which suggested FAQ the patient pressed: its id, "none" for "None of these", else None."""
    if not payload:
        return None
    if payload.strip() == "/none_of_these":
        return "none"
    if not payload.startswith("/choose_faq"):
        return None
    try:
        entities = json.loads(payload[len("/choose_faq"):] or "{}")
    except ValueError:
        return None
    faq_id = entities.get("faq_id") if isinstance(entities, dict) else None
    return str(faq_id) if faq_id else None


def _state(session: Session, handoff: Handoff, clinician_id: int) -> dict[str, Any]:
    names = _names(session, {handoff.claimed_by} if handoff.claimed_by else set())
    return {
        "id": handoff.id,
        "status": handoff.status,
        "priority": handoff.priority,
        "claimed_by": names.get(handoff.claimed_by or -1),
        "mine": handoff.claimed_by == clinician_id and handoff.status == "claimed",
        "open": handoff.status in OPEN_STATUSES,
        "queue_position": queue.queue_position(session=session, handoff=handoff),
    }


def handoff_state(factory: sessionmaker, handoff_id: str, clinician_id: int) -> dict[str, Any]:
    with unit_of_work(factory) as session:
        handoff = queue.get_handoff(session=session, handoff_id=check_handoff_id(handoff_id))
        return _state(session, handoff, clinician_id)


def handoff_view(factory: sessionmaker, handoff_id: str, clinician_id: int) -> dict[str, Any]:
    """Everything on the handoff page; the view of the transcript is audited."""
    with unit_of_work(factory) as session:
        handoff = queue.get_handoff(session=session, handoff_id=check_handoff_id(handoff_id))
        conversation = session.get(Conversation, handoff.conversation_id)
        messages = queue.transcript(session=session, conversation_id=handoff.conversation_id)
        history = queue.patient_history(
            session=session, conversation_id=handoff.conversation_id, exclude_id=handoff.id
        )
        service.record_transcript_view(session=session, handoff=handoff, clinician_id=clinician_id)
        summary = handoff.summary if isinstance(handoff.summary, dict) else {}
        return {
            "handoff": {
                **_state(session, handoff, clinician_id),
                "reason": handoff.reason.replace("_", " "),
                "created_at": handoff.created_at,
                "claimed_at": handoff.claimed_at,
                "resolved_at": handoff.resolved_at,
                "red_flags": list(handoff.red_flags or []),
                "callback_contact": handoff.callback_contact,
                "outcome_note": handoff.outcome_note,
                "rating": handoff.rating,
                "bot_answering": handoff.patient_notified_at is not None and handoff.status == "waiting",
            },
            "channel": conversation.channel if conversation else "",
            "summary": {
                "questions": [str(q) for q in summary.get("questions") or []],
                "intents": [i for i in summary.get("intents") or [] if isinstance(i, dict)],
                "red_flags": _flag_names(summary.get("red_flags")),
            },
            "messages": [message_view(m) for m in messages],
            "last_message_id": messages[-1].id if messages else 0,
            "history": [
                {
                    "id": h.id,
                    "status": h.status,
                    "priority": h.priority,
                    "reason": h.reason.replace("_", " "),
                    "created_at": h.created_at,
                    "outcome_note": h.outcome_note,
                    "rating": h.rating,
                }
                for h in history
            ],
        }


def new_messages(
    factory: sessionmaker, handoff_id: str, clinician_id: int, after_id: int
) -> list[dict[str, Any]]:
    """Messages that arrived since the page was drawn (also an audited view of the transcript)."""
    with unit_of_work(factory) as session:
        handoff = queue.get_handoff(session=session, handoff_id=check_handoff_id(handoff_id))
        rows = queue.transcript(session=session, conversation_id=handoff.conversation_id, after_id=after_id)
        if rows:
            service.record_transcript_view(session=session, handoff=handoff, clinician_id=clinician_id)
        return [message_view(m) for m in rows]


def fingerprint(factory: sessionmaker, conversation_id: str | None) -> tuple[Any, ...]:
    """Changes whenever the queue (or this conversation's transcript) changes: the stream's safety net."""
    with unit_of_work(factory) as session:
        open_count, last_update = session.execute(
            select(
                func.count(Handoff.id).filter(Handoff.status.in_(OPEN_STATUSES)),
                func.max(Handoff.updated_at),
            )
        ).one()
        last_message = (
            session.scalar(select(func.max(Message.id)).where(Message.conversation_id == conversation_id))
            if conversation_id
            else None
        )
        return (open_count, str(last_update), last_message)


def conversation_of(factory: sessionmaker, handoff_id: str) -> str:
    with unit_of_work(factory) as session:
        return queue.get_handoff(session=session, handoff_id=check_handoff_id(handoff_id)).conversation_id


def feedback_view(factory: sessionmaker, days: int) -> dict[str, Any]:
    """"Was this helpful?" per FAQ over the last `days` days, least helpful first, with titles."""
    with unit_of_work(factory) as session:
        rows = feedback_by_faq(session=session, since=utcnow() - timedelta(days=days))
    store = get_content_store()
    return {
        "days": days,
        "rows": [
            {
                "faq_id": row.faq_id,
                "title": store.faq_title(row.faq_id) or row.faq_id,
                "helpful": row.helpful,
                "not_helpful": row.not_helpful,
                "unhelpful_share": round(100 * row.not_helpful / row.total),
                "last_at": row.last_at,
            }
            for row in rows
        ],
    }
