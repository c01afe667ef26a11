"""A real Rasa server killed with SIGKILL under the supervisor: the gateway's client routes around it, and it comes back.

Two real Rasa servers on the tiny test assistant: one from the session fixture,
one supervised as `patientbot run` supervises its own (bot.rasa_server, the
token-guarded REST channel). While the supervised one is down every message
is still answered, by the other; once it is restarted and healthy, messages
reach it again.
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from pathlib import Path

import httpx
import pytest

from bot.gateway.rasa_client import RasaClient
from bot.gateway.restart_policy import RestartPolicy
from bot.gateway.service_status import read_status
from bot.gateway.supervisor import ServiceSpec, Supervisor
from tests.stack import rasa_command
from tests.support.rasa_process import RASA_ENV, RASA_TOKEN, train_mini_model
from tests.support.servers import free_port, wait_until

pytestmark = pytest.mark.slow


def user_texts(rasa_url: str, sender: str) -> list[str]:
    response = httpx.get(
        f"{rasa_url}/conversations/{sender}/tracker", params={"token": RASA_TOKEN}, timeout=10
    )
    return [e.get("text") for e in response.json()["events"] if e["event"] == "user"]


async def test_messages_are_answered_while_a_killed_rasa_restarts_and_reach_it_again(
    mini_rasa_url: str, tmp_path: Path
) -> None:
    port = free_port()
    supervised_url = f"http://127.0.0.1:{port}"
    spec = ServiceSpec(
        "rasa-2",
        rasa_command(train_mini_model(), port),
        f"{supervised_url}/",
        env={**RASA_ENV, "PATIENTBOT_RASA_TOKEN": RASA_TOKEN},
        cwd=tmp_path,  # no endpoints.yml: its own in-memory tracker store
        start_timeout_s=180,
        log_path=tmp_path / "rasa-2.log",
    )
    status_path = tmp_path / "status.json"
    supervisor = Supervisor([spec], RestartPolicy(first_delay_s=0.5), status_path=status_path)
    thread = threading.Thread(target=supervisor.run, daemon=True)
    client = RasaClient([mini_rasa_url, supervised_url], timeout_s=10, retries=1, token=RASA_TOKEN)
    try:
        thread.start()
        await asyncio.to_thread(
            wait_until, lambda: (read_status(status_path) or {}).get("rasa-2", {}).get("state") == "up",
            200, 0.2,
        )
        senders = [f"killed-{i}" for i in range(40)]
        homed_there = [s for s in senders if client.server_for(s) == supervised_url][:6]

        pid = supervisor.processes[0].pid
        assert pid is not None
        os.killpg(pid, signal.SIGKILL)
        for sender in homed_there:
            assert (await client.send(sender, "hello")).replies  # the other server answers
        assert all(user_texts(mini_rasa_url, s) == ["hello"] for s in homed_there)

        def back_up() -> bool:
            status = (read_status(status_path) or {}).get("rasa-2", {})
            return status.get("state") == "up" and status.get("restarts") == 1

        await asyncio.to_thread(wait_until, back_up, 200, 0.2)
        await asyncio.to_thread(wait_until, lambda: not client.set_aside(), 35, 0.2)
        returning = next(s for s in (f"back-{i}" for i in range(40)) if client.server_for(s) == supervised_url)
        assert (await client.send(returning, "hello")).replies
        assert user_texts(supervised_url, returning) == ["hello"]
    finally:
        await client.aclose()
        supervisor.request_stop()
        await asyncio.to_thread(thread.join, 60)
    assert not supervisor.processes[0].alive
