"""Fixtures shared by the gateway and channel tests (imported by their conftest.py files)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bot.events.memory import InProcessBus
from bot.gateway.app import create_app
from bot.settings import Settings
from tests.conftest import TEST_SECRETS
from tests.support.detectors import emergency_detector
from tests.support.rasa_process import RasaServer, train_mini_model
from tests.support.servers import ServerThread

# The settings' names of the suite's throwaway secrets (tests/conftest.py's TEST_SECRETS).
SECRETS = {
    name.removeprefix("PATIENTBOT_").lower(): value for name, value in TEST_SECRETS.items()
}
CLOSED_PORT_URL = "http://127.0.0.1:9"  # discard port: nothing listens, connections are refused


def make_settings(database_url: str, rasa_url: str = CLOSED_PORT_URL, **overrides: Any) -> Settings:
    """Settings for a gateway under test; the env file is ignored so a developer's var/ never leaks in."""
    values: dict[str, Any] = {
        **SECRETS,
        "database_url": database_url,
        "rasa_url": rasa_url,
        "rasa_timeout_s": 1.0,
        "rasa_retries": 0,
        # Never a developer's var/rasa_tracker.db: the gateway's own database has no
        # Rasa `events` table, so erasing there is a no-op unless a test sets one up.
        "rasa_tracker_db_url": database_url,
        **overrides,
    }
    return Settings(_env_file=None, **values)


@pytest.fixture(scope="session")
def mini_rasa_url() -> Iterator[str]:
    """A real `rasa run` serving the tiny test assistant (tests/support/mini_rasa)."""
    server = RasaServer(train_mini_model())
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(scope="session")
def real_rasa_url(rasa_server_url: str) -> str:
    """Base URL of the real PatientBot Rasa server (tests/conftest.py starts it)."""
    return rasa_server_url


@pytest.fixture
def detector() -> Any:
    return emergency_detector()


@pytest.fixture
def serve_gateway() -> Iterator[Callable[..., tuple[str, Any]]]:
    """Start the gateway app on a real loopback server: serve_gateway(settings, **create_app_kwargs)."""
    servers: list[ServerThread] = []

    def start(settings: Settings, port: int | None = None, **kwargs: Any) -> tuple[str, Any]:
        kwargs.setdefault("bus", InProcessBus())
        # Channel tests are not about red flags; the routing tests cover them with a detector.
        kwargs.setdefault("detector", None)
        app = create_app(settings, **kwargs)
        server = ServerThread(app, port=port)
        servers.append(server)
        return server.start(), app

    yield start
    for server in reversed(servers):
        server.stop()
