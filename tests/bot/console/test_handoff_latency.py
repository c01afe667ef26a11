"""Figures for the closing note, measured on the real gateway over 100 handoffs.

- escalation -> console: from the action server's POST /api/handoffs to the
  handoff's event arriving on an open console's live stream;
- reply -> patient: from the clinician's reply POST to the message reaching
  the patient's channel (python-telegram-bot's sendMessage at the Bot API stand-in).

Writes artifacts/handoff_latency.json and prints it; asserts generous bounds so
that a regression of an order of magnitude fails.
"""

from __future__ import annotations

import json
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from bot.console import live
from bot.db.models import Conversation
from bot.db.session import unit_of_work
from tests.bot.console.conftest import csrf_of
from tests.bot.handoff.conftest import SECRET
from tests.support import fixtures as gateway_fixtures
from tests.support.browser import ARTIFACTS
from tests.support.fixtures import CLOSED_PORT_URL, make_settings
from tests.support.handoff import PASSWORD, make_clinician
from tests.support.telegram_api import TelegramApiStandIn

pytestmark = pytest.mark.slow

serve_gateway = gateway_fixtures.serve_gateway
HANDOFFS = 100


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class StreamListener:
    """Reads the console's event stream in a thread and notes when each handoff was announced."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self.seen: dict[str, float] = {}
        self.ready = threading.Event()
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._stop = False

    def _run(self) -> None:
        with self.client.stream("GET", "/console/events", timeout=None) as response:
            for line in response.iter_lines():
                if self._stop:
                    return
                if line.startswith("event: ready"):
                    self.ready.set()
                if line.startswith("data: ") and '"handoff_id"' in line:
                    handoff_id = json.loads(line.removeprefix("data: "))["handoff_id"]
                    with self._changed:
                        self.seen.setdefault(handoff_id, time.monotonic())
                        self._changed.notify_all()

    def start(self) -> None:
        self._thread.start()
        assert self.ready.wait(10), "the console stream did not open"

    def wait_for(self, handoff_id: str, timeout: float = 10) -> float:
        with self._changed:
            assert self._changed.wait_for(lambda: handoff_id in self.seen, timeout), handoff_id
            return self.seen[handoff_id]

    def stop(self) -> None:
        self._stop = True


@pytest.fixture
def telegram_api() -> Iterator[TelegramApiStandIn]:
    api = TelegramApiStandIn()
    api.start()
    try:
        yield api
    finally:
        api.stop()


def test_latency_over_100_handoffs(
    telegram_api: TelegramApiStandIn,
    serve_gateway: Callable[..., tuple[str, Any]],
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(live, "STREAM_MAX_S", 3600.0)
    api = telegram_api
    settings = make_settings(
        sqlite_url, CLOSED_PORT_URL, telegram_bot_token=api.token, telegram_api_base_url=api.base_url
    )
    base_url, app = serve_gateway(settings)
    factory = app.state.gateway.session_factory
    with unit_of_work(factory) as session:
        make_clinician(session, "alice")
        conversations = []
        for n in range(HANDOFFS):
            conversation = Conversation(channel="telegram", external_id=str(900_000 + n))
            session.add(conversation)
            session.flush()
            conversations.append((conversation.id, 900_000 + n))

    escalation: list[float] = []
    reply: list[float] = []
    with httpx.Client(base_url=base_url, timeout=10) as console, httpx.Client(base_url=base_url, timeout=None) as stream:
        token = csrf_of(console.get("/console/login").text)
        console.post("/console/login", data={"username": "alice", "password": PASSWORD, "csrf_token": token})
        token = csrf_of(console.get("/console/").text)
        stream.cookies = console.cookies
        listener = StreamListener(stream)
        listener.start()
        try:
            for conversation_id, chat_id in conversations:
                started = time.monotonic()
                response = console.post(
                    "/api/handoffs",
                    json={"sender_id": f"{conversation_id}-0", "reason": "request_human", "priority": "routine", "summary": {}},
                    headers={"X-PatientBot-Secret": SECRET},
                )
                assert response.status_code == 201
                handoff_id = response.json()["handoff_id"]
                escalation.append(listener.wait_for(handoff_id) - started)

                assert console.post(f"/console/handoffs/{handoff_id}/claim", data={"csrf_token": token}).status_code == 303
                text = f"Hello patient {chat_id}, this is Dr Alice."
                started = time.monotonic()
                response = console.post(f"/console/handoffs/{handoff_id}/reply", data={"csrf_token": token, "text": text})
                assert response.status_code == 303
                [sent] = api.wait_for("sendMessage", where=lambda c, t=text: c.params.get("text") == t)
                reply.append(sent.at - started)
                console.post(f"/console/handoffs/{handoff_id}/resolve", data={"csrf_token": token, "outcome_note": "done"})
        finally:
            listener.stop()

    figures = {
        "handoffs": HANDOFFS,
        "escalation_to_console_ms": {
            "p50": round(statistics.median(escalation) * 1000, 1),
            "p95": round(_percentile(escalation, 0.95) * 1000, 1),
        },
        "reply_to_patient_channel_ms": {
            "p50": round(statistics.median(reply) * 1000, 1),
            "p95": round(_percentile(reply, 0.95) * 1000, 1),
        },
    }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "handoff_latency.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures))
    assert figures["escalation_to_console_ms"]["p95"] < 2000
    assert figures["reply_to_patient_channel_ms"]["p95"] < 2000
