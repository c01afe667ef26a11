"""The action server's closed door: loopback only, and no action runs without the shared token.

A real `python -m actions.server` (as `patientbot run` starts it) in front of a
real handoff API and database: the call that once queued a fake handoff for
any host that could reach port 5055 is refused, and nothing is stored.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from bot.db.session import unit_of_work
from bot.handoff.models import Handoff
from tests.actions.conftest import DOMAIN, Gateway, load_tracker_dict
from tests.bot.handoff.conftest import SECRET
from tests.stack import ServerProcess, base_env, start_action_server

TOKEN = "action-server-test-token-0123456789"


def listening_addresses(port: int) -> set[str]:
    """IPv4 addresses with a socket listening on `port` (from /proc/net/tcp: no tool needed)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, port_hex = local.split(":")
        if state == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
            found.add(".".join(str(int(address[i : i + 2], 16)) for i in (6, 4, 2, 0)))
    return found


@pytest.fixture
def action_server(gateway: Gateway, tmp_path: Path) -> Iterator[ServerProcess]:
    env = base_env(
        {
            "PATIENTBOT_GATEWAY_URL": gateway.url,
            "PATIENTBOT_HANDOFF_SECRET": SECRET,
            "PATIENTBOT_ACTIONS_TOKEN": TOKEN,
        }
    )
    server = start_action_server(tmp_path, env)
    try:
        yield server
    finally:
        server.stop()


def handoff_call() -> dict:
    """What Rasa POSTs to /webhook to run `action_handoff` for a patient who asked for a human."""
    return {
        "next_action": "action_handoff",
        "sender_id": load_tracker_dict("request_human")["sender_id"],
        "tracker": load_tracker_dict("request_human"),
        "domain": DOMAIN,
        "version": "3.6.21",
    }


def handoffs(gateway: Gateway) -> list[Handoff]:
    with unit_of_work(gateway.factory) as session:
        return list(session.scalars(select(Handoff)))


def test_without_the_token_no_action_runs_and_with_it_the_handoff_is_queued(
    action_server: ServerProcess, gateway: Gateway
) -> None:
    url = action_server.url
    port = int(url.rsplit(":", 1)[1])
    assert listening_addresses(port) == {"127.0.0.1"}

    for params in ({}, {"token": "wrong-token-of-some-length"}, {"token": ""}):
        refused = requests.post(f"{url}/webhook", json=handoff_call(), params=params, timeout=10)
        assert refused.status_code == 401
    assert requests.get(f"{url}/actions", timeout=10).status_code == 401
    assert handoffs(gateway) == []  # nothing ran

    assert requests.get(f"{url}/health", timeout=10).json() == {"status": "ok"}
    ran = requests.post(f"{url}/webhook", json=handoff_call(), params={"token": TOKEN}, timeout=30)
    assert ran.status_code == 200
    assert [h.reason for h in handoffs(gateway)] == ["request_human"]
    assert TOKEN not in action_server.log_tail(100_000)  # no access log with the query string


def test_without_a_token_the_action_server_does_not_start() -> None:
    env = {k: v for k, v in os.environ.items() if k != "PATIENTBOT_ACTIONS_TOKEN"}
    for token in (None, "short"):
        if token:
            env["PATIENTBOT_ACTIONS_TOKEN"] = token
        result = subprocess.run(
            [sys.executable, "-m", "actions.server", "--port", "9"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 2
        assert "PATIENTBOT_ACTIONS_TOKEN" in result.stderr
