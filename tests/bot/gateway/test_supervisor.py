"""`patientbot run`'s supervision: health-gated start, clean stop of whole process groups, failures."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from bot.gateway.supervisor import ManagedProcess, ServiceFailed, ServiceSpec, Supervisor
from tests.support.servers import free_port, wait_until

# A service that starts a grandchild (as Rasa's workers are) and records its pid, then serves HTTP.
SERVICE = textwrap.dedent(
    """
    import http.server, subprocess, sys
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


def test_watch_notices_a_service_dying(tmp_path: Path) -> None:
    spec, _pids = service(tmp_path, "fragile")
    supervisor = Supervisor([spec])
    supervisor.start_all()
    try:
        os.killpg(supervisor.processes[0].pid, signal.SIGKILL)
        assert supervisor.watch(poll_s=0.05) == "fragile"
    finally:
        supervisor.stop_all()


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
