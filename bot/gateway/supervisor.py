"""Start a set of services as child processes, wait for each one's health check, keep them running, stop them all cleanly.

`patientbot run` uses it for Rasa, the action server and the gateway. Each
child runs in its own process group (session), so stopping it reaches every
process it started too (Rasa forks workers; the action server's Sanic may);
nothing is left behind when the user presses Ctrl-C or the process manager
sends SIGTERM.

A child that exits after the stack is up is restarted with a growing delay
(bot.gateway.restart_policy): one crashed Rasa server must not take the
others, the action server and the gateway down with it. Only a child that
keeps crashing makes the supervisor stop everything. What each child is
doing is written to a status file the gateway's /health reads
(bot.gateway.service_status). The first start stays strict: a child that
does not come up then (a port taken, no model) stops the stack at once,
because retrying would only hide a configuration error.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO

import httpx

from bot.gateway.restart_policy import CrashHistory, RestartPolicy
from bot.gateway.service_status import ServiceStatus, State, write_status

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


class Child:
    """A supervised process: its state, its crashes, and when it may be restarted."""

    def __init__(self, spec: ServiceSpec, policy: RestartPolicy) -> None:
        self.process = ManagedProcess(spec)
        self.history = CrashHistory(policy)
        self.state: State = "starting"
        self.changed_at = datetime.now(timezone.utc)
        self.started_at = 0.0  # the supervisor's clock when the current run started
        self.healthy_since: float | None = None
        self.restart_at = 0.0
        self.last_exit_code: int | None = None

    @property
    def name(self) -> str:
        return self.process.spec.name

    def enter(self, state: State) -> None:
        self.state = state
        self.changed_at = datetime.now(timezone.utc)

    def status(self) -> ServiceStatus:
        return ServiceStatus(
            state=self.state,
            pid=self.process.pid if self.process.alive else None,
            restarts=self.history.restarts,
            last_exit_code=self.last_exit_code,
            since=self.changed_at.isoformat(timespec="seconds"),
        )


class Supervisor:
    """Start services in order (each healthy before the next; a start group together), then keep them up."""

    def __init__(
        self,
        specs: Sequence[ServiceSpec],
        policy: RestartPolicy | None = None,
        *,
        status_path: Path | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.policy = policy or RestartPolicy()
        self.clock = clock
        self.children = [Child(spec, self.policy) for spec in specs]
        self.processes = [child.process for child in self.children]
        self.status_path = status_path
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
                for child in batch:
                    child.process.start()
                    child.started_at = self.clock()
                self._publish()
                for child in batch:
                    child.process.wait_healthy(self.stop_requested)
                    child.healthy_since = self.clock()
                    child.enter("up")
                self._publish()
        except BaseException:
            self.stop_all()
            raise

    def _start_batches(self) -> list[list[Child]]:
        """Consecutive services of one start group form a batch; every other service is its own."""
        batches: list[list[Child]] = []
        for child in self.children:
            group = child.process.spec.start_group
            if batches and group is not None and batches[-1][-1].process.spec.start_group == group:
                batches[-1].append(child)
            else:
                batches.append([child])
        return batches

    def watch(self, poll_s: float = 0.5) -> str | None:
        """Block until a stop is requested (None) or a service keeps crashing (its name)."""
        while not self.stop_requested.wait(poll_s):
            failed = self.step()
            if failed is not None:
                return failed
        return None

    def step(self) -> str | None:
        """One look at every child: notice exits, restart when due, see restarted ones come up.

        Returns the name of a child that keeps crashing (the supervisor gives up), else None.
        """
        changed = False
        failed: str | None = None
        for child in self.children:
            before = child.state
            if not self._advance(child, self.clock()) and failed is None:
                failed = child.name
            changed = changed or child.state != before
        if changed:
            self._publish()
        return failed

    def _advance(self, child: Child, now: float) -> bool:
        """Move one child on; False when it crashed once too often."""
        managed = child.process
        if child.state == "up":
            return managed.alive or self._crashed(child, now)
        if child.state != "restarting":
            return True
        if managed.process is None:  # waiting out the delay
            if now >= child.restart_at:
                child.started_at = now
                try:
                    managed.start()
                except OSError as exc:  # e.g. the executable is gone: a failed start like any other
                    logger.error("%s could not be started: %s", child.name, type(exc).__name__)
                    return self._crashed(child, now)
            return True
        if not managed.alive:
            return self._crashed(child, now)
        if managed.healthy():
            child.healthy_since = now
            child.enter("up")
            logger.info("%s is up again (restart %d)", child.name, child.history.restarts)
        elif now - child.started_at > managed.spec.start_timeout_s:
            logger.error("%s not healthy %.0f s after its restart", child.name, now - child.started_at)
            return self._crashed(child, now)
        return True

    def _crashed(self, child: Child, now: float) -> bool:
        managed = child.process
        code = managed.process.returncode if managed.process else None
        managed.stop()  # whatever the leader left behind in its group goes too
        managed.process = None
        child.last_exit_code = code
        healthy_since = child.healthy_since if child.state == "up" else None
        child.healthy_since = None
        delay = child.history.crashed(now, healthy_since)
        if delay is None:
            logger.error(
                "%s exited unexpectedly (code %s) and keeps crashing: giving up", child.name, code
            )
            child.enter("failed")
            return False
        logger.error(
            "%s exited unexpectedly (code %s); restart %d in %.1f s",
            child.name,
            code,
            child.history.restarts,
            delay,
        )
        child.restart_at = now + delay
        child.enter("restarting")
        return True

    def statuses(self) -> dict[str, ServiceStatus]:
        return {child.name: child.status() for child in self.children}

    def _publish(self) -> None:
        if self.status_path is None:
            return
        try:
            write_status(self.status_path, os.getpid(), self.statuses())
        except OSError as exc:  # /health loses detail; the stack keeps running
            logger.warning("could not write %s: %s", self.status_path, type(exc).__name__)

    def stop_all(self, timeout_s: float = 15.0) -> None:
        """Stop in reverse order: the gateway before the Rasa it talks to."""
        for child in reversed(self.children):
            if child.process.process is not None:
                code = child.process.stop(timeout_s)
                logger.info("stopped %s (exit code %s)", child.name, code)
            if child.state != "failed":
                child.enter("stopped")
        self._publish()

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
