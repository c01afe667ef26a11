"""State changes of the handoff queue, each inside the caller's unit of work.

Rules kept here and nowhere else:

- A conversation has at most one open (waiting or claimed) handoff.
- `Conversation.owner` is the single switch the gateway routes on: "clinician"
  while a handoff is open and somebody is expected to answer, "bot" otherwise
  (closed, opened out of hours, or given up on by the sweep).
- Every transition is a conditional UPDATE on the expected status, so two
  clinicians acting at once can never both succeed; on PostgreSQL claims also
  take the row with `FOR UPDATE SKIP LOCKED` so concurrent claimers do not queue
  up behind each other's locks.
- Every change writes an audit row and queues a bus event that is published
  only after commit. A refused request raises a domain error and, because the
  unit of work rolls back, changes nothing.

Functions are keyword-only, take `session=` and never commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.db.base import utcnow
from bot.db.models import Conversation, Message
from bot.handoff import audit, events
from bot.handoff.errors import (
    AlreadyClaimed,
    ClinicianDisabled,
    ClinicianNotFound,
    ConversationNotFound,
    HandoffAlreadyOpen,
    HandoffClosed,
    HandoffNotFound,
    InvalidInput,
    NotClaimedByYou,
    QueueEmpty,
    RatingAlreadyRecorded,
)
from bot.handoff.models import OPEN_STATUSES, PRIORITY_RANK, Clinician, Handoff
from bot.handoff.queue import QUEUE_ORDER, get_handoff, get_open_handoff

REASONS = (
    "request_human",
    "fallback",
    "personal_advice",
    "emergency",
    # the gateway's tier for a message that may be urgent and that the bot did not understand
    "possibly_urgent",
    "negative_feedback",
    "callback",
)
PRIORITIES = tuple(PRIORITY_RANK)
MAX_NOTE_CHARS = 4000
MAX_CONTACT_CHARS = 200
MAX_RED_FLAGS = 20


# --- helpers -----------------------------------------------------------------------------


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _active_clinician(session: Session, clinician_id: int) -> Clinician:
    clinician = session.get(Clinician, clinician_id)
    if clinician is None:
        raise ClinicianNotFound()
    if clinician.disabled:
        raise ClinicianDisabled()
    return clinician


def set_conversation_owner(session: Session, conversation_id: str, owner: str) -> None:
    session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id)
        .values(owner=owner)
        .execution_options(synchronize_session="fetch")
    )


def _refresh(session: Session, handoff_id: str) -> Handoff:
    handoff = session.get(Handoff, handoff_id, populate_existing=True)
    assert handoff is not None  # the row was just updated in this transaction
    return handoff


def _transition(
    session: Session, handoff_id: str, *, from_status: str, values: dict[str, Any], **where: Any
) -> bool:
    """UPDATE the handoff only if it is still in `from_status` (and matches `where`)."""
    conditions = [Handoff.id == handoff_id, Handoff.status == from_status]
    conditions += [getattr(Handoff, column) == value for column, value in where.items()]
    values.setdefault("updated_at", utcnow())
    result = session.execute(
        update(Handoff)
        .where(*conditions)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _claim_refusal(session: Session, handoff_id: str, clinician: Clinician) -> Handoff:
    """Why a claim matched nothing; a repeated claim by the same clinician is not an error."""
    row = session.execute(
        select(Handoff.status, Handoff.claimed_by).where(Handoff.id == handoff_id)
    ).first()
    if row is None:
        raise HandoffNotFound()
    if row.status not in OPEN_STATUSES:
        raise HandoffClosed()
    if row.status == "claimed" and row.claimed_by == clinician.id:
        return _refresh(session, handoff_id)  # a double click: they already have it
    raise AlreadyClaimed()


def _check_priority(priority: str) -> int:
    if priority not in PRIORITY_RANK:
        raise InvalidInput(f"The priority must be one of {', '.join(PRIORITIES)}.")
    return PRIORITY_RANK[priority]


def _flag_label(flag: Any) -> str:
    """A red flag's category: the detector's flags are dicts, the action server sends names.

    Only the category is kept on the handoff, never the words that matched: those
    are patient text and stay in the transcript.
    """
    if isinstance(flag, dict):
        flag = flag.get("category") or flag.get("id") or flag.get("name") or ""
    return str(flag).strip()[:64]


def _clean_red_flags(red_flags: Iterable[Any] | None) -> list[str]:
    flags: list[str] = []
    for flag in red_flags or ():
        value = _flag_label(flag)
        if value and value not in flags:
            flags.append(value)
    return flags[:MAX_RED_FLAGS]


def _clean_callback(callback: dict[str, Any] | None) -> tuple[str | None, bool]:
    if not callback:
        return None, False
    contact = str(callback.get("contact") or "").strip()
    if not contact or len(contact) > MAX_CONTACT_CHARS:
        raise InvalidInput(f"A callback contact must have 1-{MAX_CONTACT_CHARS} characters.")
    if callback.get("consent") is not True:
        raise InvalidInput("A callback contact can only be kept with the patient's consent.")
    return contact, True


# --- opening -----------------------------------------------------------------------------


def open_handoff(
    *,
    session: Session,
    conversation_id: str,
    reason: str,
    priority: str,
    summary: dict[str, Any] | None = None,
    red_flags: Iterable[Any] | None = None,
    callback: dict[str, Any] | None = None,
    clinician_available: bool = True,
    actor_kind: str = "system",
    now: datetime | None = None,
) -> Handoff:
    """Queue a request for a clinician; raises HandoffAlreadyOpen if one is open already.

    With `clinician_available` False (out of hours, nobody on duty) the request
    still waits in the queue, but the bot keeps answering: the patient has been
    told what to do next, so the sweep will not tell them again.
    """
    if reason not in REASONS:
        raise InvalidInput(f"The reason must be one of {', '.join(REASONS)}.")
    rank = _check_priority(priority)
    contact, consent = _clean_callback(callback)
    now = now or utcnow()
    # Write to the conversation row first: a row lock on PostgreSQL, the database's
    # write lock on SQLite. Two requests opening a handoff for one conversation at
    # once are thereby serialised, and the second one sees the first one's handoff.
    locked = session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id)
        .values(owner=Conversation.owner)
        .execution_options(synchronize_session=False)
    )
    if locked.rowcount != 1:
        raise ConversationNotFound()
    existing = get_open_handoff(session=session, conversation_id=conversation_id)
    if existing is not None:
        raise HandoffAlreadyOpen(existing.id)
    handoff = Handoff(
        conversation_id=conversation_id,
        status="waiting",
        priority=priority,
        priority_rank=rank,
        reason=reason,
        summary=summary or None,
        red_flags=_clean_red_flags(red_flags) or None,
        callback_contact=contact,
        callback_consent=consent,
        created_at=now,
        updated_at=now,
        patient_notified_at=None if clinician_available else now,
    )
    session.add(handoff)
    session.flush()
    if clinician_available:
        set_conversation_owner(session, conversation_id, "clinician")
    audit.record(
        session=session,
        action="handoff.opened",
        target_type="handoff",
        target_id=handoff.id,
        actor_kind=actor_kind,
        details={
            "reason": reason,
            "priority": priority,
            "clinician_available": clinician_available,
            "callback": contact is not None,
        },
    )
    events.emit(
        session,
        events.OPENED,
        handoff_id=handoff.id,
        conversation_id=conversation_id,
        priority=priority,
        reason=reason,
    )
    return handoff


def attach_callback(
    *, session: Session, handoff_id: str, callback: dict[str, Any], actor_kind: str = "system"
) -> Handoff:
    """Add the patient's callback details to their open handoff (they left them after queueing)."""
    contact, consent = _clean_callback(callback)
    handoff = get_handoff(session=session, handoff_id=handoff_id)
    if handoff.status not in OPEN_STATUSES:
        raise HandoffClosed()
    handoff.callback_contact = contact
    handoff.callback_consent = consent
    handoff.updated_at = utcnow()
    audit.record(
        session=session,
        action="handoff.callback_added",
        target_type="handoff",
        target_id=handoff.id,
        actor_kind=actor_kind,
    )
    events.emit(session, events.UPDATED, handoff_id=handoff.id, priority=handoff.priority)
    return handoff


# --- claiming ----------------------------------------------------------------------------


def claim(
    *, session: Session, handoff_id: str, clinician_id: int, now: datetime | None = None
) -> Handoff:
    """Give a waiting handoff to one clinician, atomically; everyone else gets AlreadyClaimed."""
    clinician = _active_clinician(session, clinician_id)
    now = now or utcnow()
    if _is_postgres(session):
        locked = session.scalar(
            select(Handoff.id).where(Handoff.id == handoff_id).with_for_update(skip_locked=True)
        )
        if locked is None:
            if session.scalar(select(Handoff.id).where(Handoff.id == handoff_id)) is None:
                raise HandoffNotFound()
            raise AlreadyClaimed()  # another clinician holds the row right now
    claimed = _transition(
        session,
        handoff_id,
        from_status="waiting",
        values={"status": "claimed", "claimed_by": clinician.id, "claimed_at": now},
    )
    if not claimed:
        return _claim_refusal(session, handoff_id, clinician)
    handoff = _refresh(session, handoff_id)
    set_conversation_owner(session, handoff.conversation_id, "clinician")
    audit.record(
        session=session,
        action="handoff.claimed",
        target_type="handoff",
        target_id=handoff.id,
        actor_id=clinician.id,
        details={"priority": handoff.priority},
    )
    events.emit(
        session,
        events.CLAIMED,
        handoff_id=handoff.id,
        conversation_id=handoff.conversation_id,
        clinician_id=clinician.id,
        priority=handoff.priority,
    )
    return handoff


@dataclass(frozen=True)
class Claimed:
    handoff_id: str
    conversation_id: str
    new: bool  # False when this clinician had already claimed it (a repeated click)


def claim_reporting(*, session: Session, handoff_id: str, clinician_id: int) -> Claimed:
    """`claim`, also saying whether the claim is new (so the patient is told only once)."""
    already = session.execute(
        select(Handoff.status, Handoff.claimed_by).where(Handoff.id == handoff_id)
    ).first()
    was_mine = already is not None and tuple(already) == ("claimed", clinician_id)
    handoff = claim(session=session, handoff_id=handoff_id, clinician_id=clinician_id)
    return Claimed(handoff.id, handoff.conversation_id, new=not was_mine)


def claim_next(*, session: Session, clinician_id: int, now: datetime | None = None) -> Handoff:
    """Claim the handoff at the head of the queue; raises QueueEmpty when there is none."""
    _active_clinician(session, clinician_id)
    postgres = _is_postgres(session)
    # On SQLite a lost race leaves this transaction holding the write lock, so the
    # next attempt sees the latest queue and cannot lose again; the bound is a guard.
    for _ in range(50):
        query = select(Handoff.id).where(Handoff.status == "waiting").order_by(*QUEUE_ORDER).limit(1)
        if postgres:
            query = query.with_for_update(skip_locked=True)
        handoff_id = session.scalar(query)
        if handoff_id is None:
            raise QueueEmpty()
        try:
            return claim(session=session, handoff_id=handoff_id, clinician_id=clinician_id, now=now)
        except (AlreadyClaimed, HandoffClosed):
            continue
    raise QueueEmpty()


def release(*, session: Session, handoff_id: str, clinician_id: int) -> Handoff:
    """Put a claimed handoff back in the queue at its original place (it keeps its waiting time)."""
    clinician = _active_clinician(session, clinician_id)
    where = {} if clinician.role == "admin" else {"claimed_by": clinician.id}
    if not _transition(
        session,
        handoff_id,
        from_status="claimed",
        values={"status": "waiting", "claimed_by": None, "claimed_at": None},
        **where,
    ):
        _diagnose_owned(session, handoff_id, clinician)
    handoff = _refresh(session, handoff_id)
    audit.record(
        session=session,
        action="handoff.released",
        target_type="handoff",
        target_id=handoff.id,
        actor_id=clinician.id,
    )
    _announce(session, events.RELEASED, handoff)
    return handoff


def _announce(session: Session, event: str, handoff: Handoff, **ids: Any) -> None:
    """Publish a handoff state change once committed: ids and priority, never patient text."""
    events.emit(
        session,
        event,
        handoff_id=handoff.id,
        conversation_id=handoff.conversation_id,
        priority=handoff.priority,
        **ids,
    )


def _diagnose_owned(session: Session, handoff_id: str, clinician: Clinician) -> None:
    """Why an action reserved to the claiming clinician matched nothing."""
    row = session.execute(
        select(Handoff.status, Handoff.claimed_by).where(Handoff.id == handoff_id)
    ).first()
    if row is None:
        raise HandoffNotFound()
    if row.status not in OPEN_STATUSES:
        raise HandoffClosed()
    raise NotClaimedByYou()


def resolve(
    *,
    session: Session,
    handoff_id: str,
    clinician_id: int,
    outcome_note: str,
    now: datetime | None = None,
) -> Handoff:
    """Close a claimed handoff with an outcome note; the bot answers the patient again."""
    clinician = _active_clinician(session, clinician_id)
    note = (outcome_note or "").strip()
    if not note:
        raise InvalidInput("An outcome note is required to resolve a handoff.")
    if len(note) > MAX_NOTE_CHARS:
        raise InvalidInput(f"The outcome note must have at most {MAX_NOTE_CHARS} characters.")
    now = now or utcnow()
    where = {} if clinician.role == "admin" else {"claimed_by": clinician.id}
    if not _transition(
        session,
        handoff_id,
        from_status="claimed",
        values={"status": "resolved", "resolved_at": now, "outcome_note": note},
        **where,
    ):
        _diagnose_owned(session, handoff_id, clinician)
    handoff = _refresh(session, handoff_id)
    set_conversation_owner(session, handoff.conversation_id, "bot")
    audit.record(
        session=session,
        action="handoff.resolved",
        target_type="handoff",
        target_id=handoff.id,
        actor_id=clinician.id,
        details={"note_chars": len(note)},
    )
    _announce(session, events.RESOLVED, handoff)
    return handoff


def cancel_handoff(
    *, session: Session, handoff_id: str, by: str = "patient", now: datetime | None = None
) -> Handoff:
    """Withdraw an open request (the patient's /cancel); the bot is in charge again."""
    if by not in ("patient", "system"):
        raise InvalidInput("A handoff is cancelled by the patient or the system.")
    handoff = get_handoff(session=session, handoff_id=handoff_id)
    if handoff.status not in OPEN_STATUSES or not _transition(
        session,
        handoff.id,
        from_status=handoff.status,
        values={"status": "cancelled", "cancelled_at": now or utcnow()},
    ):
        raise HandoffClosed()
    handoff = _refresh(session, handoff.id)
    set_conversation_owner(session, handoff.conversation_id, "bot")
    audit.record(
        session=session,
        action="handoff.cancelled",
        target_type="handoff",
        target_id=handoff.id,
        actor_kind=by,
    )
    _announce(session, events.CANCELLED, handoff)
    return handoff


def cancel(
    *, session: Session, conversation_id: str, now: datetime | None = None
) -> Handoff | None:
    """Cancel the conversation's open handoff; None when nothing was open."""
    handoff = get_open_handoff(session=session, conversation_id=conversation_id)
    if handoff is None:
        return None
    try:
        return cancel_handoff(session=session, handoff_id=handoff.id, now=now)
    except HandoffClosed:  # resolved or cancelled in the meantime
        return None


# --- priority and emergencies ---------------------------------------------------------------


def raise_priority(
    *,
    session: Session,
    handoff_id: str,
    priority: str,
    red_flags: Iterable[Any] | None = None,
    actor_kind: str = "system",
) -> tuple[Handoff, bool]:
    """Raise an open handoff's priority (never lowers it); returns (handoff, raised?)."""
    rank = _check_priority(priority)
    handoff = get_handoff(session=session, handoff_id=handoff_id)
    if handoff.status not in OPEN_STATUSES:
        raise HandoffClosed()
    flags = _clean_red_flags([*(handoff.red_flags or []), *(red_flags or [])])
    raised = rank < handoff.priority_rank
    changed = raised or flags != (handoff.red_flags or [])
    if not changed:
        return handoff, False
    previous = handoff.priority
    if raised:
        handoff.priority = priority
        handoff.priority_rank = rank
    handoff.red_flags = flags or None
    handoff.updated_at = utcnow()
    audit.record(
        session=session,
        action="handoff.priority_raised" if raised else "handoff.red_flags_added",
        target_type="handoff",
        target_id=handoff.id,
        actor_kind=actor_kind,
        details={"from": previous, "to": handoff.priority, "red_flags": flags},
    )
    events.emit(
        session,
        events.PRIORITY_RAISED if raised else events.UPDATED,
        handoff_id=handoff.id,
        conversation_id=handoff.conversation_id,
        priority=handoff.priority,
    )
    return handoff, raised


def escalate_emergency(
    *,
    session: Session,
    conversation_id: str,
    red_flags: Iterable[Any],
    summary: dict[str, Any] | None = None,
    clinician_available: bool = True,
    priority: str = "emergency",
    reason: str = "emergency",
) -> tuple[Handoff, bool]:
    """For the gateway's safety check: open an emergency handoff, or raise the open one.

    Returns (handoff, created). An emergency always brings a clinician back in
    charge of the conversation when one is available. priority "urgent" with
    reason "possibly_urgent" is the tier for a message that may be urgent and
    that the bot could not understand.
    """
    flags = list(red_flags)
    existing = get_open_handoff(session=session, conversation_id=conversation_id)
    if existing is None:
        handoff = open_handoff(
            session=session,
            conversation_id=conversation_id,
            reason=reason,
            priority=priority,
            summary=summary,
            red_flags=flags,
            clinician_available=clinician_available,
        )
        return handoff, True
    handoff, _ = raise_priority(
        session=session, handoff_id=existing.id, priority=priority, red_flags=flags
    )
    if clinician_available:
        set_conversation_owner(session, conversation_id, "clinician")
    return handoff, False


# --- after the handoff ---------------------------------------------------------------------


def record_rating(
    *, session: Session, conversation_id: str, rating: int, handoff_id: str | None = None
) -> Handoff:
    """The patient's 1-5 rating of their latest resolved handoff (once)."""
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise InvalidInput("A rating is a whole number from 1 to 5.")
    query = select(Handoff).where(
        Handoff.conversation_id == conversation_id, Handoff.status == "resolved"
    )
    if handoff_id:
        query = query.where(Handoff.id == handoff_id)
    handoff = session.scalar(query.order_by(Handoff.resolved_at.desc()).limit(1))
    if handoff is None:
        raise HandoffNotFound("There is no resolved handoff to rate.")
    if handoff.rating is not None:
        raise RatingAlreadyRecorded()
    handoff.rating = rating
    handoff.updated_at = utcnow()
    audit.record(
        session=session,
        action="handoff.rated",
        target_type="handoff",
        target_id=handoff.id,
        actor_kind="patient",
        details={"rating": rating},
    )
    events.emit(session, events.UPDATED, handoff_id=handoff.id, priority=handoff.priority)
    return handoff


# --- the console's reads and replies ---------------------------------------------------------


def check_can_reply(*, session: Session, handoff_id: str, clinician_id: int) -> Handoff:
    """Refuse a reply unless the handoff is open and claimed by this clinician."""
    clinician = _active_clinician(session, clinician_id)
    handoff = get_handoff(session=session, handoff_id=handoff_id)
    if handoff.status not in OPEN_STATUSES:
        raise HandoffClosed("This handoff is closed; the patient is talking to the bot again.")
    if handoff.status != "claimed" or handoff.claimed_by != clinician.id:
        raise NotClaimedByYou()
    return handoff


def record_reply(
    *, session: Session, handoff: Handoff, clinician_id: int, message_id: int | None, canned: str | None
) -> None:
    """Audit a reply that reached the gateway (ids only; the text is in the transcript)."""
    audit.record(
        session=session,
        action="handoff.reply",
        target_type="handoff",
        target_id=handoff.id,
        actor_id=clinician_id,
        details={"message_id": message_id, "canned": canned},
    )
    _announce(session, events.HANDOFF_MESSAGE, handoff)


def record_transcript_view(*, session: Session, handoff: Handoff, clinician_id: int) -> None:
    audit.record(
        session=session,
        action="transcript.viewed",
        target_type="conversation",
        target_id=handoff.conversation_id,
        actor_id=clinician_id,
        details={"handoff_id": handoff.id},
    )


def note_message(*, session: Session, message: Message) -> str | None:
    """For the gateway: link a message stored during an open handoff to it and wake the console.

    Returns the open handoff's id, or None when the bot is in charge.
    """
    handoff = get_open_handoff(session=session, conversation_id=message.conversation_id)
    if handoff is None:
        return None
    message.handoff_id = handoff.id
    _announce(session, events.HANDOFF_MESSAGE, handoff, message_id=message.id)
    return handoff.id
