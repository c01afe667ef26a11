"""`patientbot run`: the three services, their order, ports, health checks and wiring."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.serve_cmd import build_specs
from tests.support.fixtures import make_settings


def test_run_starts_rasa_then_actions_then_the_gateway_wired_together(sqlite_url: str) -> None:
    settings = make_settings(sqlite_url, "http://127.0.0.1:5005", gateway_port=8123)
    args = argparse.Namespace(
        host=None, port=None, rasa_port=None, actions_port=5056, model=Path("models")
    )
    rasa, actions, gateway = build_specs(args, settings)

    assert [s.name for s in (rasa, actions, gateway)] == ["rasa", "actions", "gateway"]
    assert rasa.argv[1:3] == ["run", "--enable-api"]
    assert rasa.argv[rasa.argv.index("--port") + 1] == "5005"
    assert rasa.argv[rasa.argv.index("--model") + 1] == "models"
    assert rasa.argv[rasa.argv.index("--cors") + 1] == "*"
    assert rasa.argv[rasa.argv.index("--interface") + 1] == "127.0.0.1"
    assert rasa.health_url == "http://127.0.0.1:5005/"

    assert actions.argv[1:3] == ["run", "actions"] and "5056" in actions.argv
    assert actions.health_url == "http://127.0.0.1:5056/health"
    assert actions.env["PATIENTBOT_GATEWAY_URL"] == "http://127.0.0.1:8123"
    assert actions.env["PATIENTBOT_HANDOFF_SECRET"] == settings.handoff_secret.get_secret_value()

    assert gateway.argv[-5:] == ["gateway", "--host", "127.0.0.1", "--port", "8123"]
    assert gateway.health_url == "http://127.0.0.1:8123/health"
    assert gateway.env["PATIENTBOT_RASA_URL"] == "http://127.0.0.1:5005"
