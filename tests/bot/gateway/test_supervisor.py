"""`patientbot run`'s supervision: health-gated start, clean stop of whole process groups, healing, failures.

Real child processes throughout (a tiny HTTP server with a grandchild); the
backoff runs on an injected clock where a test is about the timing, on the real
one with delays of a fraction of a second where it is about the whole loop.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from bot.gateway.restart_policy import RestartPolicy
from bot.gateway.service_status import read_status
from bot.gateway.supervisor import ManagedProcess, ServiceFailed, ServiceSpec, Supervisor
from tests.support.servers import free_port, wait_until

# A service that starts a grandchild (as Rasa's workers are) and records its pid, then serves HTTP.
# It crashes at start while a file named "poison" is in its working directory.
SERVICE = textwrap.dedent(
    """
    import http.server, os, subprocess, sys
    if os.path.exists("poison"):
        sys.exit(7)
    port, pid_file = int(sys.argv[1]), sys.argv[2]
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
    open(pid_file, "w").write(str(child.pid))
    http.server.ThreadingHTTPServer(("127.0.0.1", port), http.server.SimpleHTTPRequestHandler).serve_forever()
    """
)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purposes.
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def service(tmp_path: Path, name: str, timeout: float = 30) -> tuple[ServiceSpec, Path]:
    port = free_port()
    pid_file = tmp_path / f"{name}.grandchild"
    spec = ServiceSpec(
        name,
        [sys.executable, "-c", SERVICE, str(port), str(pid_file)],
        f"http://127.0.0.1:{port}/",
        cwd=tmp_path,
        start_timeout_s=timeout,
        log_path=tmp_path / f"{name}.log",
    )
    return spec, pid_file


def test_starts_in_order_and_stops_every_process_of_every_group(tmp_path: Path) -> None:
    (first, first_pids), (second, second_pids) = service(tmp_path, "one"), service(tmp_path, "two")
    supervisor = Supervisor([first, second])
    supervisor.start_all()
    try:
        assert all(p.healthy() for p in supervisor.processes)
        leaders = [p.pid for p in supervisor.processes]
        grandchildren = [int(first_pids.read_text()), int(second_pids.read_text())]
        assert all(alive(pid) for pid in leaders + grandchildren)
    finally:
        supervisor.stop_all()
    # SIGKILL is delivered asynchronously: give the kernel a moment.
    wait_until(lambda: not any(alive(pid) for pid in leaders + grandchildren), timeout=5)


# A service that gets healthy only once its partner has started (as Rasa servers sharing the
# cores are only worth starting together): started one after the other, neither would be.
PARTNER = textwrap.dedent(
    """
    import http.server, pathlib, sys, time
    port, mine, partner = int(sys.argv[1]), pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
    mine.write_text("started")
    while not partner.exists():
        time.sleep(0.05)
    http.server.ThreadingHTTPServer(("127.0.0.1", port), http.server.SimpleHTTPRequestHandler).serve_forever()
    """
)


def test_a_start_group_starts_together_before_anything_waits(tmp_path: Path) -> None:
    def partner(name: str, other: str) -> ServiceSpec:
        port = free_port()
        return ServiceSpec(
            name,
            [sys.executable, "-c", PARTNER, str(port), str(tmp_path / name), str(tmp_path / other)],
            f"http://127.0.0.1:{port}/",
            start_timeout_s=20,
            start_group="pair",
        )

    after, _pids = service(tmp_path, "after")
    supervisor = Supervisor([partner("a", "b"), partner("b", "a"), after])
    supervisor.start_all()
    try:
        assert all(p.healthy() for p in supervisor.processes)
    finally:
        supervisor.stop_all()


def test_a_service_that_never_gets_healthy_stops_the_others(tmp_path: Path) -> None:
    good, good_pids = service(tmp_path, "good")
    silent = ServiceSpec(
        "silent",
        [sys.executable, "-c", "import time; time.sleep(300)"],
        f"http://127.0.0.1:{free_port()}/",
        start_timeout_s=1.5,
    )
    supervisor = Supervisor([good, silent])
    with pytest.raises(ServiceFailed, match="silent not healthy"):
        supervisor.start_all()
    assert not any(p.alive for p in supervisor.processes)
    grandchild = int(good_pids.read_text())
    wait_until(lambda: not alive(grandchild), timeout=5)


def test_a_service_that_exits_at_start_is_reported(tmp_path: Path) -> None:
    crashing = ServiceSpec(
        "crashing",
        [sys.executable, "-c", "raise SystemExit(3)"],
        f"http://127.0.0.1:{free_port()}/",
    )
    managed = ManagedProcess(crashing)
    managed.start()
    with pytest.raises(ServiceFailed, match=r"crashing exited \(code 3\)"):
        managed.wait_healthy()


class FakeClock:
    """The supervisor's injected monotonic clock: backoff delays pass when the test says so."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_crashed_child_waits_out_its_backoff_then_is_restarted_and_healthy(
    tmp_path: Path,
) -> None:
    spec, pid_file = service(tmp_path, "fragile")
    other, _ = service(tmp_path, "steady")
    clock = FakeClock()
    status_path = tmp_path / "status.json"
    supervisor = Supervisor(
        [spec, other], RestartPolicy(first_delay_s=5), status_path=status_path, clock=clock
    )
    supervisor.start_all()
    try:
        fragile, steady = supervisor.children
        first_pid, first_grandchild = fragile.process.pid, int(pid_file.read_text())
        assert read_status(status_path)["fragile"]["state"] == "up"

        os.killpg(first_pid, signal.SIGKILL)
        wait_until(lambda: not fragile.process.alive, timeout=5)
        assert supervisor.step() is None
        status = read_status(status_path)
        assert status["fragile"] | {"since": None} == {
            "state": "restarting", "pid": None, "restarts": 1, "last_exit_code": -9, "since": None,
        }
        assert status["steady"]["state"] == "up"  # the others are left alone
        wait_until(lambda: not alive(first_grandchild), timeout=5)  # the group went with it

        clock.now += 4.9
        supervisor.step()
        assert fragile.process.process is None  # still waiting out the 5 s

        clock.now += 0.2
        supervisor.step()
        assert fragile.process.alive and fragile.process.pid != first_pid
        wait_until(lambda: supervisor.step() is None and fragile.state == "up", timeout=20)
        assert fragile.process.healthy()
        status = read_status(status_path)["fragile"]
        assert (status["state"], status["restarts"], status["pid"]) == (
            "up", 1, fragile.process.pid,
        )
        assert steady.process.alive and steady.history.restarts == 0
    finally:
        supervisor.stop_all()
    assert {s["state"] for s in read_status(status_path).values()} == {"stopped"}


def run_in_thread(supervisor: Supervisor) -> tuple[threading.Thread, list[int]]:
    result: list[int] = []
    thread = threading.Thread(target=lambda: result.append(supervisor.run()), daemon=True)
    thread.start()
    return thread, result


def test_run_heals_a_child_killed_with_sigkill(tmp_path: Path) -> None:
    spec, _pids = service(tmp_path, "svc")
    status_path = tmp_path / "status.json"
    supervisor = Supervisor(
        [spec], RestartPolicy(first_delay_s=0.2, max_delay_s=1), status_path=status_path
    )
    thread, result = run_in_thread(supervisor)
    try:
        managed = supervisor.processes[0]
        wait_until(lambda: (read_status(status_path) or {}).get("svc", {}).get("state") == "up", timeout=30)
        first_pid = managed.pid
        assert first_pid is not None
        os.killpg(first_pid, signal.SIGKILL)

        def restarted() -> bool:
            status = (read_status(status_path) or {}).get("svc", {})
            return status.get("state") == "up" and status.get("restarts") == 1

        wait_until(restarted, timeout=30, interval=0.1)
        assert managed.pid not in (None, first_pid) and managed.healthy()
        assert thread.is_alive()  # healing is not stopping
    finally:
        supervisor.request_stop()
        thread.join(30)
    assert result == [0]
    assert not managed.alive


def test_a_child_that_keeps_crashing_at_start_stops_everything(tmp_path: Path) -> None:
    doomed, _ = service(tmp_path / "doomed", "doomed")
    bystander, bystander_pids = service(tmp_path, "bystander")
    (tmp_path / "doomed").mkdir()
    status_path = tmp_path / "status.json"
    policy = RestartPolicy(first_delay_s=0.05, max_delay_s=0.1, max_crashes=3)
    supervisor = Supervisor([doomed, bystander], policy, status_path=status_path)
    thread, result = run_in_thread(supervisor)
    try:
        wait_until(lambda: (read_status(status_path) or {}).get("bystander", {}).get("state") == "up", timeout=30)
        (tmp_path / "doomed" / "poison").write_text("")
        os.killpg(supervisor.processes[0].pid, signal.SIGKILL)
        thread.join(30)
    finally:
        supervisor.request_stop()
        thread.join(30)
    assert result == [1]
    status = read_status(status_path)
    assert status["doomed"]["state"] == "failed" and status["doomed"]["last_exit_code"] == 7
    assert status["doomed"]["restarts"] == 2  # the crash that killed it, then two failed starts
    assert status["bystander"]["state"] == "stopped"
    wait_until(lambda: not alive(int(bystander_pids.read_text())), timeout=5)


def test_sigterm_stops_the_supervisor_and_all_children(tmp_path: Path) -> None:
    spec, pid_file = service(tmp_path, "svc")
    program = textwrap.dedent(
        f"""
        import sys
        from bot.gateway.supervisor import ServiceSpec, Supervisor
        spec = ServiceSpec({spec.name!r}, {list(spec.argv)!r}, {spec.health_url!r}, start_timeout_s=30)
        supervisor = Supervisor([spec])
        supervisor.install_signal_handlers()
        sys.exit(supervisor.run(on_ready=lambda: print("READY", supervisor.processes[0].pid, flush=True)))
        """
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", program],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[3],
    )
    try:
        line = parent.stdout.readline().split()
        assert line[0] == "READY"
        child = int(line[1])
        grandchild = int(wait_until(lambda: pid_file.exists() and pid_file.read_text()))
        started = time.monotonic()
        parent.send_signal(signal.SIGTERM)
        assert parent.wait(30) == 0  # a requested stop is a clean exit
        assert time.monotonic() - started < 20
        wait_until(lambda: not alive(child) and not alive(grandchild), timeout=10)
    finally:
        if parent.poll() is None:
            parent.kill()
