"""The whole path on real servers: a question asked -> in the inbox -> proposed -> approved -> retrained ->
rolled out -> the same question answered.

The real gateway (create_app) on loopback, a real Rasa server, the console over
HTTP. The Rasa model is tests/support/faq_assistant.py's, trained in seconds
from the content build of a temporary copy of data/content (the shipped model
takes minutes and is never retrained here): before the approval it does not
understand the question and asks to rephrase; the approval writes the question
into the FAQ's file, `content publish`'s steps rebuild the content, retrain
because the training data changed, and roll the new model onto the running
server with PUT /model; the same question then gets the FAQ's vetted answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.console.content_paths import clinic_file_dep, content_dir_dep
from bot.content.compiler import split_examples
from bot.content.loader import load_file
from bot.db.base import utcnow
from bot.db.models import Message
from bot.db.session import make_engine, make_session_factory, unit_of_work
from bot.gateway.apikeys import create_api_key
from bot.handoff.clinicians import set_reviewer
from bot.inbox.collect import collect
from bot.inbox.models import REPHRASE, InboxQuestion
from bot.proposals.rollout import Publisher, rebuild_content
from tests.bot.console.conftest import csrf_of
from tests.support import fixtures as gateway_fixtures
from tests.support.faq_assistant import retrain_if_stale, write_project
from tests.support.fixtures import make_settings
from tests.support.handoff import PASSWORD, make_clinician
from tests.support.inbox import content_copy, encoder, faqs  # noqa: F401
from tests.support.rasa_process import RASA_TOKEN, RasaServer

serve_gateway = gateway_fixtures.serve_gateway
pytestmark = pytest.mark.slow

FAQ = "parking_and_transport"
CANDIDATES = ["can i leave my car in your car park overnight", "is the car park open all night",
              "can i keep my car there overnight", "overnight car parking near you"]


def _question(content: Path) -> str:
    """A candidate the build will train on once it is an example (one in six is held out for evaluation)."""
    entry, _ = load_file(content / "faq" / f"{FAQ}.yml", "faq")
    for text in CANDIDATES:
        if text not in split_examples(replace(entry, examples=(*entry.examples, text)))[1]:
            return text
    raise AssertionError("every candidate would be held out")


@pytest.fixture
def rasa(tmp_path: Path) -> Iterator[tuple[RasaServer, Path, Path, Path]]:
    content, clinic = content_copy(tmp_path)
    generated, project = tmp_path / "generated", tmp_path / "assistant"
    rebuild_content(content_dir=content, clinic_file=clinic, output_dir=generated, today=date.today())
    write_project(project, generated / "faq.yml", [FAQ])
    server = RasaServer(retrain_if_stale(project).path)
    server.start()
    try:
        yield server, content, clinic, project
    finally:
        server.stop()


def _ask(client: httpx.Client, text: str) -> dict[str, Any]:
    response = client.post("/api/v1/messages", json={"external_id": "patient-1", "text": text})
    assert response.status_code == 200, response.text
    return response.json()


def _login(base_url: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base_url, timeout=30)
    token = csrf_of(client.get("/console/login").text)
    response = client.post("/console/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303, response.text
    return client


def test_asked_inboxed_proposed_approved_retrained_answered(
    database_url: str, serve_gateway: Callable[..., tuple[str, Any]], rasa, encoder, faqs  # type: ignore[no-untyped-def]  # noqa: F811
) -> None:
    server, content, clinic, project = rasa
    question = _question(content)
    base_url, app = serve_gateway(make_settings(database_url, server.url, rasa_timeout_s=30.0))
    app.state.inbox_collector = None  # collected below, at a known moment
    app.dependency_overrides[content_dir_dep] = lambda: content
    app.dependency_overrides[clinic_file_dep] = lambda: clinic
    factory = make_session_factory(make_engine(database_url))
    with unit_of_work(factory) as session:
        key = create_api_key(session=session, name="whole path").key
        make_clinician(session, "alice")
        make_clinician(session, "bob")
        make_clinician(session, "carol", role="admin")
        set_reviewer(session=session, username="bob", reviewer=True)
    patient = httpx.Client(base_url=base_url, headers={"X-API-Key": key}, timeout=60)

    # Asked: the assistant does not understand it yet.
    before = _ask(patient, question)
    assert [r["text"] for r in before["replies"]][-1] == "Sorry, I did not understand that."  # after the notice

    # In the inbox.
    with unit_of_work(factory) as session:
        collected = collect(session=session, encoder=encoder, faqs=faqs, now=utcnow())
        assert dict(collected.added) == {REPHRASE: 1}
        question_id = session.scalar(select(InboxQuestion.id))
    alice = _login(base_url, "alice")
    assert question in alice.get("/console/inbox").text

    # Proposed, as an example of the FAQ.
    token = csrf_of(alice.get("/console/inbox").text)
    assert alice.post("/console/inbox/propose", data={"csrf_token": token, "question": str(question_id)}).status_code == 200
    sent = alice.post("/console/proposals", data={
        "csrf_token": token, "question": str(question_id), "kind": "example", "faq_id": FAQ, "texts": question,
    })
    assert sent.status_code == 303, sent.text

    # Approved by another clinician, a reviewer: written into the content file.
    bob = _login(base_url, "bob")
    listing = bob.get("/console/proposals").text
    proposal_id = listing.split('action="/console/proposals/')[1].split("/approve")[0]
    assert bob.post(f"/console/proposals/{proposal_id}/approve", data={"csrf_token": csrf_of(listing)}).status_code == 303
    assert question in load_file(content / "faq" / f"{FAQ}.yml", "faq")[0].examples

    # Retrained (the training data changed) and rolled onto the running server.
    generated = project.parent / "generated"

    def rebuild():  # type: ignore[no-untyped-def]
        built = rebuild_content(content_dir=content, clinic_file=clinic, output_dir=generated, today=date.today())
        write_project(project, generated / "faq.yml", [FAQ])
        return built

    # An admin presses the console's button; the publisher's steps are this test's (its content and assistant).
    app.state.content_publisher = publisher = Publisher(
        [server.url], RASA_TOKEN, rebuild=rebuild, retrain=partial(retrain_if_stale, project)
    )
    carol = _login(base_url, "carol")
    pressed = carol.post("/console/content/publish", data={"csrf_token": csrf_of(carol.get("/console/proposals").text)})
    assert pressed.status_code == 303, pressed.text
    assert publisher.thread is not None
    publisher.thread.join(timeout=600)
    assert publisher.state.status == "done", publisher.state.detail
    assert "model retrained" in publisher.state.detail and publisher.state.servers == [server.url]
    assert "Last publish: done" in carol.get("/console/proposals").text
    again = publisher.run()
    assert "model up to date" in again.detail and again.servers == []  # nothing new: no retraining

    # The same question answered, with the FAQ's vetted answer.
    after = _ask(patient, question)
    vetted = load_file(content / "faq" / f"{FAQ}.yml", "faq")[0].answer
    assert [r["text"] for r in after["replies"]][-1].startswith(" ".join(vetted.split("{")[0].split()))
    with unit_of_work(factory) as session:
        answered = session.get(InboxQuestion, question_id)
        stored = session.scalars(select(Message).where(Message.text == question).order_by(Message.id)).all()
    assert answered is not None and [m.meta.get("faq_ids") if m.meta else None for m in stored] == [None, [FAQ]]
