"""Start real PatientBot processes for tests: the Rasa server and the action server.

Each runs as a child process on a free loopback port and is stopped (whole
process group) when the test session ends. No mocks: tests talk HTTP to the
same servers `make run` starts.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from bot.paths import ROOT
from tests.support.servers import free_port

BIN = Path(sys.executable).parent




@dataclass
class ServerProcess:
    name: str
    url: str
    process: subprocess.Popen
    log_path: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)

    def log_tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.exists() else ""


def _start(name: str, command: list[str], health_url: str, log_dir: Path, env: dict[str, str], timeout: float) -> ServerProcess:
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{name}.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    base_url = health_url.rsplit("/", 1)[0]
    server = ServerProcess(name, base_url, process, log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}:\n{server.log_tail()}")
        try:
            if requests.get(health_url, timeout=2).ok:
                return server
        except requests.RequestException:
            pass
        time.sleep(0.5)
    server.stop()
    raise RuntimeError(f"{name} did not become healthy in {timeout}s:\n{server.log_tail()}")


def base_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"})
    env.update(extra or {})
    return env


def start_action_server(log_dir: Path, env: dict[str, str], actions: str = "actions") -> ServerProcess:
    """`python -m actions.server` as `patientbot run` starts it: loopback, behind the token in `env`."""
    port = free_port()
    command = [sys.executable, "-m", "actions.server", "--actions", actions, "--port", str(port)]
    return _start("actions", command, f"http://127.0.0.1:{port}/health", log_dir, env, timeout=90)


def rasa_command(model: Path, port: int, endpoints: Path | None = None) -> list[str]:
    """`rasa run` as `patientbot run` starts it: token from the environment, the token-guarded REST channel."""
    command = [
        sys.executable, "-m", "bot.rasa_server", "--enable-api", "--model", str(model),
        "--port", str(port), "--interface", "127.0.0.1", "--credentials", str(ROOT / "credentials.yml"),
    ]
    return command + (["--endpoints", str(endpoints)] if endpoints else [])


def start_rasa_server(model: Path, log_dir: Path, env: dict[str, str], action_url: str | None) -> ServerProcess:
    """The real model on the embedded tracker store; `env` carries PATIENTBOT_RASA_TOKEN (and the actions')."""
    port = free_port()
    endpoints = log_dir / "endpoints.yml"
    log_dir.mkdir(parents=True, exist_ok=True)
    # The embedded default's tracker store (bot.tracker_store) on a fresh file: each test
    # session starts with no conversations.
    tracker_file = log_dir / "rasa_tracker.db"
    for stale in log_dir.glob("rasa_tracker.db*"):
        stale.unlink()
    endpoints.write_text(
        (
            f'action_endpoint:\n  url: "{action_url}/webhook"\n  token: ${{PATIENTBOT_ACTIONS_TOKEN}}\n'
            if action_url
            else ""
        )
        + f"tracker_store:\n  type: bot.tracker_store.SQLiteTrackerStore\n  db: {tracker_file}\n"
    )
    # `/` needs no token, and answers as soon as the server is up (/status would need the token).
    return _start("rasa", rasa_command(model, port, endpoints), f"http://127.0.0.1:{port}/", log_dir, env, timeout=240)
