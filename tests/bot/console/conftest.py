"""A console (and handoff API) served by uvicorn on loopback, over the parametrised database.

The gateway's `deliver` is another engineer's component; until a test runs the
whole gateway (test_full_path.py), replies go to `RecordingDeliver`, which
stores the message the way the gateway does and remembers what was sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.orm import sessionmaker

from bot.console.app import router as console_router
from bot.db.models import Message
from bot.db.session import unit_of_work
from bot.events.after_commit import bind_publisher
from bot.events.memory import InProcessBus
from bot.gateway import handoff_api as api
from bot.gateway.deps import opening_hours_dep
from bot.handoff.queue import get_open_handoff
from tests.bot.handoff.conftest import SECRET
from tests.support.handoff import PASSWORD, make_clinician, serve

_TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class RecordingDeliver:
    factory: sessionmaker
    sent: list[dict[str, Any]] = field(default_factory=list)
    fail: bool = False

    def __call__(
        self, conversation_id: str, text: str, *, buttons: Any = None, sender: str = "clinician"
    ) -> int:
        if self.fail:
            raise ConnectionError("channel down")
        with unit_of_work(self.factory) as session:
            handoff = get_open_handoff(session=session, conversation_id=conversation_id)
            message = Message(
                conversation_id=conversation_id,
                sender=sender,
                text=text,
                buttons=buttons,
                status="sent",
                handoff_id=handoff.id if handoff and sender == "clinician" else None,
            )
            session.add(message)
            session.flush()
            self.sent.append(
                {
                    "conversation_id": conversation_id,
                    "text": text,
                    "buttons": buttons,
                    "sender": sender,
                }
            )
            return message.id


@dataclass
class Console:
    url: str
    app: FastAPI
    factory: sessionmaker
    deliver: RecordingDeliver

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=10, follow_redirects=False)

    def login(self, username: str, password: str = PASSWORD) -> httpx.Client:
        client = self.client()
        response = self.post_login(client, username, password)
        assert response.status_code == 303, response.text
        return client

    @staticmethod
    def post_login(client: httpx.Client, username: str, password: str) -> httpx.Response:
        token = csrf_of(client.get("/console/login").text)
        return client.post(
            "/console/login", data={"username": username, "password": password, "csrf_token": token}
        )

    def open_handoff(self, conversation_id: str, **body: Any) -> dict[str, Any]:
        payload = {
            "sender_id": f"{conversation_id}-0",
            "reason": "request_human",
            "priority": "routine",
            "summary": {},
        }
        payload.update(body)
        response = httpx.post(
            f"{self.url}/api/handoffs",
            json=payload,
            headers={"X-PatientBot-Secret": SECRET},
            timeout=10,
        )
        assert response.status_code == 201, response.text
        return response.json()


def csrf_of(html: str) -> str:
    match = _TOKEN_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def make_console_app(factory: sessionmaker, deliver: RecordingDeliver) -> FastAPI:
    app = FastAPI()
    app.state.session_factory = factory
    app.state.handoff_deliver = deliver
    # The gateway binds its bus to its session factory; a test app does the same with its own.
    app.state.bus = InProcessBus()
    bind_publisher(factory, app.state.bus)
    app.include_router(api.router)
    app.include_router(console_router)
    app.dependency_overrides[opening_hours_dep] = lambda: None
    return app


@pytest.fixture
def console(
    test_env: dict[str, str], session_factory: sessionmaker, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Console]:
    monkeypatch.setenv("PATIENTBOT_LOGIN_MAX_FAILURES", "3")
    deliver = RecordingDeliver(session_factory)
    app = make_console_app(session_factory, deliver)
    with unit_of_work(session_factory) as session:
        make_clinician(session, "alice")
        make_clinician(session, "bob")
    with serve(app) as url:
        yield Console(url, app, session_factory, deliver)
