"""Real Rasa servers for tests: train the tiny test assistant (cached) and run `rasa run`.

The tiny assistant in tests/support/mini_rasa trains in seconds and gives
routing tests behaviour they can rely on (quick replies, rest points). Tests
that should hold with PatientBot's own model use the `rasa_server_url` fixture
instead (provided by tests/conftest.py; see tests/support/fixtures.py).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bot.gateway.supervisor import ManagedProcess, ServiceSpec
from tests.conftest import TEST_SECRETS
from tests.stack import rasa_command
from tests.support.servers import free_port

MINI_PROJECT = Path(__file__).resolve().parent / "mini_rasa"
CACHE_DIR = Path(
    os.environ.get("PATIENTBOT_TEST_CACHE", Path(tempfile.gettempdir()) / "patientbot-test-cache")
)
RASA_ENV = {
    "RASA_TELEMETRY_ENABLED": "false",
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
}
# The token of the test servers' HTTP API and REST channel (make_settings gives the gateway the same).
RASA_TOKEN = TEST_SECRETS["PATIENTBOT_RASA_TOKEN"]


def rasa_executable() -> str:
    candidate = Path(sys.executable).with_name("rasa")
    return str(candidate) if candidate.exists() else "rasa"


def _project_hash(project: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(project.rglob("*.yml")):
        digest.update(path.relative_to(project).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def train_mini_model(project: Path = MINI_PROJECT) -> Path:
    """The tiny assistant's model, trained once per change of its files."""
    model = CACHE_DIR / f"mini-{_project_hash(project)}.tar.gz"
    if model.exists():
        return model
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        shutil.copytree(project, work, dirs_exist_ok=True)
        subprocess.run(
            [
                rasa_executable(),
                "train",
                "--fixed-model-name",
                "mini",
                "--out",
                "models",
                "--quiet",
            ],
            cwd=work,
            env={**os.environ, **RASA_ENV},
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=600,
        )
        shutil.move(str(Path(work) / "models" / "mini.tar.gz"), model)
    return model


class RasaServer:
    """`rasa run --enable-api` on a model, on a free loopback port, in a scratch directory.

    Started as `patientbot run` starts it (tests.stack.rasa_command): the HTTP API and the
    REST channel want RASA_TOKEN.
    """

    def __init__(self, model: Path, port: int | None = None, log_path: Path | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._workdir = tempfile.mkdtemp(prefix="rasa-run-")
        self.process = ManagedProcess(
            ServiceSpec(
                name="rasa",
                argv=rasa_command(model, self.port),
                health_url=f"{self.url}/",
                env={**RASA_ENV, "PATIENTBOT_RASA_TOKEN": RASA_TOKEN},
                cwd=Path(self._workdir),  # no endpoints.yml here: in-memory tracker store
                start_timeout_s=180,
                log_path=log_path or Path(self._workdir) / "rasa.log",
            )
        )

    def start(self) -> str:
        self.process.start()
        try:
            self.process.wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self.url

    def stop(self) -> None:
        self.process.stop()
        shutil.rmtree(self._workdir, ignore_errors=True)
