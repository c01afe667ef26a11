"""Inbox benchmark: the unanswered-questions page on 10,000 seeded conversations, on SQLite and PostgreSQL.

    .venv/bin/python bench/inbox.py [--conversations 10000] [--days 30] [--runs 20]
        [--postgres-url postgresql+psycopg2://postgres@127.0.0.1:5432/test] [--no-postgres]

For each database: a fresh, migrated database seeded by tests/support/seed.py
(the dashboard benchmark's mix: rephrase requests and "did you mean" offers
worded from a pool of patient questions the content does not answer, "Not
helpful" presses), then one collection pass (bot.inbox.collect: classify,
embed with the shipped all-MiniLM-L6-v2, group), timed apart, then a clinician
logs in to the console served by uvicorn on loopback and requests
/console/inbox `--runs` times (after one warm-up) for each view:

- "30 days, largest first": the page's default;
- "30 days, newest first";
- "7 days, largest first".

It prints the latency of the whole HTTP request (SQL, audit row, HTML) per
database and view, median, p95 and max, against the target: under 500 ms.
The last line printed is one JSON object. Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

# The dashboard benchmark's databases, secrets and login (it sets the throwaway secrets on import).
import httpx  # noqa: E402
from dashboard import (  # noqa: E402
    ADMIN,
    PASSWORD,
    _login,
    arguments,
    postgres_database,
    sqlite_database,
    timed_get,
)
from fastapi import FastAPI  # noqa: E402
from sqlalchemy import func, select, text, update  # noqa: E402

from bot.console.app import router as console_router  # noqa: E402
from bot.content.store import get_content_store  # noqa: E402
from bot.db.base import utcnow  # noqa: E402
from bot.db.migrate import upgrade  # noqa: E402
from bot.db.models import Message  # noqa: E402
from bot.db.session import make_engine, make_session_factory, unit_of_work  # noqa: E402
from bot.inbox.collect import collect  # noqa: E402
from bot.inbox.grouping import faq_index  # noqa: E402
from bot.inbox.models import InboxGroup  # noqa: E402
from bot.nlu.embedding_model import shared_encoder  # noqa: E402
from tests.support.handoff import make_clinician, serve  # noqa: E402
from tests.support.seed import PATIENT_MARK, seed_conversations  # noqa: E402

TARGET_MS = 500.0


def bench(url: str, args: argparse.Namespace) -> dict[str, Any]:
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        admin = make_clinician(session, ADMIN, password=PASSWORD, role="admin")
        truth = seed_conversations(
            session=session, count=args.conversations, end=utcnow(), days=args.days, seed=args.seed, clinician_id=admin.id
        )
        # Patients' words as they type them: the seed marks every text so that the dashboard's
        # tests can prove none reaches it, and that shared mark would make every question alike.
        session.execute(
            update(Message).where(Message.sender == "patient").values(text=func.replace(Message.text, f"{PATIENT_MARK} ", ""))
        )
    encoder = shared_encoder()
    faqs = faq_index(get_content_store().entries(), encoder)
    started = time.perf_counter()
    with unit_of_work(factory) as session:
        collected = collect(session=session, encoder=encoder, faqs=faqs, now=utcnow())
        groups = session.scalar(select(func.count()).select_from(InboxGroup))
    collect_s = time.perf_counter() - started
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE"))  # as autovacuum would have by the time anyone looks
    app = FastAPI()
    app.state.session_factory = factory
    app.state.inbox_collector = None  # collected above; the timings are of the page alone
    app.include_router(console_router)
    today = utcnow().date()
    views = {
        "30 days, largest first": {},
        "30 days, newest first": {"sort": "newest"},
        "7 days, largest first": {"from": (today - timedelta(days=6)).isoformat(), "to": today.isoformat()},
    }
    try:
        with serve(app) as base_url, httpx.Client(base_url=base_url, timeout=60) as client:
            _login(client)
            timings = {name: timed_get(client, "/console/inbox", params, args.runs) for name, params in views.items()}
    finally:
        engine.dispose()
    return {
        "conversations": sum(truth.conversations.values()),
        "messages_from_patients": sum(truth.messages.values()),
        "inbox_questions": sum(collected.added.values()),
        "by_kind": dict(collected.added),
        "groups": groups,
        "collect_s": round(collect_s, 1),
        "views": timings,
    }


def main() -> None:
    args = arguments(__doc__).parse_args()
    results: dict[str, Any] = {"sqlite": None}
    with sqlite_database() as url:
        results["sqlite"] = bench(url, args)
    if not args.no_postgres:
        with postgres_database(args.postgres_url) as url:
            results["postgresql"] = bench(url, args)
    print(f"\nGET /console/inbox, {args.runs} runs after a warm-up; target under {TARGET_MS:.0f} ms")
    for database, result in results.items():
        print(
            f"{database}: {result['conversations']:,} conversations, {result['inbox_questions']:,} inbox questions "
            f"{result['by_kind']} in {result['groups']} groups, collected in {result['collect_s']} s"
        )
        for view, t in result["views"].items():
            flag = "ok" if t["p95_ms"] < TARGET_MS else "OVER TARGET"
            print(f"  {view:<24} median {t['median_ms']:.1f} ms  p95 {t['p95_ms']:.1f} ms  max {t['max_ms']:.1f} ms  {flag}")
    print(json.dumps({"target_ms": TARGET_MS, "runs": args.runs, **results}))


if __name__ == "__main__":
    main()
