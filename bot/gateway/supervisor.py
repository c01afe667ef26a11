"""Start a set of services as child processes, wait for each one's health check, stop them all cleanly.

`patientbot run` uses it for Rasa, the action server and the gateway. Each
child runs in its own process group (session), so stopping it reaches every
process it started too (Rasa forks workers; `rasa run actions` spawns a
Sanic server); nothing is left behind when the user presses Ctrl-C or the
process manager sends SIGTERM.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import httpx

logger = logging.getLogger(__name__)


class ServiceFailed(RuntimeError):
    """A service exited or did not become healthy in time."""


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    argv: Sequence[str]
    health_url: str
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    start_timeout_s: float = 180.0
    log_path: Path | None = None  # None: inherit the supervisor's stdout/stderr
    # Consecutive services with the same group start together (several Rasa servers
    # loading the model at once), and are all healthy before the next one starts.
    start_group: str | None = None


class ManagedProcess:
    """One child process in its own process group, with a health check."""

    def __init__(self, spec: ServiceSpec) -> None:
        self.spec = spec
        self.process: subprocess.Popen[bytes] | None = None
        self._log: BinaryIO | None = None

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def start(self) -> None:
        env = {**os.environ, **self.spec.env}
        output = None
        if self.spec.log_path is not None:
            self.spec.log_path.parent.mkdir(parents=True, exist_ok=True)
            self._log = open(self.spec.log_path, "ab")  # noqa: SIM115 - closed in stop()
            output = self._log
        self.process = subprocess.Popen(  # noqa: S603 - argv built by us, no shell
            list(self.spec.argv),
            cwd=self.spec.cwd,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT if output else None,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: we stop it and its children
        )
        logger.info("started %s (pid %d)", self.spec.name, self.process.pid)

    def healthy(self, timeout_s: float = 2.0) -> bool:
        try:
            response = httpx.get(self.spec.health_url, timeout=timeout_s, trust_env=False)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    def wait_healthy(self, stop: threading.Event | None = None) -> None:
        """Block until the health check passes; ServiceFailed if the process exits or time runs out."""
        deadline = time.monotonic() + self.spec.start_timeout_s
        while True:
            if not self.alive:
                code = self.process.returncode if self.process else None
                raise ServiceFailed(f"{self.spec.name} exited (code {code}) before it was healthy")
            if self.healthy():
                logger.info("%s is up (%s)", self.spec.name, self.spec.health_url)
                return
            if time.monotonic() > deadline:
                raise ServiceFailed(
                    f"{self.spec.name} not healthy after {self.spec.start_timeout_s:.0f}s"
                )
            if stop is not None and stop.wait(0.25):
                raise ServiceFailed(f"stopped while waiting for {self.spec.name}")
            if stop is None:
                time.sleep(0.25)

    def stop(self, timeout_s: float = 15.0) -> int | None:
        """SIGTERM to the whole process group, SIGKILL after `timeout_s`; returns the exit code."""
        process = self.process
        if process is None:
            return None
        if process.poll() is None:
            self._signal_group(signal.SIGTERM)
            try:
                process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                logger.warning("%s ignored SIGTERM; killing it", self.spec.name)
                self._signal_group(signal.SIGKILL)
                process.wait(5)
        # Grandchildren may outlive the leader; the group must go with it.
        self._signal_group(signal.SIGKILL)
        if self._log is not None:
            self._log.close()
            self._log = None
        return process.returncode

    def _signal_group(self, sig: signal.Signals) -> None:
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, sig)


class Supervisor:
    """Start services in order (each healthy before the next; a start group together), then watch them."""

    def __init__(self, specs: Sequence[ServiceSpec]) -> None:
        self.processes = [ManagedProcess(spec) for spec in specs]
        self.stop_requested = threading.Event()

    def request_stop(self, *_args: object) -> None:
        self.stop_requested.set()

    def install_signal_handlers(self) -> None:
        """Ctrl-C and SIGTERM ask for a clean stop (must be called from the main thread)."""
        signal.signal(signal.SIGINT, self.request_stop)
        signal.signal(signal.SIGTERM, self.request_stop)

    def start_all(self) -> None:
        """Start every service; if one fails, stop those already started and raise ServiceFailed."""
        try:
            for batch in self._start_batches():
                for managed in batch:
                    managed.start()
                for managed in batch:
                    managed.wait_healthy(self.stop_requested)
        except BaseException:
            self.stop_all()
            raise

    def _start_batches(self) -> list[list[ManagedProcess]]:
        """Consecutive services of one start group form a batch; every other service is its own."""
        batches: list[list[ManagedProcess]] = []
        for managed in self.processes:
            group = managed.spec.start_group
            if batches and group is not None and batches[-1][-1].spec.start_group == group:
                batches[-1].append(managed)
            else:
                batches.append([managed])
        return batches

    def watch(self, poll_s: float = 0.5) -> str | None:
        """Block until a stop is requested (None) or a service exits (its name)."""
        while not self.stop_requested.wait(poll_s):
            for managed in self.processes:
                if not managed.alive:
                    logger.error(
                        "%s exited unexpectedly (code %s)",
                        managed.spec.name,
                        managed.process.returncode if managed.process else None,
                    )
                    return managed.spec.name
        return None

    def stop_all(self, timeout_s: float = 15.0) -> None:
        """Stop in reverse order: the gateway before the Rasa it talks to."""
        for managed in reversed(self.processes):
            if managed.process is not None:
                code = managed.stop(timeout_s)
                logger.info("stopped %s (exit code %s)", managed.spec.name, code)

    def run(self, on_ready: object = None) -> int:
        """start_all, call `on_ready()`, watch, stop_all; exit code 0 on a requested stop, 1 otherwise."""
        try:
            self.start_all()
        except ServiceFailed as exc:
            logger.error("%s", exc)
            return 0 if self.stop_requested.is_set() else 1
        try:
            if callable(on_ready):
                on_ready()
            failed = self.watch()
        finally:
            self.stop_all()
        return 1 if failed else 0
