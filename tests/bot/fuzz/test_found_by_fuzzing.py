"""One request for each defect the fuzzers found, so that none comes back with another seed.

Each was a 5xx, a refusal that stored something, or an answer the OpenAPI
document contradicted, on SQLite or PostgreSQL (both run here).
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from bot.console import security
from tests.bot.console.conftest import csrf_of
from tests.bot.fuzz.conftest import Seeded
from tests.bot.fuzz.support import WatchedGateway, row_counts
from tests.support.fixtures import SECRETS

TOKEN = "B" * 43


@pytest.fixture
def client(gateway: WatchedGateway, seeded: Seeded) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=gateway.url, timeout=20) as http:
        yield http


def _rest(client: httpx.Client, seeded: Seeded, body: dict) -> httpx.Response:
    return client.post("/api/v1/messages", json=body, headers={"X-API-Key": seeded.api_key})


def test_a_refused_button_press_creates_no_conversation(
    client: httpx.Client, gateway: WatchedGateway, seeded: Seeded
) -> None:
    before = row_counts(gateway.watch.engine)
    response = _rest(client, seeded, {"external_id": "new", "button": {"message_id": 1, "index": 0}})
    assert response.status_code == 404
    assert row_counts(gateway.watch.engine) == before


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"external_id": "p", "button": {"message_id": 2**64, "index": 0}}, 422),
        ({"external_id": "p", "button": {"message_id": 1, "index": 2**40}}, 422),
        ({"external_id": "a\x00b", "text": "hi"}, 422),
        ({"external_id": "p", "text": "hi", "button": {"message_id": 1, "index": 0}}, 422),
        ({"external_id": "p", "text": "hi", "extra": 1}, 422),
        ({"external_id": "p", "text": "hi", "button": None}, 200),
    ],
)
def test_rest_bodies(client: httpx.Client, seeded: Seeded, body: dict, status: int) -> None:
    assert _rest(client, seeded, body).status_code == status


def test_a_whole_float_is_an_integer(client: httpx.Client, seeded: Seeded) -> None:
    button = {"message_id": float(seeded.offer_message_id), "index": 0.0}
    body = {"external_id": seeded.rest_external_id, "button": button}
    assert _rest(client, seeded, body).status_code == 200


def test_odd_ids_and_positions_are_4xx(client: httpx.Client, seeded: Seeded) -> None:
    key = {"X-API-Key": seeded.api_key}
    assert client.get("/api/v1/conversations/a%00b/messages", headers=key).status_code == 404
    session = {"X-PatientBot-Session": TOKEN}
    assert client.get("/webchat/api/messages", params={"after": 2**64}, headers=session).status_code == 422


def test_handoff_api_refuses_control_characters_and_overlong_feedback_senders(
    client: httpx.Client, seeded: Seeded
) -> None:
    secret = {"X-PatientBot-Secret": SECRETS["handoff_secret"]}
    sender = seeded.senders[1]
    handoff = {"sender_id": "a\x00", "reason": "request_human", "priority": "routine"}
    assert client.post("/api/handoffs", json=handoff, headers=secret).status_code == 422
    callback = {"contact": "1\x002", "consent": True}
    body = {"sender_id": sender, "reason": "callback", "priority": "routine", "callback": callback}
    assert client.post("/api/handoffs", json=body, headers=secret).status_code == 422
    # A sender id of an existing conversation, longer than the feedback table's column.
    long_sender = sender.rsplit("-", 1)[0] + "-" + "0" * 120
    feedback = {"sender_id": long_sender, "faq_id": "opening_hours", "helpful": True}
    assert client.post("/api/feedback", json=feedback, headers=secret).status_code == 422


def test_405_lists_every_method_of_the_path(client: httpx.Client) -> None:
    response = client.request("OPTIONS", "/webchat/api/messages")
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == {"GET", "POST"}


def test_console_forms(client: httpx.Client, seeded: Seeded) -> None:
    token = csrf_of(client.get("/console/login").text)
    garbage = {"Content-Type": "multipart/form-data; boundary=x"}
    assert client.post("/console/login", content=b"\x00<>", headers=garbage).status_code == 400
    form = {"username": "\x00", "password": "x", security.CSRF_FIELD: token}
    assert client.post("/console/login", data=form).status_code == 401  # PostgreSQL refused NUL

    claims = security.read_session(SECRETS["session_secret"], seeded.console_cookie)
    assert claims is not None
    client.cookies.set(security.SESSION_COOKIE, seeded.console_cookie)
    csrf = {security.CSRF_HEADER: security.csrf_token(SECRETS["session_secret"], claims.session_id)}
    path = f"/console/handoffs/{seeded.handoff_id}/reply"
    assert client.post(path, data={"text": "\x00\x01"}, headers=csrf).status_code == 422
