"""Action tests run against a real handoff API: the gateway's router under uvicorn, a real SQLite db.

Trackers come from JSON fixtures (tests/actions/fixtures/*.json), the way
Rasa's own examples test actions; their sender id belongs to the conversation
created here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import sessionmaker

from bot.db.session import make_engine, make_session_factory, unit_of_work
from tests.bot.handoff.conftest import SECRET, make_api_app
from tests.support.handoff import make_clinician, make_conversation, serve
from tests.support.servers import free_port

FIXTURES = Path(__file__).parent / "fixtures"
CONVERSATION_ID = "0123456789abcdef0123456789abcdef"
DOMAIN: dict = {
    "forms": {"callback_form": {"required_slots": ["callback_contact", "callback_consent"]}},
    "slots": {
        "callback_contact": {"type": "text", "mappings": [{"type": "from_text"}]},
        "callback_consent": {"type": "bool", "mappings": [{"type": "from_text"}]},
    },
}


def load_tracker_dict(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def load_tracker(name: str) -> Tracker:
    return Tracker.from_dict(load_tracker_dict(name))


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


@dataclass
class Gateway:
    url: str
    factory: sessionmaker


def _prepare(factory: sessionmaker, *, on_duty: bool) -> None:
    with unit_of_work(factory) as session:
        make_conversation(session, id=CONVERSATION_ID)
        make_clinician(session, "duty", on_duty=on_duty)


def _point_actions_at(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("PATIENTBOT_GATEWAY_URL", url)
    monkeypatch.setenv("PATIENTBOT_HANDOFF_SECRET", SECRET)
    monkeypatch.setenv("PATIENTBOT_GATEWAY_TIMEOUT_S", "3")


@pytest.fixture
def gateway_factory(test_env: dict[str, str], sqlite_url: str) -> Iterator[sessionmaker]:
    engine = make_engine(sqlite_url)
    try:
        yield make_session_factory(engine)
    finally:
        engine.dispose()


@pytest.fixture
def gateway(gateway_factory: sessionmaker, monkeypatch: pytest.MonkeyPatch) -> Iterator[Gateway]:
    """A clinician is on duty; the clinic has no hours constraint."""
    _prepare(gateway_factory, on_duty=True)
    with serve(make_api_app(gateway_factory)) as url:
        _point_actions_at(monkeypatch, url)
        yield Gateway(url, gateway_factory)


@pytest.fixture
def gateway_nobody_on_duty(gateway_factory: sessionmaker, monkeypatch: pytest.MonkeyPatch) -> Iterator[Gateway]:
    _prepare(gateway_factory, on_duty=False)
    with serve(make_api_app(gateway_factory)) as url:
        _point_actions_at(monkeypatch, url)
        yield Gateway(url, gateway_factory)


@pytest.fixture
def gateway_down(monkeypatch: pytest.MonkeyPatch) -> str:
    """A loopback port with nothing listening."""
    url = f"http://127.0.0.1:{free_port()}"
    _point_actions_at(monkeypatch, url)
    return url
