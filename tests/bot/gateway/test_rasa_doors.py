"""Rasa's closed doors: its HTTP API and REST channel answer only the gateway's token.

A real Rasa server started as `patientbot run` starts it (bot/rasa_server.py,
credentials.yml's bot.rasa_channel.TokenRestInput): a local process without
the token reads no patient's tracker and writes into no conversation; the
gateway, which has the token, is answered as before.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from bot.gateway.rasa_client import RasaClient, RasaUnavailable
from bot.rasa_server import main as rasa_server_main
from tests.stack import rasa_command
from tests.support.rasa_process import RASA_TOKEN, train_mini_model
from tests.support.servers import free_port

WRONG = ({}, {"token": ""}, {"token": "not-the-rasa-token-0123456789"})


def tracker(rasa_url: str, sender: str, **params: str) -> httpx.Response:
    return httpx.get(f"{rasa_url}/conversations/{sender}/tracker", params=params, timeout=10)


def test_a_tracker_is_refused_without_the_token(mini_rasa_url: str) -> None:
    sender = f"door-{uuid.uuid4().hex}"
    for params in WRONG:
        assert tracker(mini_rasa_url, sender, **params).status_code == 401
    assert httpx.get(f"{mini_rasa_url}/status", timeout=10).status_code == 401
    assert tracker(mini_rasa_url, sender, token=RASA_TOKEN).status_code == 200


def test_the_rest_channel_refuses_a_message_without_the_token_and_stores_nothing(
    mini_rasa_url: str,
) -> None:
    sender = f"door-{uuid.uuid4().hex}"
    body = {"sender": sender, "message": "hello"}
    for params in WRONG:
        response = httpx.post(
            f"{mini_rasa_url}/webhooks/rest/webhook", json=body, params=params, timeout=10
        )
        assert response.status_code == 401
    events = tracker(mini_rasa_url, sender, token=RASA_TOKEN).json()["events"]
    assert not [e for e in events if e["event"] == "user"]
    assert httpx.get(f"{mini_rasa_url}/", timeout=10).status_code == 200  # health says only hello


async def test_the_gateway_client_is_answered_with_the_token_and_refused_without(
    mini_rasa_url: str,
) -> None:
    with_token = RasaClient([mini_rasa_url], retries=0, token=RASA_TOKEN)
    without = RasaClient([mini_rasa_url], retries=0)
    try:
        sender = f"door-{uuid.uuid4().hex}"
        assert (await with_token.send(sender, "hello")).replies
        with pytest.raises(RasaUnavailable, match="401"):
            await without.send(sender, "hello")
        assert without.set_aside() == []  # a refusal is not an outage
    finally:
        await with_token.aclose()
        await without.aclose()


def test_the_rasa_wrapper_needs_a_token_and_keeps_it_off_the_command_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("PATIENTBOT_RASA_TOKEN", raising=False)
    assert rasa_server_main(["--enable-api"]) == 2
    assert "PATIENTBOT_RASA_TOKEN" in capsys.readouterr().err
    monkeypatch.setenv("PATIENTBOT_RASA_TOKEN", RASA_TOKEN)
    assert rasa_server_main(["--enable-api", "--auth-token", RASA_TOKEN]) == 2
    assert rasa_server_main(["--enable-api", "--cors=*"]) == 2
    assert "not accepted" in capsys.readouterr().err


def test_a_rasa_server_without_its_channel_token_does_not_start(tmp_path: Path) -> None:
    """credentials.yml's ${PATIENTBOT_RASA_TOKEN} unset: Rasa refuses rather than open the channel."""
    env = {k: v for k, v in os.environ.items() if k != "PATIENTBOT_RASA_TOKEN"}
    env["RASA_TELEMETRY_ENABLED"] = "false"
    command = [sys.executable, "-m", "rasa", "run", *rasa_command(train_mini_model(), free_port())[3:]]
    result = subprocess.run(
        [*command, "--auth-token", RASA_TOKEN],
        env=env, capture_output=True, text=True, timeout=180, cwd=tmp_path,  # no endpoints.yml
    )
    assert result.returncode != 0
    assert "PATIENTBOT_RASA_TOKEN" in result.stdout + result.stderr
