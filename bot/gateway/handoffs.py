"""What routing needs from the handoff queue: escalate an emergency, open a request, cancel.

The queue belongs to bot.handoff.service (audit trail, console events,
availability). We call it; only when a build lacks the service do we fall back
to minimal row changes, because an emergency must open a handoff whatever the
build. All functions run inside the caller's unit of work and never commit.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from bot.db.base import utcnow
from bot.db.models import Conversation
from bot.handoff.models import PRIORITY_RANK, Handoff
from bot.handoff.queue import get_open_handoff

logger = logging.getLogger(__name__)


def _service(name: str) -> Callable[..., Any] | None:
    try:
        module = importlib.import_module("bot.handoff.service")
    except ImportError:
        return None
    function = getattr(module, name, None)
    return function if callable(function) else None


def _clinician_available(session: Session) -> bool:
    """Whether a clinician can take over now (opening hours, someone on duty); True if unknown."""
    try:
        from bot.handoff.availability import clinician_available, load_opening_hours
    except ImportError:
        return True
    try:
        return bool(clinician_available(session=session, now=utcnow(), hours=load_opening_hours()))
    except Exception as exc:  # noqa: BLE001 - unknown availability: assume someone will answer
        logger.warning("clinician availability unknown (%s)", type(exc).__name__)
        return True


def escalate_emergency(
    *, session: Session, conversation: Conversation, red_flags: list[Any]
) -> tuple[Handoff, bool]:
    """Open an emergency handoff, or raise the open one to emergency; (handoff, newly opened)."""
    service = _service("escalate_emergency")
    if service is not None:
        handoff, created = service(
            session=session,
            conversation_id=conversation.id,
            red_flags=red_flags,
            clinician_available=_clinician_available(session),
        )
        return handoff, bool(created)
    logger.warning("bot.handoff.service missing: escalating the emergency directly")
    handoff = get_open_handoff(session=session, conversation_id=conversation.id)
    created = handoff is None
    if handoff is None:
        handoff = Handoff(
            conversation_id=conversation.id,
            status="waiting",
            reason="emergency",
            created_at=utcnow(),
        )
        session.add(handoff)
    handoff.priority = "emergency"
    handoff.priority_rank = PRIORITY_RANK["emergency"]
    handoff.red_flags = list(handoff.red_flags or []) + list(red_flags)
    conversation.owner = "clinician"
    session.flush()
    return handoff, created


def escalate_possibly_urgent(
    *, session: Session, conversation: Conversation, urgency: tuple[str, ...]
) -> tuple[Handoff, bool]:
    """An urgent handoff for a message that may be urgent and that the bot could not understand."""
    service = _service("escalate_emergency")
    flags = [f"possibly urgent: {', '.join(urgency)}"]
    if service is None:
        raise RuntimeError("bot.handoff.service is required for the possibly-urgent tier")
    handoff, created = service(
        session=session,
        conversation_id=conversation.id,
        red_flags=flags,
        clinician_available=_clinician_available(session),
        priority="urgent",
        reason="possibly_urgent",
    )
    return handoff, bool(created)


def request_clinician(*, session: Session, conversation: Conversation) -> Handoff:
    """The patient asked for a clinician while Rasa was down: queue a routine request."""
    existing = get_open_handoff(session=session, conversation_id=conversation.id)
    if existing is not None:
        return existing
    service = _service("open_handoff")
    if service is not None:
        return service(
            session=session,
            conversation_id=conversation.id,
            reason="request_human",
            priority="routine",
            clinician_available=_clinician_available(session),
        )
    handoff = Handoff(
        conversation_id=conversation.id,
        status="waiting",
        reason="request_human",
        priority="routine",
        priority_rank=PRIORITY_RANK["routine"],
        created_at=utcnow(),
    )
    session.add(handoff)
    conversation.owner = "clinician"
    session.flush()
    return handoff


def cancel_handoff(*, session: Session, conversation: Conversation) -> Handoff | None:
    """The patient cancels their open handoff; the bot is in charge again. None if nothing was open."""
    service = _service("cancel")
    if service is not None:
        handoff = service(session=session, conversation_id=conversation.id)
        session.expire(conversation)  # the service updates the row with a core statement
        if handoff is None and conversation.owner == "clinician":
            conversation.owner = "bot"  # nothing open to cancel: do not leave the patient stranded
        return handoff
    handoff = get_open_handoff(session=session, conversation_id=conversation.id)
    if handoff is not None:
        handoff.status = "cancelled"
        handoff.cancelled_at = utcnow()
    conversation.owner = "bot"
    session.flush()
    return handoff
