"""Helpers for the fuzz tests: a gateway whose storage is watched, rows to count, schemathesis runs.

`WatchedGateway` serves the real gateway app on loopback behind `StorageWatch`,
an ASGI wrapper that counts every table's rows before and after each request:
a refused request (status >= 400) that changed a count is recorded, so a test
can assert that nothing was stored from it.

`run_schemathesis` is the Python equivalent of
``schemathesis run URL/openapi.json --checks all --max-examples N``: the same
engine and phases (examples, coverage, fuzzing, stateful), with the same
statistics the CLI prints, plus each response's status per operation.
"""

from __future__ import annotations

import collections
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from schemathesis.engine import events, from_schema
from schemathesis.engine.statistic import Statistic
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from bot.db.all_models import metadata
from bot.db.session import make_engine
from tests.support.servers import ServerThread

# A fixed seed: a failure is reproduced by running the test again. Override to explore.
SEED = int(os.environ.get("PATIENTBOT_FUZZ_SEED", "20261204"))
MAX_EXAMPLES = int(os.environ.get("PATIENTBOT_FUZZ_MAX_EXAMPLES", "20"))
# Multiplies the hypothesis tests' example counts (a longer exploration: 10).
SCALE = float(os.environ.get("PATIENTBOT_FUZZ_SCALE", "1"))
# 413 is how the API refuses an over-long message or body: a rejection like 422.
NEGATIVE_REJECTED = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429"]


def fuzz_settings(examples: int) -> Callable[[Any], Any]:
    """Hypothesis for a fuzz test over a live server: bounded, seeded, no database, no deadline."""
    from hypothesis import HealthCheck, seed, settings

    configure = settings(
        max_examples=max(1, int(examples * SCALE)),
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    return lambda test: seed(SEED)(configure(test))


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows per table, for every table of PatientBot's schema."""
    with engine.connect() as connection:
        return {
            table.name: int(connection.execute(select(func.count()).select_from(table)).scalar_one())
            for table in metadata.sorted_tables
        }


@dataclass(frozen=True)
class StoredByRefusal:
    method: str
    path: str
    status: int
    changed: dict[str, tuple[int, int]]  # table -> (rows before, rows after)


# Answers >= 400 that are documented to change something all the same.
CHANGES_ON_PURPOSE = {
    # A second request for an open handoff raises its priority (audited), then says 409.
    ("POST", "/api/handoffs", 409): {"audit_events"},
    # A failed login is audited (and counted towards the lock-out): that record is the point.
    ("POST", "/console/login", 401): {"audit_events"},
    ("POST", "/console/login", 429): {"audit_events"},
}


class StorageWatch:
    """ASGI wrapper: records each refused HTTP request that changed any table's row count."""

    def __init__(self, app: Any, database_url: str) -> None:
        self.app = app
        self.engine = make_engine(database_url)
        self.refused_but_stored: list[StoredByRefusal] = []
        self.requests = 0

    @property
    def state(self) -> Any:  # uvicorn and tests reach the app's state through the wrapper
        return self.app.state

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        before = row_counts(self.engine)
        status = 0

        async def watched_send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        await self.app(scope, receive, watched_send)
        self.requests += 1
        if status >= 400:
            after = row_counts(self.engine)
            allowed = CHANGES_ON_PURPOSE.get((scope["method"], scope["path"], status), set())
            changed = {
                t: (before[t], after[t])
                for t in before
                if before[t] != after[t] and t not in allowed
            }
            if changed:
                self.refused_but_stored.append(
                    StoredByRefusal(scope["method"], scope["path"], status, changed)
                )

    def dispose(self) -> None:
        self.engine.dispose()

    def settle(self, busy: Callable[[], bool] = lambda: False, timeout: float = 10.0) -> None:
        """Wait until work the last request left behind is done: `busy` false, counts still."""
        deadline = time.monotonic() + timeout
        last, still = None, 0
        while still < 3:
            counts = row_counts(self.engine)
            still = still + 1 if counts == last and not busy() else 0
            last = counts
            if time.monotonic() > deadline:
                raise AssertionError("background work did not settle")
            time.sleep(0.05)


@dataclass
class WatchedGateway:
    url: str
    app: Any
    watch: StorageWatch
    server: ServerThread

    def stop(self) -> None:
        self.server.stop()
        self.watch.dispose()


def serve_watched(app: Any, database_url: str, port: int | None = None) -> WatchedGateway:
    watch = StorageWatch(app, database_url)
    server = ServerThread(watch, port=port)
    return WatchedGateway(server.start(), app, watch, server)


@dataclass
class FuzzReport:
    """What one schemathesis run found: the CLI's figures and every status per operation."""

    cases: int = 0
    failures: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    statuses: collections.Counter[tuple[str, int]] = field(default_factory=collections.Counter)

    def server_errors(self) -> dict[tuple[str, int], int]:
        return {key: n for key, n in self.statuses.items() if key[1] >= 500}

    def accepted(self, operations: set[str]) -> dict[tuple[str, int], int]:
        """2xx answers to `operations` (labels such as "POST /api/v1/messages")."""
        return {
            key: n for key, n in self.statuses.items() if key[0] in operations and key[1] < 300
        }

    def summary(self) -> str:
        return (
            f"{self.cases} cases, {len(self.failures)} failures, "
            f"{sum(self.server_errors().values())} responses 5xx, {len(self.errors)} errors"
        )


def _record(report: FuzzReport, statistic: Statistic, event: events.ScenarioFinished) -> None:
    statistic.on_scenario_finished(event.recorder)
    for case_id, interaction in event.recorder.interactions.items():
        node = event.recorder.cases.get(case_id)
        if interaction.response is not None and node is not None:
            report.statuses[(node.value.operation.label, interaction.response.status_code)] += 1


def _failures(statistic: Statistic) -> list[str]:
    found = []
    for label, groups in statistic.failures.items():
        for group in groups.values():
            status = group.response.status_code if group.response is not None else None
            for failure in group.failures:
                found.append(f"{label} -> {status}: {failure.title}\n{failure.message}\n{group.code_sample}")
    return found


def _auth(credentials: dict[str, str]) -> dict[str, Any]:
    """schemathesis's auth section: a value per security scheme of the document."""
    if not credentials:
        return {}
    return {
        "openapi": {
            scheme: {"bearer": value} if scheme == "HTTPBearer" else {"api_key": value}
            for scheme, value in credentials.items()
        }
    }


def run_schemathesis(
    base_url: str,
    *,
    credentials: dict[str, str] | None = None,
    dictionaries: dict[str, list[Any]] | None = None,
    bindings: dict[str, str] | None = None,
    max_examples: int = MAX_EXAMPLES,
    on_event: Callable[[events.EngineEvent], None] | None = None,
) -> FuzzReport:
    """Every check on every operation of base_url's /openapi.json, bounded by `max_examples`.

    `credentials` give a value to security schemes by name ("APIKeyHeader": key).

    `dictionaries` name lists of real values (ids the test seeded) and `bindings`
    say which parameter draws from which, half of the time ("body.sender_id":
    "senders"), so that some cases get past "no such conversation".
    """
    config = schemathesis.Config.from_dict(
        {
            "base-url": base_url,
            "auth": _auth(credentials or {}),
            "seed": SEED,
            "workers": 1,
            "request-timeout": 20,
            "cache": {"enabled": False},
            "generation": {"max-examples": max_examples, "database": "none"},
            "checks": {"negative_data_rejection": {"expected-statuses": NEGATIVE_REJECTED}},
            "dictionaries": {name: {"values": values} for name, values in (dictionaries or {}).items()},
            "parameters": {
                key: {"dictionary": name, "probability": 0.5} for key, name in (bindings or {}).items()
            },
        }
    )
    config.projects.default.checks.update(included_check_names=["all"])
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json", config=config)
    report, statistic = FuzzReport(), Statistic()
    for event in from_schema(schema).execute():
        if on_event is not None:
            on_event(event)
        if isinstance(event, events.ScenarioFinished):
            _record(report, statistic, event)
        elif isinstance(event, events.NonFatalError) and not _is_missing_links(event):
            report.errors.append(f"{event.label}: {event.info.format()}")
        elif isinstance(event, events.FatalError):
            report.errors.append(f"fatal: {event.exception!r}")
    report.cases = statistic.total_cases
    report.failures = _failures(statistic)
    return report


def _is_missing_links(event: events.NonFatalError) -> bool:
    # The stateful phase says so when the document declares no links between operations.
    return "Missing Open API links" in event.info.format()


def operations_needing_credentials(spec: dict[str, Any]) -> set[str]:
    """Labels of the operations whose OpenAPI entry names a security scheme."""
    return {
        f"{method.upper()} {path}"
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if operation.get("security")
    }
