"""The inbox and proposals pages over real HTTP on SQLite and PostgreSQL: roles, audit, redaction, four eyes."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.console.content_paths import clinic_file_dep, content_dir_dep
from bot.content.loader import load_file
from bot.db.base import utcnow
from bot.db.session import unit_of_work
from bot.handoff.clinicians import set_reviewer
from bot.handoff.models import AuditEvent, Clinician
from bot.inbox.collect import collect
from bot.inbox.models import InboxQuestion
from bot.inbox.worker import Collector
from bot.proposals.models import ContentProposal
from tests.bot.console.conftest import Console, csrf_of
from tests.support.handoff import make_clinician
from tests.support.inbox import Talk, content_copy, encoder, faqs  # noqa: F401

QUESTIONS = ["where can i park my car", "is parking free at the clinic", "how much does parking cost",
             "what is the wifi password, text me on 07700 900123"]


@pytest.fixture
def inbox(console: Console, tmp_path: Path, encoder, faqs) -> Path:  # type: ignore[no-untyped-def]  # noqa: F811
    """Three unanswered parking questions and a wifi one collected; alice and bob are reviewers, carol an
    admin who is not; the content is a copy in tmp."""
    content, clinic = content_copy(tmp_path)
    console.app.state.inbox_collector = None  # collected below, by hand (test_worker.py tests the kick)
    console.app.dependency_overrides[content_dir_dep] = lambda: content
    console.app.dependency_overrides[clinic_file_dep] = lambda: clinic
    now = utcnow()
    with unit_of_work(console.factory) as session:
        for i, text in enumerate(QUESTIONS):
            Talk(session, now - timedelta(hours=3) + timedelta(minutes=i)).rephrase(text)
        collect(session=session, encoder=encoder, faqs=faqs, now=now)
        make_clinician(session, "carol", role="admin")
        set_reviewer(session=session, username="alice", reviewer=True)
        set_reviewer(session=session, username="bob", reviewer=True)
    return content


def _audit(console: Console, action: str) -> list[AuditEvent]:
    with unit_of_work(console.factory) as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def _user_id(console: Console, username: str) -> int:
    with unit_of_work(console.factory) as session:
        return int(session.scalar(select(Clinician.id).where(Clinician.username == username)))


def _question_ids(console: Console) -> list[int]:
    with unit_of_work(console.factory) as session:
        return list(session.scalars(select(InboxQuestion.id).order_by(InboxQuestion.id)))


def _group_id(console: Console) -> int:
    """The parking group: the largest."""
    with unit_of_work(console.factory) as session:
        return int(session.scalar(
            select(InboxQuestion.group_id).group_by(InboxQuestion.group_id).order_by(func.count().desc()).limit(1)
        ))


def test_logged_out_requests_are_refused(console: Console, inbox: Path) -> None:
    client = console.client()
    assert client.get("/console/inbox").status_code == 303  # to the login page
    assert client.get(f"/console/inbox/groups/{_group_id(console)}").status_code == 303
    assert client.get("/console/inbox", headers={"accept": "application/json"}).status_code == 401
    for path in ("/console/inbox/propose", "/console/inbox/dismiss", "/console/proposals",
                 "/console/proposals/0123/approve", "/console/content/publish"):
        assert client.post(path, data={"question": "1"}).status_code == 401, path
    assert _audit(console, "inbox.viewed") == []


def test_a_clinician_sees_the_groups_and_every_view_is_audited(console: Console, inbox: Path) -> None:
    alice = console.login("alice")
    page = alice.get("/console/inbox")
    assert page.status_code == 200, page.text
    assert "4 questions in 2 groups" in page.text
    assert "is parking free at the clinic" in page.text and "Parking" in page.text
    group = alice.get(f"/console/inbox/groups/{_group_id(console)}")
    assert group.status_code == 200 and group.text.count('name="question"') == 3
    viewed, group_viewed = _audit(console, "inbox.viewed"), _audit(console, "inbox.group_viewed")
    assert len(viewed) == 1 and viewed[0].actor_id == _user_id(console, "alice")
    assert set(viewed[0].details) == {"from", "to", "sort", "groups"}
    assert group_viewed[0].target_id == str(_group_id(console))
    assert "parking" not in str(viewed[0].details) + str(group_viewed[0].details)  # ids, never text
    assert alice.get("/console/inbox", params={"sort": "sideways"}).status_code == 422


def test_propose_redacted_then_approve_by_another_reviewer(console: Console, inbox: Path) -> None:
    alice, bob, carol = console.login("alice"), console.login("bob"), console.login("carol")
    ids = _question_ids(console)
    token = csrf_of(alice.get("/console/inbox").text)
    form = alice.post("/console/inbox/propose", data={"csrf_token": token, "question": [str(i) for i in ids]})
    assert form.status_code == 200, form.text
    textarea = re.search(r'<textarea id="texts"[^>]*>([^<]*)</textarea>', form.text)
    assert textarea and "07700" not in textarea.group(1) and "[phone]" in textarea.group(1)
    assert _audit(console, "inbox.propose_viewed")[0].details == {"questions": ids}
    edited = "where can i park my car\nis parking free at the clinic\nparking cost, ring 07700 900123"
    sent = alice.post("/console/proposals", data={
        "csrf_token": token, "question": [str(i) for i in ids], "kind": "example",
        "faq_id": "parking_and_transport", "texts": edited,
    })
    assert sent.status_code == 303, sent.text
    with unit_of_work(console.factory) as session:
        proposal = session.scalars(select(ContentProposal)).one()
        assert proposal.texts == ["where can i park my car", "is parking free at the clinic", "parking cost, ring [phone]"]
        proposal_id = proposal.id
    assert "0 questions in 0 groups" in alice.get("/console/inbox").text  # proposed: out of the open inbox

    own = alice.post(f"/console/proposals/{proposal_id}/approve", data={"csrf_token": token})
    assert own.status_code == 403 and "your own proposal" in own.text
    not_reviewer = carol.post(f"/console/proposals/{proposal_id}/approve",
                              data={"csrf_token": csrf_of(carol.get("/console/proposals").text)})
    assert not_reviewer.status_code == 403 and "reviewer role" in not_reviewer.text
    listing = bob.get("/console/proposals")
    assert f'action="/console/proposals/{proposal_id}/approve"' in listing.text
    approved = bob.post(f"/console/proposals/{proposal_id}/approve", data={"csrf_token": csrf_of(listing.text)})
    assert approved.status_code == 303, approved.text
    entry, _ = load_file(inbox / "faq" / "parking_and_transport.yml", "faq")
    assert entry.examples[-3:] == ("where can i park my car", "is parking free at the clinic", "parking cost, ring [phone]")
    again = bob.post(f"/console/proposals/{proposal_id}/approve", data={"csrf_token": csrf_of(listing.text)})
    assert again.status_code == 409
    assert "approved" in bob.get("/console/proposals").text and "Bob" in bob.get("/console/proposals").text


def test_a_forged_form_is_refused(console: Console, inbox: Path) -> None:
    alice = console.login("alice")
    response = alice.post("/console/inbox/dismiss", data={"csrf_token": "forged", "question": "1"})
    assert response.status_code == 403
    assert len(_question_ids(console)) == 4


def test_dismissing_a_group_empties_the_inbox(console: Console, inbox: Path) -> None:
    alice = console.login("alice")
    token = csrf_of(alice.get("/console/inbox").text)
    ids = [str(i) for i in _question_ids(console)]
    assert alice.post("/console/inbox/dismiss", data={"csrf_token": token, "question": ids}).status_code == 303
    assert "No unanswered questions in this period." in alice.get("/console/inbox").text
    assert alice.post("/console/inbox/dismiss", data={"csrf_token": token, "question": ids}).status_code == 409
    assert _audit(console, "inbox.dismissed")[0].details == {"questions": [int(i) for i in ids]}


def test_only_admins_publish(console: Console, inbox: Path) -> None:
    alice = console.login("alice")
    refused = alice.post("/console/content/publish", data={"csrf_token": csrf_of(alice.get("/console/proposals").text)})
    assert refused.status_code == 403
    assert "Publish the approved content" not in alice.get("/console/proposals").text
    assert "Publish the approved content" in console.login("carol").get("/console/proposals").text


def test_opening_the_inbox_collects_new_questions_in_the_background(
    console: Console, inbox: Path, encoder, faqs  # type: ignore[no-untyped-def]  # noqa: F811
) -> None:
    now = utcnow()
    console.app.state.inbox_collector = collector = Collector(
        factory=console.factory, encoder=lambda: encoder, faqs=lambda _: faqs, clock=lambda: now,
    )
    with unit_of_work(console.factory) as session:
        Talk(session, now - timedelta(hours=2)).rephrase("do you do home visits")
    alice = console.login("alice")
    assert "4 questions" in alice.get("/console/inbox").text  # the page did not wait for the pass
    assert collector.thread is not None
    collector.thread.join(timeout=60)
    assert sum(collector.last_result.added.values()) == 1
    assert "5 questions" in alice.get("/console/inbox").text
    assert collector.thread is not None and not collector.kick()  # not due again within the minute
