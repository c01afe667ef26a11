"""The supervisor's view of its children, as a small JSON file the gateway's /health reads.

`patientbot run` supervises the gateway itself, so the gateway cannot ask its
parent over a socket without the parent serving one; a file the supervisor
replaces atomically on every change is enough, costs nothing while nothing
changes, and survives a restart of the gateway (which then reports at once how
often it was restarted). The supervisor passes the file's path to the gateway
in `PATIENTBOT_SUPERVISOR_STATUS_FILE`; a gateway started on its own has none
and /health says nothing about services.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

State = Literal["starting", "up", "restarting", "failed", "stopped"]


@dataclass(frozen=True)
class ServiceStatus:
    """One child: what it is doing, its pid, how often it was restarted, how it last exited."""

    state: State
    pid: int | None
    restarts: int
    last_exit_code: int | None
    since: str  # ISO 8601 UTC time of the last change of state


def write_status(path: Path, supervisor_pid: int, services: dict[str, ServiceStatus]) -> None:
    """Replace the file atomically: a reader sees the old content or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {
        "supervisor_pid": supervisor_pid,
        "services": {name: asdict(status) for name, status in services.items()},
    }
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(body, handle)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_status(path: Path) -> dict[str, Any] | None:
    """Each service's status as written, or None when there is no readable file."""
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    services = body.get("services") if isinstance(body, dict) else None
    return services if isinstance(services, dict) else None
