"""GatewayClient against real loopback servers that fail: one retry, timeouts, clear errors."""

from __future__ import annotations

import asyncio

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from actions.clients.gateway import GatewayClient, GatewayRejected, GatewayUnavailable
from tests.support.handoff import serve
from tests.support.servers import free_port

TICKET = {
    "handoff_id": "h1",
    "status": "waiting",
    "queue_position": 2,
    "expected_wait_minutes": 7,
    "clinician_available": True,
}


def _app(statuses: list[int], delay_s: float = 0.0) -> tuple[FastAPI, list[dict]]:
    """Answers each POST with the next status in `statuses` (the last one repeats)."""
    app = FastAPI()
    seen: list[dict] = []

    @app.post("/api/handoffs")
    async def handoffs(request: Request) -> JSONResponse:
        seen.append({"secret": request.headers.get("X-PatientBot-Secret"), "body": await request.json()})
        await asyncio.sleep(delay_s)
        status = statuses[min(len(seen) - 1, len(statuses) - 1)]
        body = TICKET if status in (200, 201, 409) else {"detail": "nope"}
        return JSONResponse(body, status_code=status)

    return app, seen


def _open(client: GatewayClient):  # type: ignore[no-untyped-def]
    return client.open_handoff(sender_id="c-0", reason="fallback", priority="routine", summary={})


def test_a_server_error_is_retried_once() -> None:
    app, seen = _app([503, 201])
    with serve(app) as url:
        ticket = _open(GatewayClient(url, "s3cret", timeout=2, backoff_s=0.01))
    assert len(seen) == 2 and seen[0]["secret"] == "s3cret"
    assert (ticket.handoff_id, ticket.queue_position, ticket.already_open) == ("h1", 2, False)


def test_a_409_is_the_open_handoff() -> None:
    app, _ = _app([409])
    with serve(app) as url:
        assert _open(GatewayClient(url, "s", timeout=2)).already_open is True


def test_persistent_server_errors_give_up_after_one_retry() -> None:
    app, seen = _app([500])
    with serve(app) as url, pytest.raises(GatewayUnavailable):
        _open(GatewayClient(url, "s", timeout=2, backoff_s=0.01))
    assert len(seen) == 2


def test_a_slow_gateway_times_out() -> None:
    app, seen = _app([201], delay_s=1.5)
    with serve(app) as url, pytest.raises(GatewayUnavailable, match="ReadTimeout"):
        _open(GatewayClient(url, "s", timeout=0.3, backoff_s=0.01))
    assert len(seen) == 2


def test_client_errors_are_not_retried() -> None:
    app, seen = _app([401])
    with serve(app) as url, pytest.raises(GatewayRejected) as caught:
        _open(GatewayClient(url, "s", timeout=2))
    assert caught.value.status_code == 401 and caught.value.detail == "nope" and len(seen) == 1


def test_nothing_listening_is_unavailable() -> None:
    with pytest.raises(GatewayUnavailable, match="ConnectionError"):
        _open(GatewayClient(f"http://127.0.0.1:{free_port()}", "s", timeout=1, backoff_s=0.01))


def test_configuration_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATIENTBOT_GATEWAY_URL", "http://127.0.0.1:9999/")
    monkeypatch.setenv("PATIENTBOT_HANDOFF_SECRET", "abc")
    monkeypatch.setenv("PATIENTBOT_GATEWAY_TIMEOUT_S", "2.5")
    client = GatewayClient.from_env()
    assert (client.base_url, client.secret, client.timeout) == ("http://127.0.0.1:9999", "abc", 2.5)
    monkeypatch.delenv("PATIENTBOT_GATEWAY_URL")
    monkeypatch.setenv("PATIENTBOT_GATEWAY_TIMEOUT_S", "soon")
    client = GatewayClient.from_env()
    assert (client.base_url, client.timeout) == ("http://127.0.0.1:8000", 5.0)
