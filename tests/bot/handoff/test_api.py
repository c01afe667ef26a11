"""The handoff API over real HTTP (uvicorn on loopback), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from bot.db.models import AnswerFeedback
from bot.db.session import unit_of_work
from bot.handoff.availability import OpeningHours
from bot.handoff.models import Handoff
from tests.bot.handoff.conftest import SECRET, ApiServer
from tests.support.handoff import audit_count, make_clinician, make_conversation

HEADERS = {"X-PatientBot-Secret": SECRET}


def _conversation(factory: sessionmaker, *, on_duty: bool = True) -> str:
    with unit_of_work(factory) as s:
        if on_duty:
            make_clinician(s, f"doc{audit_count(s)}")
        return make_conversation(s).id


def _handoffs(factory: sessionmaker) -> int:
    with unit_of_work(factory) as s:
        return int(s.scalar(select(func.count(Handoff.id))))


def _body(conversation_id: str, **overrides: object) -> dict:
    body = {
        "sender_id": f"{conversation_id}-0",
        "reason": "request_human",
        "priority": "routine",
        "summary": {"questions": ["can I talk to a doctor"], "red_flags": []},
        "callback": None,
    }
    body.update(overrides)
    return body


def test_opens_a_handoff_and_reports_the_queue(
    api_server: ApiServer, session_factory: sessionmaker
) -> None:
    first = _conversation(session_factory)
    second = _conversation(session_factory, on_duty=False)
    r1 = api_server.client.post("/api/handoffs", json=_body(first), headers=HEADERS)
    r2 = api_server.client.post("/api/handoffs", json=_body(second), headers=HEADERS)
    assert r1.status_code == 201, r1.text
    assert r2.status_code == 201, r2.text
    one, two = r1.json(), r2.json()
    assert one["status"] == "waiting" and one["queue_position"] == 1
    assert two["queue_position"] == 2
    assert 1 <= one["expected_wait_minutes"] <= two["expected_wait_minutes"]
    assert one["clinician_available"] is True
    with unit_of_work(session_factory) as s:
        handoff = s.get(Handoff, one["handoff_id"])
        assert (handoff.conversation_id, handoff.reason) == (first, "request_human")
        assert handoff.summary == {"questions": ["can I talk to a doctor"], "red_flags": []}


def test_red_flags_in_the_summary_reach_the_handoff(
    api_server: ApiServer, session_factory: sessionmaker
) -> None:
    conv = _conversation(session_factory)
    body = _body(conv, reason="emergency", priority="emergency", summary={"red_flags": ["stroke"]})
    response = api_server.client.post("/api/handoffs", json=body, headers=HEADERS)
    assert response.status_code == 201
    with unit_of_work(session_factory) as s:
        assert s.get(Handoff, response.json()["handoff_id"]).red_flags == ["stroke"]


def test_nobody_on_duty_or_closed_means_no_clinician_available(
    api_server: ApiServer, session_factory: sessionmaker
) -> None:
    nobody = _conversation(session_factory, on_duty=False)
    response = api_server.client.post("/api/handoffs", json=_body(nobody), headers=HEADERS)
    assert response.status_code == 201 and response.json()["clinician_available"] is False

    closed_all_week = OpeningHours(tz=ZoneInfo("UTC"), hours={})
    api_server.set_hours(closed_all_week)
    someone = _conversation(session_factory, on_duty=True)
    response = api_server.client.post("/api/handoffs", json=_body(someone), headers=HEADERS)
    assert response.status_code == 201 and response.json()["clinician_available"] is False

    always_open = OpeningHours(
        tz=ZoneInfo("UTC"), hours={d: (time(0), time(23, 59, 59, 999999)) for d in range(7)}
    )
    api_server.set_hours(always_open)
    third = _conversation(session_factory, on_duty=False)
    response = api_server.client.post("/api/handoffs", json=_body(third), headers=HEADERS)
    assert response.json()["clinician_available"] is True  # two clinicians are on duty now


def test_a_second_request_gets_409_with_the_open_one(
    api_server: ApiServer, session_factory: sessionmaker
) -> None:
    conv = _conversation(session_factory)
    created = api_server.client.post("/api/handoffs", json=_body(conv), headers=HEADERS).json()
    again = api_server.client.post(
        "/api/handoffs", json=_body(conv, reason="fallback", priority="urgent"), headers=HEADERS
    )
    assert again.status_code == 409
    body = again.json()
    assert body["handoff_id"] == created["handoff_id"] and body["queue_position"] == 1
    assert "already open" in body["detail"]
    assert body["priority"] == "urgent"  # a more urgent request raises the open one
    assert _handoffs(session_factory) == 1


def test_callback_details_are_added_to_the_open_handoff(
    api_server: ApiServer, session_factory: sessionmaker
) -> None:
    conv = _conversation(session_factory, on_duty=False)
    created = api_server.client.post("/api/handoffs", json=_body(conv), headers=HEADERS).json()
    callback = {"contact": "+1 555 0101", "consent": True}
    response = api_server.client.post(
        "/api/handoffs", json=_body(conv, reason="callback", callback=callback), headers=HEADERS
    )
    assert response.status_code == 200 and response.json()["handoff_id"] == created["handoff_id"]
    with unit_of_work(session_factory) as s:
        handoff = s.get(Handoff, created["handoff_id"])
        assert (handoff.callback_contact, handoff.callback_consent) == ("+1 555 0101", True)


@pytest.mark.parametrize(
    ("headers", "content"),
    [
        ({}, None),
        ({"X-PatientBot-Secret": "wrong-secret-wrong-secret"}, None),
        ({"X-PatientBot-Secret": SECRET + "x"}, None),
        ({"X-PatientBot-Secret": "wrong"}, b"{not json"),
    ],
)
def test_a_missing_or_wrong_secret_is_401_before_anything_else(
    api_server: ApiServer, session_factory: sessionmaker, headers: dict, content: bytes | None
) -> None:
    conv = _conversation(session_factory)
    if content is None:
        response = api_server.client.post("/api/handoffs", json=_body(conv), headers=headers)
    else:
        response = api_server.client.post("/api/handoffs", content=content, headers=headers)
    assert response.status_code == 401
    assert response.json() == {"detail": "Missing or wrong X-PatientBot-Secret header."}
    assert api_server.client.post("/api/feedback", json={}, headers=headers).status_code == 401
    assert _handoffs(session_factory) == 0


def test_an_unknown_sender_is_404(api_server: ApiServer, session_factory: sessionmaker) -> None:
    _conversation(session_factory)
    response = api_server.client.post("/api/handoffs", json=_body("f" * 32), headers=HEADERS)
    assert response.status_code == 404
    assert response.json() == {"detail": "Unknown sender_id: no such conversation."}
    assert _handoffs(session_factory) == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"reason": "bored"}, "reason"),
        ({"priority": "asap"}, "priority"),
        ({"sender_id": ""}, "sender_id"),
        ({"summary": "not an object"}, "summary"),
        ({"callback": {"contact": "+1 555 0101"}}, "callback.consent"),
        ({"callback": {"contact": "x" * 201, "consent": True}}, "callback.contact"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_invalid_bodies_are_422_naming_the_field(
    api_server: ApiServer, session_factory: sessionmaker, change: dict, field: str
) -> None:
    conv = _conversation(session_factory)
    response = api_server.client.post("/api/handoffs", json=_body(conv, **change), headers=HEADERS)
    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["detail"]]
    assert _handoffs(session_factory) == 0


def test_callback_without_consent_malformed_json_and_huge_bodies_are_refused(
    api_server: ApiServer, session_factory: sessionmaker
) -> None:
    conv = _conversation(session_factory)
    no_consent = _body(
        conv, reason="callback", callback={"contact": "+1 555 0101", "consent": False}
    )
    response = api_server.client.post("/api/handoffs", json=no_consent, headers=HEADERS)
    assert response.status_code == 422 and "consent" in response.json()["detail"]
    response = api_server.client.post("/api/handoffs", content=b"{nope", headers=HEADERS)
    assert (
        response.status_code == 422
        and response.json()["detail"] == "The body must be a JSON object."
    )
    response = api_server.client.post("/api/handoffs", json=[1, 2], headers=HEADERS)
    assert response.status_code == 422
    huge = _body(conv, summary={"questions": ["x" * 70_000]})
    response = api_server.client.post("/api/handoffs", json=huge, headers=HEADERS)
    assert response.status_code == 413
    assert _handoffs(session_factory) == 0


def test_feedback_is_recorded(api_server: ApiServer, session_factory: sessionmaker) -> None:
    conv = _conversation(session_factory)
    body = {"sender_id": f"{conv}-3", "faq_id": "opening_hours", "helpful": False}
    response = api_server.client.post("/api/feedback", json=body, headers=HEADERS)
    assert response.status_code == 201
    assert response.json()["faq_id"] == "opening_hours"
    with unit_of_work(session_factory) as s:
        row = s.scalar(select(AnswerFeedback))
        assert (row.conversation_id, row.sender_id, row.faq_id, row.helpful) == (
            conv,
            f"{conv}-3",
            "opening_hours",
            False,
        )


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"sender_id": "f" * 32 + "-0", "faq_id": "opening_hours", "helpful": True}, 404),
        ({"sender_id": "{conv}-0", "faq_id": "opening hours!", "helpful": True}, 422),
        ({"sender_id": "{conv}-0", "faq_id": "opening_hours", "helpful": "yes"}, 422),
        ({"sender_id": "{conv}-0", "faq_id": "opening_hours"}, 422),
    ],
)
def test_bad_feedback_is_refused(
    api_server: ApiServer, session_factory: sessionmaker, body: dict, status: int
) -> None:
    conv = _conversation(session_factory)
    body = {**body, "sender_id": body["sender_id"].format(conv=conv)}
    response = api_server.client.post("/api/feedback", json=body, headers=HEADERS)
    assert response.status_code == status
    with unit_of_work(session_factory) as s:
        assert s.scalar(select(func.count(AnswerFeedback.id))) == 0


def test_the_api_is_documented_in_openapi(api_server: ApiServer) -> None:
    spec = api_server.client.get("/openapi.json").json()
    body = spec["paths"]["/api/handoffs"]["post"]["requestBody"]["content"]["application/json"][
        "schema"
    ]
    assert set(body["required"]) == {"sender_id", "reason", "priority"}
