"""The clinician console over real HTTP, on SQLite and PostgreSQL: sessions, CSRF, actions, escaping."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from bot.console import security
from bot.db.base import utcnow
from bot.db.models import Conversation, Message
from bot.db.session import unit_of_work
from bot.handoff.clinicians import disable_clinician, set_password
from bot.handoff.feedback import record_feedback
from bot.handoff.models import AuditEvent, Clinician
from bot.handoff.texts import system_text
from tests.bot.console.conftest import Console, csrf_of
from tests.support.handoff import add_message, handoff_row, make_conversation

XSS = '<script>window.__xss = 1</script><img src=x onerror="window.__xss=2">'


def _conversation(console: Console, *texts: str) -> str:
    with unit_of_work(console.factory) as s:
        conv = make_conversation(s)
        for text in texts:
            add_message(s, conv.id, "patient", text, meta={"intent": {"name": "request_human", "confidence": 0.93}})
        return conv.id


def _handoff(console: Console, *texts: str, **body: object) -> tuple[str, str]:
    conv = _conversation(console, *texts)
    return conv, console.open_handoff(conv, **body)["handoff_id"]


def _row(console: Console, hid: str) -> dict:
    with unit_of_work(console.factory) as s:
        return handoff_row(s, hid)


def _audit(console: Console, action: str) -> list[AuditEvent]:
    with unit_of_work(console.factory) as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _messages(console: Console) -> int:
    with unit_of_work(console.factory) as s:
        return int(s.scalar(select(func.count(Message.id))))


def _token(client: httpx.Client, path: str = "/console/") -> str:
    return csrf_of(client.get(path).text)


# --- sessions -------------------------------------------------------------------------------


def test_login_sets_a_strict_httponly_session_cookie(console: Console) -> None:
    client = console.client()
    login_page = client.get("/console/login")
    assert login_page.status_code == 200
    assert "default-src 'self'" in login_page.headers["content-security-policy"]
    assert login_page.headers["x-frame-options"] == "DENY"
    response = console.post_login(client, "alice", "correct horse battery staple")
    assert response.status_code == 303 and response.headers["location"] == "/console/"
    cookie = next(v for v in response.headers.get_list("set-cookie") if v.startswith(security.SESSION_COOKIE))
    lowered = cookie.lower()
    assert "httponly" in lowered and "samesite=strict" in lowered and "path=/console" in lowered
    assert "secure" not in lowered.replace("samesite", "")  # plain HTTP in this test; see the next test
    page = client.get("/console/")
    assert page.status_code == 200 and "Alice" in page.text and "Nobody is waiting." in page.text
    assert page.headers["cache-control"] == "no-store"
    assert [e.actor_id for e in _audit(console, "console.login")] == [_clinician_id(console, "alice")]


def test_cookies_are_secure_when_configured(console: Console, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.settings import get_settings

    monkeypatch.setenv("PATIENTBOT_SECURE_COOKIES", "true")
    get_settings.cache_clear()
    client = console.client()
    response = console.post_login(client, "alice", "correct horse battery staple")
    cookie = next(v for v in response.headers.get_list("set-cookie") if v.startswith(security.SESSION_COOKIE))
    assert "; secure" in cookie.lower()


def _clinician_id(console: Console, username: str) -> int:
    with unit_of_work(console.factory) as s:
        return s.scalar(select(Clinician.id).where(Clinician.username == username))


def test_without_a_session_pages_redirect_and_actions_are_401(console: Console) -> None:
    conv, hid = _handoff(console, "hello")
    client = console.client()
    assert client.get("/console/").status_code == 303
    assert client.get(f"/console/handoffs/{hid}").headers["location"] == "/console/login"
    for path in (f"/console/handoffs/{hid}/claim", "/console/claim-next", "/console/logout"):
        response = client.post(path, data={"csrf_token": "x"})
        assert response.status_code == 401
        assert "session has expired or you are not logged in" in response.text
    api = client.get(f"/console/api/handoffs/{hid}")
    assert api.status_code == 401 and api.json()["detail"].startswith("Your session has expired")
    assert client.get("/console/events").status_code == 401
    assert _row(console, hid)["status"] == "waiting"
    assert _audit(console, "transcript.viewed") == []


def test_a_forged_or_expired_session_is_refused(console: Console, monkeypatch: pytest.MonkeyPatch) -> None:
    _, hid = _handoff(console, "hello")
    forged = security.issue_session("some-other-secret-entirely", _clinician_id(console, "alice"))
    client = console.client()
    client.cookies.set(security.SESSION_COOKIE, forged, path="/console")
    assert client.get(f"/console/api/handoffs/{hid}").status_code == 401

    client = console.login("alice")
    assert client.get(f"/console/api/handoffs/{hid}").status_code == 200
    monkeypatch.setattr(security, "SESSION_MAX_AGE_S", 0)
    time.sleep(1.1)
    assert client.get("/console/").headers["location"] == "/console/login"
    response = client.post(f"/console/handoffs/{hid}/claim", data={"csrf_token": "any"})
    assert response.status_code == 401 and "session has expired" in response.text
    assert _row(console, hid)["status"] == "waiting"


def test_wrong_passwords_lock_the_account(console: Console) -> None:
    client = console.client()
    for _ in range(2):
        response = console.post_login(client, "alice", "not the password at all")
        assert response.status_code == 401 and "Wrong username or password." in response.text
    response = console.post_login(client, "alice", "still not the password")
    assert response.status_code == 429 and "locked until" in response.text
    assert response.headers["retry-after"]
    # Locked: even the right password is refused, and no session is issued.
    response = console.post_login(client, "alice", "correct horse battery staple")
    assert response.status_code == 429
    assert security.SESSION_COOKIE not in client.cookies
    assert len(_audit(console, "console.login_failed")) == 3
    assert len(_audit(console, "console.login_refused_locked")) == 1
    # After the lock-out period the right password works again.
    with unit_of_work(console.factory) as s:
        s.scalar(select(Clinician).where(Clinician.username == "alice")).locked_until = utcnow() - timedelta(seconds=1)
    assert console.post_login(client, "alice", "correct horse battery staple").status_code == 303


def test_unknown_users_and_missing_fields(console: Console) -> None:
    client = console.client()
    assert console.post_login(client, "mallory", "whatever whatever").status_code == 401
    assert console.post_login(client, "", "").status_code == 422
    assert console.post_login(client, "alice", "x" * 5000).status_code == 401


def test_login_without_its_csrf_token_is_refused(console: Console) -> None:
    client = console.client()
    client.get("/console/login")
    response = client.post("/console/login", data={"username": "alice", "password": "correct horse battery staple"})
    assert response.status_code == 403 and "CSRF" in response.text
    other = console.client()
    stolen = csrf_of(other.get("/console/login").text)  # a token bound to another browser's nonce
    response = client.post(
        "/console/login", data={"username": "alice", "password": "correct horse battery staple", "csrf_token": stolen}
    )
    assert response.status_code == 403
    assert _audit(console, "console.login") == []


def test_logout_ends_the_session_on_the_server(console: Console) -> None:
    client = console.login("alice")
    cookie = client.cookies.get(security.SESSION_COOKIE)
    token = _token(client)
    response = client.post("/console/logout", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["location"] == "/console/login"
    replay = console.client()
    replay.cookies.set(security.SESSION_COOKIE, cookie, path="/console")
    assert replay.get("/console/").status_code == 303  # back to the login page
    # Logging in again works (a new session is newer than the logout).
    assert console.login("alice").get("/console/").status_code == 200


def test_a_new_password_ends_open_sessions_and_only_the_new_one_logs_in(
    console: Console,
) -> None:
    client = console.login("alice")
    assert client.get("/console/").status_code == 200
    with unit_of_work(console.factory) as s:
        set_password(session=s, username="alice", password="a completely new passphrase")
    assert client.get("/console/").status_code == 303  # back to the login page
    old = console.post_login(console.client(), "alice", "correct horse battery staple")
    assert old.status_code != 303
    new = console.post_login(console.client(), "alice", "a completely new passphrase")
    assert new.status_code == 303 and new.headers["location"].startswith("/console")


def test_disabling_a_clinician_ends_their_session_and_refuses_login(console: Console) -> None:
    _, hid = _handoff(console, "hello")
    client = console.login("bob")
    token = _token(client)
    with unit_of_work(console.factory) as s:
        disable_clinician(session=s, username="bob")
    response = client.post(f"/console/handoffs/{hid}/claim", data={"csrf_token": token})
    assert response.status_code == 401
    assert _row(console, hid)["status"] == "waiting"
    response = console.post_login(console.client(), "bob", "correct horse battery staple")
    assert response.status_code == 403 and "disabled" in response.text


# --- CSRF and bad input -----------------------------------------------------------------------


def test_state_changes_without_the_sessions_csrf_token_are_refused(console: Console) -> None:
    _, hid = _handoff(console, "hello")
    alice, bob = console.login("alice"), console.login("bob")
    bobs_token = _token(bob)
    before = _row(console, hid)
    for data in ({}, {"csrf_token": "forged"}, {"csrf_token": bobs_token}):
        response = alice.post(f"/console/handoffs/{hid}/claim", data=data)
        assert response.status_code == 403 and "CSRF check failed" in response.text
    response = alice.post(f"/console/handoffs/{hid}/claim", headers={"X-CSRF-Token": bobs_token})
    assert response.status_code == 403
    assert alice.post("/console/logout").status_code == 403
    assert _row(console, hid) == before
    assert alice.get("/console/").status_code == 200  # still logged in


@pytest.mark.parametrize("handoff_id", ["0" * 32, "not-a-handoff", "1' OR '1'='1"])
def test_unknown_handoff_ids_are_404(console: Console, handoff_id: str) -> None:
    client = console.login("alice")
    token = _token(client)
    assert client.get(f"/console/handoffs/{handoff_id}").status_code == 404
    for action in ("claim", "release", "reply", "resolve"):
        response = client.post(f"/console/handoffs/{handoff_id}/{action}", data={"csrf_token": token, "text": "x", "outcome_note": "x"})
        assert response.status_code == 404 and "No such handoff." in response.text
    assert console.deliver.sent == []


def test_an_already_claimed_handoff_is_409_and_unchanged(console: Console) -> None:
    _, hid = _handoff(console, "hello")
    alice, bob = console.login("alice"), console.login("bob")
    assert alice.post(f"/console/handoffs/{hid}/claim", data={"csrf_token": _token(alice)}).status_code == 303
    before = _row(console, hid)
    sent = list(console.deliver.sent)
    bob_token = _token(bob)
    response = bob.post(f"/console/handoffs/{hid}/claim", data={"csrf_token": bob_token})
    assert response.status_code == 409 and "already been claimed" in response.text
    response = bob.post(f"/console/handoffs/{hid}/reply", data={"csrf_token": bob_token, "text": "hi"})
    assert response.status_code == 403 and "claim it first" in response.text
    response = bob.post(f"/console/handoffs/{hid}/resolve", data={"csrf_token": bob_token, "outcome_note": "x"})
    assert response.status_code == 403
    response = bob.post(f"/console/handoffs/{hid}/release", data={"csrf_token": bob_token})
    assert response.status_code == 403
    assert _row(console, hid) == before
    assert console.deliver.sent == sent


def test_reply_validation_and_a_closed_handoff(console: Console) -> None:
    conv, hid = _handoff(console, "hello")
    alice = console.login("alice")
    token = _token(alice)
    alice.post(f"/console/handoffs/{hid}/claim", data={"csrf_token": token})
    messages, sent = _messages(console), list(console.deliver.sent)
    for data, status, text in (
        ({"text": "   "}, 422, "Write a reply"),
        ({"text": "x" * 2001}, 422, "at most 2000"),
        ({"canned_id": "no-such-reply"}, 422, "Unknown canned reply"),
    ):
        response = alice.post(f"/console/handoffs/{hid}/reply", data={"csrf_token": token, **data})
        assert response.status_code == status and text in response.text
    response = alice.post(f"/console/handoffs/{hid}/resolve", data={"csrf_token": token, "outcome_note": "  "})
    assert response.status_code == 422 and "outcome note is required" in response.text
    assert _messages(console) == messages and console.deliver.sent == sent

    assert alice.post(f"/console/handoffs/{hid}/resolve", data={"csrf_token": token, "outcome_note": "ok"}).status_code == 303
    sent = len(console.deliver.sent)
    before = _row(console, hid)
    response = alice.post(f"/console/handoffs/{hid}/reply", data={"csrf_token": token, "text": "one more thing"})
    assert response.status_code == 409 and "closed" in response.text
    response = alice.post(f"/console/handoffs/{hid}/claim", data={"csrf_token": token})
    assert response.status_code == 409
    assert len(console.deliver.sent) == sent and _row(console, hid) == before


def test_a_failed_delivery_is_502_and_not_audited(console: Console) -> None:
    _, hid = _handoff(console, "hello")
    alice = console.login("alice")
    token = _token(alice)
    alice.post(f"/console/handoffs/{hid}/claim", data={"csrf_token": token})
    console.deliver.fail = True
    response = alice.post(f"/console/handoffs/{hid}/reply", data={"csrf_token": token, "text": "hello"})
    assert response.status_code == 502 and "could not be delivered" in response.text
    assert _audit(console, "handoff.reply") == []


# --- the clinician's work ---------------------------------------------------------------------


def test_claim_reply_canned_release_and_resolve(console: Console) -> None:
    conv, hid = _handoff(console, "I need to talk to someone about my medication")
    alice = console.login("alice")
    token = _token(alice)

    response = alice.post(f"/console/handoffs/{hid}/claim", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["location"] == f"/console/handoffs/{hid}"
    # The patient is told a person has taken over, once (a repeated click says nothing more).
    assert alice.post(f"/console/handoffs/{hid}/claim", data={"csrf_token": token}).status_code == 303
    joined = console.deliver.sent
    assert [(m["sender"], m["text"]) for m in joined] == [("system", system_text("clinician_joined"))]
    console.deliver.sent = []
    page = alice.get(f"/console/handoffs/{hid}")
    assert page.status_code == 200 and 'id="reply-form"' in page.text
    assert "intent request_human (0.93)" in page.text  # what the bot saw

    response = alice.post(f"/console/handoffs/{hid}/reply", data={"csrf_token": token, "text": "Hello, I'm Dr Alice."})
    assert response.status_code == 303
    response = alice.post(f"/console/handoffs/{hid}/reply", data={"csrf_token": token, "canned_id": "more_detail"})
    assert response.status_code == 303
    assert [(m["conversation_id"], m["sender"]) for m in console.deliver.sent] == [(conv, "clinician")] * 2
    assert console.deliver.sent[0]["text"] == "Hello, I'm Dr Alice."
    assert console.deliver.sent[1]["text"].startswith("Could you tell me a bit more")
    replies = _audit(console, "handoff.reply")
    assert [r.details["canned"] for r in replies] == [None, "more_detail"]
    assert "Hello, I&#39;m Dr Alice." in alice.get(f"/console/handoffs/{hid}").text

    assert alice.post(f"/console/handoffs/{hid}/release", data={"csrf_token": token}).status_code == 303
    assert _row(console, hid)["status"] == "waiting"
    alice.post(f"/console/handoffs/{hid}/claim", data={"csrf_token": token})
    assert console.deliver.sent[-1]["text"] == system_text("clinician_joined")

    response = alice.post(f"/console/handoffs/{hid}/resolve", data={"csrf_token": token, "outcome_note": "Booked a visit."})
    assert response.status_code == 303
    row = _row(console, hid)
    assert (row["status"], row["outcome_note"]) == ("resolved", "Booked a visit.")
    with unit_of_work(console.factory) as s:
        assert s.get(Conversation, conv).owner == "bot"
    resolved, rating = console.deliver.sent[-2:]
    assert resolved["sender"] == rating["sender"] == "system"
    assert [b["title"] for b in rating["buttons"]] == ["1", "2", "3", "4", "5"]
    assert rating["buttons"][3]["payload"] == '/handoff_rating{"rating": 4}'
    actions = [e.action for e in _audit_for(console, hid)]
    assert actions == [
        "handoff.opened", "handoff.claimed", "handoff.reply", "handoff.reply",
        "handoff.released", "handoff.claimed", "handoff.resolved",
    ]
    assert len(_audit(console, "transcript.viewed")) == 2


def _audit_for(console: Console, hid: str) -> list[AuditEvent]:
    with unit_of_work(console.factory) as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.target_id == hid).order_by(AuditEvent.id)))


def test_claim_next_takes_the_most_urgent(console: Console) -> None:
    _handoff(console, "routine one")
    _, urgent = _handoff(console, "urgent one", priority="urgent")
    alice = console.login("alice")
    token = _token(alice)
    response = alice.post("/console/claim-next", data={"csrf_token": token})
    assert response.headers["location"] == f"/console/handoffs/{urgent}"
    alice.post("/console/claim-next", data={"csrf_token": token})
    response = alice.post("/console/claim-next", data={"csrf_token": token})
    assert response.status_code == 404 and "Nobody is waiting" in response.text


def test_on_duty_toggle(console: Console) -> None:
    alice = console.login("alice")
    token = _token(alice)
    assert alice.post("/console/duty", data={"csrf_token": token, "on_duty": "false"}).status_code == 303
    with unit_of_work(console.factory) as s:
        assert s.scalar(select(Clinician.on_duty).where(Clinician.username == "alice")) is False
    assert alice.post("/console/duty", data={"csrf_token": token, "on_duty": "maybe"}).status_code == 422
    assert [e.action for e in _audit(console, "clinician.off_duty")] == ["clinician.off_duty"]


def test_patient_text_is_always_escaped(console: Console) -> None:
    conv, hid = _handoff(console, XSS, summary={"questions": [XSS], "intents": [{"name": XSS, "confidence": 0.5}]})
    alice = console.login("alice")
    for path in ("/console/", "/console/partials/queue", f"/console/handoffs/{hid}", f"/console/partials/handoffs/{hid}/messages"):
        html = alice.get(path).text
        assert "<script>window.__xss" not in html and "<img src=x" not in html, path
        assert "&lt;script&gt;window.__xss = 1&lt;/script&gt;" in html, path


def test_the_transcript_shows_what_the_bot_saw_and_earlier_handoffs(console: Console) -> None:
    conv = _conversation(console, "first visit question")
    first = console.open_handoff(conv)["handoff_id"]
    alice = console.login("alice")
    token = _token(alice)
    alice.post(f"/console/handoffs/{first}/claim", data={"csrf_token": token})
    alice.post(f"/console/handoffs/{first}/resolve", data={"csrf_token": token, "outcome_note": "Explained results."})
    with unit_of_work(console.factory) as s:
        add_message(s, conv, "patient", "my chest hurts", meta={"red_flags": [{"category": "heart_attack"}], "faq_ids": ["chest_pain"]})
    second = console.open_handoff(
        conv, summary={"questions": ["my chest hurts"], "intents": [{"name": "personal_advice", "confidence": 0.81}], "red_flags": ["heart_attack"]}
    )["handoff_id"]
    html = alice.get(f"/console/handoffs/{second}").text
    assert "Explained results." in html and f"/console/handoffs/{first}" in html  # earlier handoff
    assert "personal_advice (0.81)" in html and "heart_attack" in html and "faq chest_pain" in html
    viewed = _audit(console, "transcript.viewed")
    assert viewed[-1].actor_id == _clinician_id(console, "alice") and viewed[-1].details == {"handoff_id": second}


def test_new_messages_partial_returns_only_newer_ones(console: Console) -> None:
    conv, hid = _handoff(console, "one", "two")
    alice = console.login("alice")
    with unit_of_work(console.factory) as s:
        last = s.scalar(select(func.max(Message.id)))
        add_message(s, conv, "patient", "three")
    html = alice.get(f"/console/partials/handoffs/{hid}/messages", params={"after": last}).text
    assert "three" in html and ">one<" not in html and ">two<" not in html
    state = alice.get(f"/console/api/handoffs/{hid}").json()
    assert state == {**state, "status": "waiting", "mine": False, "open": True, "queue_position": 1}


def _read_events(lines: Iterator[str], wanted: int, timeout: float = 8.0) -> list[tuple[str, dict]]:
    events: list[tuple[str, dict]] = []
    name = None
    deadline = time.monotonic() + timeout
    for line in lines:
        if line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: ") and name:
            events.append((name, json.loads(line.removeprefix("data: "))))
            if len(events) >= wanted or time.monotonic() > deadline:
                break
    return events


def test_the_live_stream_announces_new_handoffs_without_text(console: Console) -> None:
    alice = console.login("alice")
    conv = _conversation(console, XSS)
    with alice.stream("GET", "/console/events") as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = response.iter_lines()
        assert next(lines) == "retry: 2000"
        hid = console.open_handoff(conv, summary={"questions": [XSS]})["handoff_id"]
        events = _read_events(lines, wanted=2)
    assert events[0][0] == "ready"
    name, payload = events[1]
    assert name == "update" and payload["type"] == "opened" and payload["handoff_id"] == hid
    assert "xss" not in json.dumps(events)


def test_the_live_stream_ends_after_logout(console: Console) -> None:
    alice = console.login("alice")
    token = _token(alice)
    cookie = alice.cookies.get(security.SESSION_COOKIE)
    stream_client = console.client()
    stream_client.cookies.set(security.SESSION_COOKIE, cookie, path="/console")
    with stream_client.stream("GET", "/console/events") as response:
        alice.post("/console/logout", data={"csrf_token": token})
        names = [name for name, _ in _read_events(response.iter_lines(), wanted=2)]
    assert names == ["ready", "logout"]


def test_streams_end_on_their_own_so_shutdown_is_never_held_up(
    console: Console, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.console import live

    monkeypatch.setattr(live, "STREAM_MAX_S", 0.5)
    alice = console.login("alice")
    started = time.monotonic()
    with alice.stream("GET", "/console/events") as response:
        body = response.read()
    assert time.monotonic() - started < 5
    assert body.startswith(b"retry: 2000\n\nevent: ready")


def test_answer_feedback_page_lists_least_helpful_first(console: Console) -> None:
    assert "No feedback in the last 30 days." in console.login("bob").get("/console/feedback").text
    with unit_of_work(console.factory) as session:
        answers = [("opening_hours", True), ("myth_antibiotics_viruses", False), ("myth_antibiotics_viruses", True)]
        for faq_id, helpful in answers:
            record_feedback(session=session, conversation_id=None, sender_id="c-0", faq_id=faq_id, helpful=helpful)
    assert console.client().get("/console/feedback").headers["location"] == "/console/login"

    client = console.login("alice")
    page = client.get("/console/feedback")
    assert page.status_code == 200
    rows = re.findall(r'<tr data-faq-id="([^"]+)">', page.text)
    assert rows == ["myth_antibiotics_viruses", "opening_hours"]
    assert "Clinic opening hours" in page.text  # titles from the content files
    assert "50%" in page.text  # one of the two answers on antibiotics was unhelpful
    assert 'href="/console/feedback"' in client.get("/console/").text  # linked from every page
    assert 'data-faq-id="opening_hours"' in client.get("/console/feedback", params={"days": 1}).text
    assert client.get("/console/feedback", params={"days": 0}).status_code == 422
    assert client.get("/console/feedback", params={"days": "soon"}).status_code == 422
