"""The assembled app: start-up migrations, settings validation, /health, webhook route guard."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy import create_engine, inspect

from bot.gateway.app import OPTIONAL_ROUTERS
from bot.gateway.service_status import ServiceStatus, write_status
from tests.support.fixtures import CLOSED_PORT_URL, make_settings


def test_start_up_migrates_a_fresh_database(
    tmp_path: Path, serve_gateway: Callable[..., tuple[str, Any]]
) -> None:
    url = f"sqlite:///{tmp_path / 'fresh' / 'patientbot.db'}"
    serve_gateway(make_settings(url))
    engine = create_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {"conversations", "messages", "api_keys", "handoffs", "alembic_version"} <= tables


def test_health_reports_database_and_rasa(
    sqlite_url: str, mini_rasa_url: str, serve_gateway: Callable[..., tuple[str, Any]]
) -> None:
    up, _ = serve_gateway(make_settings(sqlite_url, mini_rasa_url))
    down, _ = serve_gateway(make_settings(sqlite_url, CLOSED_PORT_URL))
    healthy = httpx.get(f"{up}/health", timeout=10)
    assert healthy.status_code == 200
    assert healthy.json() == {
        "status": "ok",
        "database": True,
        "rasa": True,
        "rasa_waiting": 0,
        "safety": False,
        "telegram": "off",
    }
    degraded = httpx.get(f"{down}/health", timeout=10)
    assert degraded.status_code == 200  # patients are still heard (and told) while Rasa is down
    assert degraded.json()["status"] == "degraded" and degraded.json()["rasa"] is False


def test_invalid_settings_are_refused_before_start(sqlite_url: str) -> None:
    with pytest.raises(ValidationError, match="at least 16 characters"):
        make_settings(sqlite_url, handoff_secret="short")
    with pytest.raises(ValidationError, match="WEBHOOK_SECRET"):
        make_settings(sqlite_url, telegram_bot_token="1:x", telegram_mode="webhook")
    with pytest.raises(ValidationError):
        make_settings(sqlite_url, rasa_url="not a url")
    with pytest.raises(ValidationError):
        make_settings(sqlite_url, rasa_url="http://127.0.0.1:5005, ftp://elsewhere")
    with pytest.raises(ValidationError, match="at least one Rasa URL"):
        make_settings(sqlite_url, rasa_url=" , ")


def test_several_rasa_servers_are_one_comma_separated_setting(sqlite_url: str) -> None:
    settings = make_settings(sqlite_url, rasa_url="http://127.0.0.1:5005/, http://127.0.0.1:5006")
    assert settings.rasa_urls == ["http://127.0.0.1:5005", "http://127.0.0.1:5006"]


def test_webhook_route_is_closed_without_telegram(
    sqlite_url: str, serve_gateway: Callable[..., tuple[str, Any]]
) -> None:
    base, app = serve_gateway(make_settings(sqlite_url))
    response = httpx.post(f"{base}/telegram/webhook", json={"update_id": 1}, timeout=10)
    assert response.status_code == 404
    present = [
        spec.split(":")[0]
        for spec in OPTIONAL_ROUTERS
        if importlib.util.find_spec(spec.split(":")[0])
    ]
    assert app.state.optional_routers == present


def test_handoff_limits_must_grow(sqlite_url: str) -> None:
    with pytest.raises(ValidationError, match="handoff limits must grow"):
        make_settings(sqlite_url, handoff_giveup_after_s=7200, handoff_expire_after_s=3600)
    with pytest.raises(ValidationError, match="handoff limits must grow"):
        make_settings(sqlite_url, handoff_alert_after_s=1800, handoff_giveup_after_s=1800)


def test_health_reports_each_supervised_service_and_is_degraded_while_one_restarts(
    sqlite_url: str,
    mini_rasa_url: str,
    tmp_path: Path,
    serve_gateway: Callable[..., tuple[str, Any]],
) -> None:
    status_file = tmp_path / "supervisor.json"
    since = "2026-12-04T10:00:00+00:00"
    up = ServiceStatus("up", 4242, 0, None, since)
    write_status(status_file, 1, {"rasa-1": up, "rasa-2": up})
    base, _ = serve_gateway(make_settings(sqlite_url, mini_rasa_url, supervisor_status_file=status_file))
    healthy = httpx.get(f"{base}/health", timeout=10).json()
    assert healthy["status"] == "ok" and set(healthy["services"]) == {"rasa-1", "rasa-2"}

    restarting = ServiceStatus("restarting", None, 2, -9, since)
    write_status(status_file, 1, {"rasa-1": up, "rasa-2": restarting})
    degraded = httpx.get(f"{base}/health", timeout=10)
    assert degraded.status_code == 200 and degraded.json()["status"] == "degraded"
    assert degraded.json()["services"]["rasa-2"] == {
        "state": "restarting", "pid": None, "restarts": 2, "last_exit_code": -9, "since": since,
    }
