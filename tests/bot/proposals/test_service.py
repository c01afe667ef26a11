"""Proposals on SQLite and PostgreSQL: redacted texts only, four eyes, the reviewer role, the file written."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.content.loader import load_clinic, load_file
from bot.db.session import unit_of_work
from bot.handoff.clinicians import set_reviewer
from bot.handoff.models import AuditEvent, Clinician
from bot.inbox.collect import collect
from bot.inbox.grouping import FaqIndex
from bot.inbox.models import PROPOSED, InboxQuestion
from bot.proposals import service
from bot.proposals.models import APPROVED, PENDING, REJECTED, ContentProposal
from tests.support.handoff import make_clinician
from tests.support.inbox import Talk, content_copy

NOW = datetime(2026, 12, 4, 10, 0)


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, dict]:
    content, clinic = content_copy(tmp_path)
    return content, load_clinic(clinic)


@pytest.fixture
def people(session_factory: sessionmaker) -> dict[str, int]:
    with unit_of_work(session_factory) as session:
        ids = {name: make_clinician(session, name).id for name in ("alice", "bob", "carol")}
        for name in ("alice", "bob"):
            set_reviewer(session=session, username=name, reviewer=True)
    return ids


def _propose(factory: sessionmaker, tree: tuple[Path, dict], who: int, texts: list[str], **fields) -> str:  # type: ignore[no-untyped-def]
    content, clinic = tree
    fields.setdefault("kind", "example")
    fields.setdefault("faq_id", "parking_and_transport")
    with unit_of_work(factory) as session:
        proposal = service.propose(
            session=session, texts=texts, proposer=session.get(Clinician, who), clinic=clinic, content_dir=content,
            now=NOW, **fields,
        )
        return str(proposal.id)


def test_the_texts_are_redacted_again_when_sent(session_factory: sessionmaker, people: dict[str, int], tree) -> None:  # type: ignore[no-untyped-def]
    clinic_name = tree[1]["clinic_name"]
    proposal_id = _propose(
        session_factory, tree, people["carol"],
        [f"is parking free at {clinic_name}? call me on 07700 900123", "  ", "mail me at jo@example.com"],
    )
    with unit_of_work(session_factory) as session:
        proposal = session.get(ContentProposal, proposal_id)
        assert proposal.texts == ["is parking free at [name]? call me on [phone]", "mail me at [email]"]
        assert proposal.status == PENDING and proposal.proposer_name == "Carol"


def test_a_reviewer_who_did_not_propose_it_approves_and_the_file_changes(
    session_factory: sessionmaker, people: dict[str, int], tree, encoder, faqs: FaqIndex  # type: ignore[no-untyped-def]
) -> None:
    content, _ = tree
    with unit_of_work(session_factory) as session:
        talk = Talk(session, NOW - timedelta(hours=3))
        talk.rephrase("can i leave my car outside overnight")
        collect(session=session, encoder=encoder, faqs=faqs, now=NOW)
        question_id = session.scalar(select(InboxQuestion.id))
    proposal_id = _propose(session_factory, tree, people["alice"], ["can i leave my car outside overnight"],
                           question_ids=[question_id])
    with unit_of_work(session_factory) as session:
        assert session.get(InboxQuestion, question_id).status == PROPOSED
        service.approve(session=session, proposal_id=proposal_id, reviewer=session.get(Clinician, people["bob"]),
                        content_dir=content, now=NOW)
    with unit_of_work(session_factory) as session:
        proposal = session.get(ContentProposal, proposal_id)
        assert (proposal.status, proposal.reviewer_name, proposal.reviewed_at) == (APPROVED, "Bob", NOW)
        assert proposal.applied_path == "faq/parking_and_transport.yml"
        actions = [e.action for e in session.scalars(select(AuditEvent).where(AuditEvent.target_id == proposal_id))]
    assert actions == ["proposal.created", "proposal.approved"]
    entry, _ = load_file(content / "faq" / "parking_and_transport.yml", "faq")
    assert entry.examples[-1] == "can i leave my car outside overnight"


def test_nobody_approves_their_own_proposal(session_factory: sessionmaker, people: dict[str, int], tree) -> None:  # type: ignore[no-untyped-def]
    content, _ = tree
    proposal_id = _propose(session_factory, tree, people["alice"], ["parking for my van"])
    with unit_of_work(session_factory) as session, pytest.raises(service.OwnProposal):
        service.approve(session=session, proposal_id=proposal_id, reviewer=session.get(Clinician, people["alice"]),
                        content_dir=content, now=NOW)
    with unit_of_work(session_factory) as session:
        assert session.get(ContentProposal, proposal_id).status == PENDING


def test_a_clinician_without_the_reviewer_role_cannot_approve_or_reject(
    session_factory: sessionmaker, people: dict[str, int], tree  # type: ignore[no-untyped-def]
) -> None:
    content, _ = tree
    proposal_id = _propose(session_factory, tree, people["alice"], ["parking for my van"])
    before = (content / "faq" / "parking_and_transport.yml").read_bytes()
    with unit_of_work(session_factory) as session, pytest.raises(service.NotAReviewer):
        service.approve(session=session, proposal_id=proposal_id, reviewer=session.get(Clinician, people["carol"]),
                        content_dir=content, now=NOW)
    with unit_of_work(session_factory) as session, pytest.raises(service.NotAReviewer):
        service.reject(session=session, proposal_id=proposal_id, reviewer=session.get(Clinician, people["carol"]), now=NOW)
    assert (content / "faq" / "parking_and_transport.yml").read_bytes() == before


def test_a_rejected_proposal_writes_nothing_and_cannot_be_approved_later(
    session_factory: sessionmaker, people: dict[str, int], tree  # type: ignore[no-untyped-def]
) -> None:
    content, _ = tree
    before = (content / "faq" / "parking_and_transport.yml").read_bytes()
    proposal_id = _propose(session_factory, tree, people["alice"], ["parking for my van"])
    with unit_of_work(session_factory) as session:
        service.reject(session=session, proposal_id=proposal_id, reviewer=session.get(Clinician, people["bob"]),
                       now=NOW, note="too specific")
    with unit_of_work(session_factory) as session, pytest.raises(service.AlreadyReviewed):
        service.approve(session=session, proposal_id=proposal_id, reviewer=session.get(Clinician, people["bob"]),
                        content_dir=content, now=NOW)
    with unit_of_work(session_factory) as session:
        proposal = session.get(ContentProposal, proposal_id)
        assert (proposal.status, proposal.review_note) == (REJECTED, "too specific")
    assert (content / "faq" / "parking_and_transport.yml").read_bytes() == before


def test_a_write_the_content_refuses_leaves_the_proposal_pending(
    session_factory: sessionmaker, people: dict[str, int], tree  # type: ignore[no-untyped-def]
) -> None:
    content, _ = tree
    existing, _ = load_file(content / "faq" / "parking_and_transport.yml", "faq")
    proposal_id = _propose(session_factory, tree, people["alice"], [existing.examples[0]])
    with pytest.raises(service.ProposalError, match="already a question"), unit_of_work(session_factory) as session:
        service.approve(session=session, proposal_id=proposal_id, reviewer=session.get(Clinician, people["bob"]),
                        content_dir=content, now=NOW)
    with unit_of_work(session_factory) as session:
        assert session.get(ContentProposal, proposal_id).status == PENDING


def test_a_new_faq_proposal_needs_a_fresh_id_and_a_title(session_factory: sessionmaker, people: dict[str, int], tree) -> None:  # type: ignore[no-untyped-def]
    content, _ = tree
    with pytest.raises(service.ProposalError, match="already exists"):
        _propose(session_factory, tree, people["alice"], ["wifi?"], kind="new_faq", faq_id="parking_and_transport", title="X")
    with pytest.raises(service.ProposalError, match="title"):
        _propose(session_factory, tree, people["alice"], ["wifi?"], kind="new_faq", faq_id="wifi_for_patients")
    proposal_id = _propose(session_factory, tree, people["alice"], ["what is the wifi password"], kind="new_faq",
                           faq_id="wifi_for_patients", title="Wi-Fi for patients")
    with unit_of_work(session_factory) as session:
        service.approve(session=session, proposal_id=proposal_id, reviewer=session.get(Clinician, people["bob"]),
                        content_dir=content, now=NOW)
    assert (content / "drafts" / "faq" / "wifi_for_patients.yml").is_file()
