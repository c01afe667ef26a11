"""`patientbot run`: the services, their order, ports, health checks and wiring."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.serve_cmd import build_specs
from tests.support.fixtures import make_settings


def run_args(**overrides: object) -> argparse.Namespace:
    values = dict(
        host=None, port=None, rasa_port=None, rasa_instances=None, actions_port=5056,
        model=Path("models"),
    )
    return argparse.Namespace(**{**values, **overrides})


def test_run_starts_rasa_then_actions_then_the_gateway_wired_together(sqlite_url: str) -> None:
    settings = make_settings(sqlite_url, "http://127.0.0.1:5005", gateway_port=8123)
    rasa, actions, gateway = build_specs(run_args(rasa_instances=1), settings)

    assert [s.name for s in (rasa, actions, gateway)] == ["rasa", "actions", "gateway"]
    assert rasa.argv[1:4] == ["-m", "bot.rasa_server", "--enable-api"]
    assert rasa.argv[rasa.argv.index("--port") + 1] == "5005"
    assert rasa.argv[rasa.argv.index("--model") + 1] == "models"
    assert "--cors" not in rasa.argv  # no browser calls Rasa
    assert rasa.argv[rasa.argv.index("--interface") + 1] == "127.0.0.1"
    # Tokens go in the environment (only the owner can read it), never in argv (`ps` shows it).
    rasa_token = settings.rasa_token.get_secret_value()
    actions_token = settings.actions_token.get_secret_value()
    assert rasa.env["PATIENTBOT_RASA_TOKEN"] == rasa_token
    assert rasa.env["PATIENTBOT_ACTIONS_TOKEN"] == actions_token
    assert not {rasa_token, actions_token} & {*rasa.argv, *actions.argv, *gateway.argv}
    assert rasa.health_url == "http://127.0.0.1:5005/"
    assert "TF_INTRA_OP_PARALLELISM_THREADS" not in rasa.env  # alone, TensorFlow may use every core

    assert actions.argv[1:3] == ["-m", "actions.server"] and "5056" in actions.argv
    assert "--host" not in actions.argv  # the loopback interface, actions/server.py's default
    assert actions.health_url == "http://127.0.0.1:5056/health"
    assert actions.env["PATIENTBOT_ACTIONS_TOKEN"] == actions_token
    assert actions.env["PATIENTBOT_GATEWAY_URL"] == "http://127.0.0.1:8123"
    assert actions.env["PATIENTBOT_HANDOFF_SECRET"] == settings.handoff_secret.get_secret_value()

    assert gateway.argv[-5:] == ["gateway", "--host", "127.0.0.1", "--port", "8123"]
    assert gateway.health_url == "http://127.0.0.1:8123/health"
    assert gateway.env["PATIENTBOT_RASA_URL"] == "http://127.0.0.1:5005"
    # The gateway's /health reads what the supervisor writes about its children.
    assert gateway.env["PATIENTBOT_SUPERVISOR_STATUS_FILE"].endswith("supervisor-8123.json")


def test_several_rasa_servers_start_together_on_consecutive_ports_behind_one_gateway(
    sqlite_url: str,
) -> None:
    settings = make_settings(sqlite_url, "http://127.0.0.1:6000", rasa_instances=3)
    specs = build_specs(run_args(), settings)

    rasa = specs[:3]
    assert [s.name for s in specs] == ["rasa-1", "rasa-2", "rasa-3", "actions", "gateway"]
    assert [s.argv[s.argv.index("--port") + 1] for s in rasa] == ["6000", "6001", "6002"]
    assert {s.start_group for s in rasa} == {"rasa"}
    # One TensorFlow thread per server: the servers share the cores instead of fighting over them.
    assert all(s.env["TF_INTRA_OP_PARALLELISM_THREADS"] == "1" for s in rasa)
    assert specs[-1].env["PATIENTBOT_RASA_URL"] == (
        "http://127.0.0.1:6000,http://127.0.0.1:6001,http://127.0.0.1:6002"
    )
