"""Propose, approve and reject changes to the vetted content, with four eyes and an audit trail.

A proposal's texts are redacted again when it is sent (bot.proposals.redact),
whatever the proposer typed. Only a clinician with the reviewer flag who is
not the proposer may approve or reject it; approval writes the change into
the content files (bot.proposals.writer) inside the same unit of work that
marks the proposal approved, so a refused write leaves it pending. Every step
is audited (ids and labels only, never the texts).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.handoff import audit
from bot.handoff.models import Clinician
from bot.inbox import actions as inbox_actions
from bot.proposals import writer
from bot.proposals.models import APPROVED, KINDS, NEW_FAQ, PENDING, REJECTED, ContentProposal
from bot.proposals.redact import redact

MAX_TEXT_CHARS = 300
MAX_TEXTS = 50
MAX_TITLE_CHARS = 200


class ProposalError(Exception):
    """A proposal that cannot be made, approved or rejected; `status` is the HTTP status to answer with."""

    status = 422


class UnknownProposal(ProposalError):
    status = 404


class NotAReviewer(ProposalError):
    status = 403


class OwnProposal(ProposalError):
    status = 403


class AlreadyReviewed(ProposalError):
    status = 409


def clean_texts(texts: Sequence[str], clinic: Mapping[str, Any]) -> list[str]:
    """One question per non-empty line, redacted, each at most MAX_TEXT_CHARS."""
    cleaned = [redact(t, clinic) for t in texts if t.strip()]
    if not cleaned:
        raise ProposalError("Give at least one question.")
    if len(cleaned) > MAX_TEXTS:
        raise ProposalError(f"At most {MAX_TEXTS} questions in one proposal.")
    if any(len(t) > MAX_TEXT_CHARS for t in cleaned):
        raise ProposalError(f"Each question must be at most {MAX_TEXT_CHARS} characters.")
    return cleaned


def propose(
    *,
    session: Session,
    kind: str,
    faq_id: str,
    texts: Sequence[str],
    proposer: Clinician,
    clinic: Mapping[str, Any],
    content_dir: Path,
    now: datetime,
    title: str | None = None,
    note: str | None = None,
    question_ids: Sequence[int] = (),
) -> ContentProposal:
    """A pending proposal; the inbox questions it came from leave the open inbox."""
    if kind not in KINDS:
        raise ProposalError(f"Unknown kind of proposal '{kind}'.")
    cleaned = clean_texts(texts, clinic)
    if kind == NEW_FAQ:
        if not writer.ID_PATTERN.match(faq_id):
            raise ProposalError("A new FAQ's id must be lowercase letters, digits and underscores.")
        if writer.faq_path(content_dir, faq_id).exists() or writer.draft_path(content_dir, faq_id).exists():
            raise ProposalError(f"An FAQ or draft '{faq_id}' already exists.")
        if not (title or "").strip() or len(title or "") > MAX_TITLE_CHARS:
            raise ProposalError(f"A new FAQ needs a title of at most {MAX_TITLE_CHARS} characters.")
    elif not writer.faq_path(content_dir, faq_id).is_file():
        raise ProposalError(f"There is no FAQ '{faq_id}' in the content.")
    proposal = ContentProposal(
        kind=kind, faq_id=faq_id, title=(title or "").strip() or None, texts=cleaned,
        note=(note or "").strip() or None, status=PENDING, proposed_by=proposer.id,
        proposer_name=proposer.display_name, created_at=now,
    )
    session.add(proposal)
    session.flush()
    if question_ids:
        inbox_actions.mark_proposed(
            session=session, question_ids=question_ids, clinician_id=proposer.id, proposal_id=proposal.id, now=now
        )
    audit.record(
        session=session, action="proposal.created", target_type="proposal", target_id=proposal.id,
        actor_id=proposer.id, details={"kind": kind, "faq_id": faq_id, "texts": len(cleaned), "questions": len(question_ids)},
    )
    return proposal


def _reviewable(session: Session, proposal_id: str, reviewer: Clinician) -> ContentProposal:
    proposal = session.get(ContentProposal, proposal_id, with_for_update=True)
    if proposal is None:
        raise UnknownProposal("No such proposal.")
    if not reviewer.reviewer or reviewer.disabled:
        raise NotAReviewer("Only a clinician with the reviewer role can approve or reject proposals.")
    if proposal.proposed_by == reviewer.id:
        raise OwnProposal("You cannot review your own proposal: another reviewer must.")
    if proposal.status != PENDING:
        raise AlreadyReviewed(f"This proposal was {proposal.status} already.")
    return proposal


def approve(
    *, session: Session, proposal_id: str, reviewer: Clinician, content_dir: Path, now: datetime
) -> ContentProposal:
    """Approve and write the change into the content files (raises before writing if refused)."""
    proposal = _reviewable(session, proposal_id, reviewer)
    try:
        path = writer.apply(
            content_dir, kind=proposal.kind, faq_id=proposal.faq_id, title=proposal.title, texts=list(proposal.texts),
            proposal_id=proposal.id, approved_by=reviewer.display_name, on=now.date(),
        )
    except writer.ContentWriteError as error:
        raise ProposalError(str(error)) from None
    proposal.status = APPROVED
    proposal.reviewed_by, proposal.reviewer_name, proposal.reviewed_at = reviewer.id, reviewer.display_name, now
    proposal.applied_path = str(path.relative_to(content_dir))
    audit.record(
        session=session, action="proposal.approved", target_type="proposal", target_id=proposal.id,
        actor_id=reviewer.id, details={"kind": proposal.kind, "faq_id": proposal.faq_id, "path": proposal.applied_path},
    )
    session.flush()
    return proposal


def reject(
    *, session: Session, proposal_id: str, reviewer: Clinician, now: datetime, note: str | None = None
) -> ContentProposal:
    proposal = _reviewable(session, proposal_id, reviewer)
    proposal.status = REJECTED
    proposal.reviewed_by, proposal.reviewer_name, proposal.reviewed_at = reviewer.id, reviewer.display_name, now
    proposal.review_note = (note or "").strip() or None
    audit.record(
        session=session, action="proposal.rejected", target_type="proposal", target_id=proposal.id,
        actor_id=reviewer.id, details={"kind": proposal.kind, "faq_id": proposal.faq_id},
    )
    session.flush()
    return proposal


def list_proposals(*, session: Session, status: str | None = None, limit: int = 200) -> list[ContentProposal]:
    """Pending first, then the most recently reviewed."""
    query = select(ContentProposal)
    if status is not None:
        query = query.where(ContentProposal.status == status)
    query = query.order_by((ContentProposal.status != PENDING), ContentProposal.created_at.desc()).limit(limit)
    return list(session.scalars(query))


def find(*, session: Session, prefix: str) -> ContentProposal:
    """The one proposal whose id starts with `prefix` (the command line shows 8 characters)."""
    matches = list(session.scalars(select(ContentProposal).where(ContentProposal.id.like(f"{prefix}%")).limit(2)))
    if len(matches) != 1:
        raise UnknownProposal("No such proposal." if not matches else f"'{prefix}' names more than one proposal.")
    return matches[0]
