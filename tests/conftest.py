"""Fixtures shared by the whole suite: real databases (SQLite and PostgreSQL), settings.

PostgreSQL tests get a database of their own, created for the test session and
dropped after it, so parallel runs on one server never see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import sessionmaker

from bot.blas import configure_openblas
from bot.db.migrate import upgrade
from bot.db.session import make_engine, make_session_factory

# For the Rasa servers the tests start; `make test` has already set it for this process (bot/blas.py).
configure_openblas()

# The `browser` fixture (Debian's chromium through Playwright) for every browser test.
pytest_plugins = ["tests.support.browser"]

POSTGRES_ADMIN_URL = os.environ.get(
    "PATIENTBOT_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
)

TEST_SECRETS = {
    "PATIENTBOT_HANDOFF_SECRET": "test-handoff-secret-0123456789",
    "PATIENTBOT_SESSION_SECRET": "test-session-secret-0123456789",
    # The Rasa servers and the action server the tests start require these (tests/stack.py).
    "PATIENTBOT_RASA_TOKEN": "test-rasa-token-0123456789",
    "PATIENTBOT_ACTIONS_TOKEN": "test-actions-token-0123456789",
}


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    name = f"pb_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def _fresh_sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'patientbot.db'}"


def _reset_postgres(url: str) -> None:
    engine = create_engine(url, future=True)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database: each storage test runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        url = _fresh_sqlite_url(tmp_path)
    else:
        url = request.getfixturevalue("postgres_url")
        _reset_postgres(url)
    upgrade(url)
    return url


@pytest.fixture
def session_factory(database_url: str) -> Iterator[sessionmaker]:
    engine = make_engine(database_url)
    try:
        yield make_session_factory(engine)
    finally:
        engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A migrated SQLite database, for tests that are not about storage."""
    url = _fresh_sqlite_url(tmp_path)
    upgrade(url)
    return url


@pytest.fixture
def test_env(monkeypatch: pytest.MonkeyPatch, sqlite_url: str) -> dict[str, str]:
    """Settings environment for a gateway under test, with throwaway secrets."""
    from bot.settings import get_settings

    env = dict(TEST_SECRETS, PATIENTBOT_DATABASE_URL=sqlite_url)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    yield env
    get_settings.cache_clear()


# --- Real servers, started once per test session --------------------------------------

MODEL_PATH = Path(__file__).resolve().parent.parent / "models" / "patientbot.tar.gz"


@pytest.fixture(scope="session")
def model_path() -> Path:
    """The trained model `make setup` built (tests never train on their own)."""
    if not MODEL_PATH.exists():
        pytest.fail("no trained model: run `make setup` (make test does) before pytest")
    return MODEL_PATH


@pytest.fixture(scope="session")
def stack_log_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("stack")


@pytest.fixture(scope="session")
def gateway_port() -> int:
    """The port the session's gateway (if a test starts one) listens on; the action server calls it."""
    from tests.stack import free_port

    return free_port()


@pytest.fixture(scope="session")
def action_server_url(stack_log_dir: Path, gateway_port: int) -> Iterator[str]:
    from tests.stack import base_env, start_action_server

    env = base_env(
        {
            "PATIENTBOT_GATEWAY_URL": f"http://127.0.0.1:{gateway_port}",
            "PATIENTBOT_HANDOFF_SECRET": TEST_SECRETS["PATIENTBOT_HANDOFF_SECRET"],
            "PATIENTBOT_ACTIONS_TOKEN": TEST_SECRETS["PATIENTBOT_ACTIONS_TOKEN"],
            "PATIENTBOT_GATEWAY_TIMEOUT_S": "3",
        }
    )
    server = start_action_server(stack_log_dir, env)
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def rasa_server_url(model_path: Path, stack_log_dir: Path, action_server_url: str) -> Iterator[str]:
    """A real `rasa run` serving the trained model, wired to the real action server."""
    from tests.stack import base_env, start_rasa_server

    tokens = {name: TEST_SECRETS[name] for name in ("PATIENTBOT_RASA_TOKEN", "PATIENTBOT_ACTIONS_TOKEN")}
    server = start_rasa_server(model_path, stack_log_dir, base_env(tokens), action_server_url)
    try:
        yield server.url
    finally:
        server.stop()
