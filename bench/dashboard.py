"""Dashboard benchmark: the admins' page on 10,000 seeded conversations, on SQLite and PostgreSQL.

    .venv/bin/python bench/dashboard.py [--conversations 10000] [--days 30] [--runs 20]
        [--postgres-url postgresql+psycopg2://postgres@127.0.0.1:5432/test] [--no-postgres]

For each database: a fresh, migrated database (a temporary SQLite file; a
PostgreSQL database created for the run and dropped after it), seeded by
tests/support/seed.py with a realistic mix over the last `--days` days, then an
admin logs in to the console served by uvicorn on loopback and requests
/console/dashboard `--runs` times (after one warm-up) for each period:

- "30 days by day": the page's default, the last 30 days, which holds every
  seeded conversation when --days is 30;
- "13 weeks by week": the last 91 days by week.

It prints the latency of the whole HTTP request (SQL, report, SVG, HTML) per
database and period, median, p95 and max, and the target: under 500 ms. The
last line printed is one JSON object. Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.blas import configure_openblas  # noqa: E402

configure_openblas()

# Throwaway secrets: the console signs its session with one; nothing else runs.
for _name in ("PATIENTBOT_SESSION_SECRET", "PATIENTBOT_HANDOFF_SECRET", "PATIENTBOT_RASA_TOKEN", "PATIENTBOT_ACTIONS_TOKEN"):
    os.environ[_name] = secrets.token_urlsafe(24)

import httpx  # noqa: E402
from fastapi import FastAPI  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from bot.console.app import router as console_router  # noqa: E402
from bot.db.base import utcnow  # noqa: E402
from bot.db.migrate import upgrade  # noqa: E402
from bot.db.session import make_engine, make_session_factory, unit_of_work  # noqa: E402
from tests.support.handoff import make_clinician, serve  # noqa: E402
from tests.support.seed import seed_conversations  # noqa: E402

TARGET_MS = 500.0
ADMIN = "bench-admin"
PASSWORD = "bench password, not a secret"
DEFAULT_POSTGRES = os.environ.get(
    "PATIENTBOT_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
)


@contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="pb-dashboard-") as folder:
        yield f"sqlite:///{folder}/bench.db"


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    """A database of its own on the server, dropped at the end whatever happens."""
    name = f"pb_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n AND pid <> pg_backend_pid()"),
                {"n": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def _login(client: httpx.Client) -> None:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/console/login").text)
    assert token, "no login form"
    response = client.post(
        "/console/login", data={"username": ADMIN, "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert response.status_code == 303, response.text


def timed_get(client: httpx.Client, path: str, params: dict[str, str], runs: int) -> dict[str, float]:
    """Median, p95 and max of `runs` GETs of one console page after a warm-up (also bench/inbox.py's)."""
    client.get(path, params=params).raise_for_status()  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path, params=params)
        times.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    times.sort()
    return {
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[max(0, int(0.95 * len(times)) - 1)], 1),
        "max_ms": round(times[-1], 1),
        "bytes": len(response.content),
    }


def _time(client: httpx.Client, params: dict[str, str], runs: int) -> dict[str, float]:
    return timed_get(client, "/console/dashboard", params, runs)


def bench(url: str, args: argparse.Namespace) -> dict[str, Any]:
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    started = time.perf_counter()
    with unit_of_work(factory) as session:
        admin = make_clinician(session, ADMIN, password=PASSWORD, role="admin")
        truth = seed_conversations(
            session=session, count=args.conversations, end=utcnow(), days=args.days, seed=args.seed, clinician_id=admin.id
        )
    seeded_s = time.perf_counter() - started
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))  # as autovacuum would have by the time anyone looks
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    app = FastAPI()
    app.state.session_factory = factory
    app.include_router(console_router)
    today = utcnow().date()
    periods = {
        "30 days by day": {},
        "13 weeks by week": {"from": (today - timedelta(days=90)).isoformat(), "to": today.isoformat(), "group": "week"},
    }
    try:
        with serve(app) as base_url, httpx.Client(base_url=base_url, timeout=60) as client:
            _login(client)
            timings = {name: _time(client, params, args.runs) for name, params in periods.items()}
    finally:
        engine.dispose()
    return {
        "conversations": sum(truth.conversations.values()),
        "messages_from_patients": sum(truth.messages.values()),
        "handoffs": sum(truth.handoffs.values()),
        "seeded_s": round(seeded_s, 1),
        "periods": timings,
    }


def arguments(doc: str) -> argparse.ArgumentParser:
    """The options both console benchmarks take (this one's and bench/inbox.py's)."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=30, help="seeded conversations start in the last DAYS days")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES, help="a server database to create the run's own from")
    parser.add_argument("--no-postgres", action="store_true")
    return parser


def main() -> None:
    args = arguments(__doc__).parse_args()
    results: dict[str, Any] = {}
    with sqlite_database() as url:
        results["sqlite"] = bench(url, args)
    if not args.no_postgres:
        with postgres_database(args.postgres_url) as url:
            results["postgresql"] = bench(url, args)

    print(f"\nGET /console/dashboard, {args.runs} runs after a warm-up (target: under {TARGET_MS:.0f} ms)")
    print(f"{'database':<12} {'period':<18} {'median':>9} {'p95':>9} {'max':>9}  page")
    for database, result in results.items():
        for period, t in result["periods"].items():
            verdict = "ok" if t["p95_ms"] < TARGET_MS else "OVER TARGET"
            print(
                f"{database:<12} {period:<18} {t['median_ms']:>7.1f}ms {t['p95_ms']:>7.1f}ms {t['max_ms']:>7.1f}ms"
                f"  {t['bytes'] // 1024} KiB  {verdict}"
            )
        print(
            f"{'':<12} seeded {result['conversations']:,} conversations, {result['messages_from_patients']:,} "
            f"patient messages, {result['handoffs']:,} handoffs in {result['seeded_s']} s"
        )
    print(json.dumps({"target_ms": TARGET_MS, "runs": args.runs, **results}))


if __name__ == "__main__":
    main()
