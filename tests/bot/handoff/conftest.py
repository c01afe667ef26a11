"""A real handoff API on loopback (uvicorn in a thread) over the parametrised database."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.orm import sessionmaker

from bot.events.after_commit import bind_publisher
from bot.events.memory import InProcessBus
from bot.gateway import handoff_api as api
from bot.gateway.deps import opening_hours_dep
from bot.handoff.availability import OpeningHours
from tests.conftest import TEST_SECRETS
from tests.support.handoff import serve

SECRET = TEST_SECRETS["PATIENTBOT_HANDOFF_SECRET"]


@dataclass
class ApiServer:
    url: str
    app: FastAPI
    client: httpx.Client

    def set_hours(self, hours: OpeningHours | None) -> None:
        self.app.dependency_overrides[opening_hours_dep] = lambda: hours


def make_api_app(factory: sessionmaker) -> FastAPI:
    app = FastAPI()
    app.state.session_factory = factory
    # The gateway binds its bus to its session factory; a test app does the same with its own.
    app.state.bus = InProcessBus()
    bind_publisher(factory, app.state.bus)
    app.include_router(api.router)
    # No opening-hours constraint unless a test sets one: results must not depend on the clock.
    app.dependency_overrides[opening_hours_dep] = lambda: None
    return app


@pytest.fixture
def api_server(test_env: dict[str, str], session_factory: sessionmaker) -> Iterator[ApiServer]:
    app = make_api_app(session_factory)
    with serve(app) as url, httpx.Client(base_url=url, timeout=10) as client:
        yield ApiServer(url, app, client)
