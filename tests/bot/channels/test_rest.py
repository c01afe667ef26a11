"""REST API: API keys (none, wrong, revoked: 401), every bad input a clear 4xx, documented in OpenAPI."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from bot.db.session import make_engine, make_session_factory, unit_of_work
from bot.gateway.apikeys import create_api_key, revoke_api_key
from bot.gateway.texts import system_text
from tests.support.fixtures import CLOSED_PORT_URL, make_settings


def new_key(database_url: str, name: str = "clinic website") -> tuple[str, str]:
    engine = make_engine(database_url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            created = create_api_key(session=session, name=name)
    finally:
        engine.dispose()
    return created.id, created.key


def revoke(database_url: str, key_id: str) -> None:
    engine = make_engine(database_url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            revoke_api_key(session=session, key_id=key_id)
    finally:
        engine.dispose()


@pytest.fixture
def api(
    database_url: str, serve_gateway: Callable[..., tuple[str, Any]]
) -> tuple[httpx.Client, str]:
    """A gateway whose Rasa is unreachable (these tests are about the API, not answers) and a valid key."""
    base_url, _app = serve_gateway(make_settings(database_url, CLOSED_PORT_URL))
    _id, key = new_key(database_url)
    client = httpx.Client(base_url=base_url, headers={"X-API-Key": key}, timeout=20)
    yield client, key
    client.close()


def test_keys_none_wrong_or_revoked_get_401(
    database_url: str, api: tuple[httpx.Client, str]
) -> None:
    client, key = api
    body = {"external_id": "p1", "text": "hello"}
    anonymous = httpx.post(f"{client.base_url}/api/v1/messages", json=body, timeout=20)
    assert anonymous.status_code == 401
    assert "Missing API key" in anonymous.json()["detail"]
    wrong = client.post("/api/v1/messages", json=body, headers={"X-API-Key": key + "x"})
    assert (wrong.status_code, wrong.json()["detail"]) == (401, "Invalid API key.")
    assert client.post("/api/v1/messages", json=body).status_code == 200
    bearer = httpx.get(
        f"{client.base_url}/api/v1/conversations/nope/messages",
        headers={"Authorization": f"Bearer {key}"},
        timeout=20,
    )
    assert bearer.status_code == 404  # authenticated; the conversation does not exist

    key_id, other = new_key(database_url, "kiosk")
    assert (
        client.post("/api/v1/messages", json=body, headers={"X-API-Key": other}).status_code == 200
    )
    revoke(database_url, key_id)
    revoked = client.post("/api/v1/messages", json=body, headers={"X-API-Key": other})
    assert (revoked.status_code, revoked.json()["detail"]) == (
        401,
        "This API key has been revoked.",
    )
    assert (
        client.get("/api/v1/conversations/x/messages", headers={"X-API-Key": other}).status_code
        == 401
    )


def test_a_refused_key_stores_nothing_and_is_refused_before_any_complaint_about_the_input(
    database_url: str, api: tuple[httpx.Client, str]
) -> None:
    client, key = api
    wrong = {"X-API-Key": key + "x"}
    refused = client.post(
        "/api/v1/messages", json={"external_id": "intruder", "text": "hello"}, headers=wrong
    )
    assert refused.status_code == 401
    for bad_body in (
        {"external_id": "intruder", "text": "x" * 2001},
        {"external_id": "intruder", "text": "   "},
        {"external_id": "intruder"},
        {"external_id": "intruder", "button": {"message_id": 1, "index": 0}},
    ):
        assert client.post("/api/v1/messages", json=bad_body, headers=wrong).status_code == 401
    assert client.post("/api/v1/messages", content=b"\xff", headers=wrong).status_code == 401

    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            stored = connection.exec_driver_sql(
                "SELECT count(*) FROM conversations WHERE external_id = 'intruder'"
            ).scalar_one()
    finally:
        engine.dispose()
    assert stored == 0
    # The same bad input with the right key gets its own clear answer.
    assert (
        client.post("/api/v1/messages", json={"external_id": "p9", "text": "x" * 2001}).status_code
        == 413
    )


def test_a_message_is_stored_even_when_rasa_is_down(api: tuple[httpx.Client, str]) -> None:
    client, _key = api
    response = client.post(
        "/api/v1/messages", json={"external_id": "p1", "text": "are you open today?"}
    )
    assert response.status_code == 200
    data = response.json()
    assert data["outcome"] == "failed"
    assert data["message"]["text"] == "are you open today?"
    assert data["replies"][-1]["text"] == system_text("service_unavailable")

    history = client.get(f"/api/v1/conversations/{data['conversation_id']}/messages").json()
    assert history["channel"] == "rest"
    assert [(m["sender"], m["status"]) for m in history["messages"]] == [
        ("patient", "failed"),
        ("system", "sent"),
        ("system", "sent"),
    ]
    after = client.get(
        f"/api/v1/conversations/{data['conversation_id']}/messages",
        params={"after": history["messages"][0]["id"]},
    ).json()
    assert len(after["messages"]) == 2


@pytest.mark.parametrize(
    ("content", "status", "detail"),
    [
        (b'{"external_id": "p", "text": "caf\xe9"}', 400, "not valid UTF-8"),
        (b'{"external_id": "p", "text": "hi"', 400, "not valid JSON"),
        (b"", 400, "empty"),
        (b'["hello"]', 422, "JSON object"),
        (b'{"external_id": "p", "text": ""}', 422, "empty"),
        (b'{"external_id": "p", "text": "   "}', 422, "empty"),
        (b'{"external_id": "p", "text": 42}', 422, "must be a string"),
        (b'{"external_id": "p"}', 422, "Send 'text'"),
        (b'{"text": "hi"}', 422, "external_id"),
        (b'{"external_id": "p", "channel": "webchat", "text": "hi"}', 422, "channel"),
        (b'{"external_id": "p", "button": {"message_id": "1"}}', 422, "integers"),
        (b'{"external_id": "p", "button": {"message_id": 99999, "index": 0}}', 404, "button"),
    ],
)
def test_bad_input_gets_a_clear_4xx(
    api: tuple[httpx.Client, str], content: bytes, status: int, detail: str
) -> None:
    client, _key = api
    response = client.post(
        "/api/v1/messages", content=content, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == status
    assert detail in response.json()["detail"]


def test_length_limit_is_2000_characters(api: tuple[httpx.Client, str]) -> None:
    client, _key = api
    too_long = client.post("/api/v1/messages", json={"external_id": "p", "text": "a" * 2001})
    assert too_long.status_code == 413
    assert (
        too_long.json()["detail"] == "The message is too long: 2001 characters; the limit is 2000."
    )
    assert (
        client.post("/api/v1/messages", json={"external_id": "p", "text": "a" * 2000}).status_code
        == 200
    )


def test_unknown_conversation_is_404(api: tuple[httpx.Client, str]) -> None:
    client, _key = api
    response = client.get("/api/v1/conversations/0123456789abcdef0123456789abcdef/messages")
    assert response.status_code == 404
    assert response.json()["detail"] == "No conversation with that id."


def test_openapi_documents_the_api_and_its_keys(api: tuple[httpx.Client, str]) -> None:
    client, _key = api
    spec = httpx.get(f"{client.base_url}/openapi.json", timeout=20).json()
    post = spec["paths"]["/api/v1/messages"]["post"]
    shapes = post["requestBody"]["content"]["application/json"]["schema"]["oneOf"]
    assert [set(shape["required"]) for shape in shapes] == [
        {"external_id", "text"},
        {"external_id", "button"},
    ]
    assert {"401", "413", "422"} <= set(post["responses"])
    assert "/api/v1/conversations/{conversation_id}/messages" in spec["paths"]
    assert {"APIKeyHeader", "HTTPBearer"} <= set(spec["components"]["securitySchemes"])
    docs = httpx.get(f"{client.base_url}/docs", timeout=20)
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_a_conversation_with_real_rasa(
    database_url: str, serve_gateway: Callable[..., tuple[str, Any]], mini_rasa_url: str
) -> None:
    base_url, _app = serve_gateway(make_settings(database_url, mini_rasa_url))
    _id, key = new_key(database_url)
    with httpx.Client(base_url=base_url, headers={"X-API-Key": key}, timeout=20) as client:
        first = client.post(
            "/api/v1/messages", json={"external_id": "crm-7", "text": "hello"}
        ).json()
        assert first["outcome"] == "bot"
        offer = first["replies"][-1]
        assert offer["buttons"][0] == {
            "title": "Opening hours",
            "payload": "/ask_hours",
            "index": 0,
        }
        pressed = client.post(
            "/api/v1/messages",
            json={"external_id": "crm-7", "button": {"message_id": offer["id"], "index": 0}},
        ).json()
        assert pressed["conversation_id"] == first["conversation_id"]
        assert [r["text"] for r in pressed["replies"]] == ["We are open Monday to Friday."]
