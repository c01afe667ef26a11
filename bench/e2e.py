"""End-to-end benchmark: simulated patients through the whole stack vs. stock Rasa's REST channel.

    python bench/e2e.py [--patients 20] [--short-turns 5] [--long-turns 100] [--model models/patientbot.tar.gz]

Starts, on loopback only: one Rasa server on the model (SQLite tracker store, as
`make run` uses), the action server, and the gateway (`patientbot gateway`, a
real uvicorn process with a fresh SQLite database). Then, in one run:

1. stock:  N patients x short turns straight to Rasa's /webhooks/rest/webhook;
2. stack:  N patients x short turns through the gateway's REST API (store, safety
           check, routing, Rasa, store replies);
3. long:   N patients x long turns through the gateway, for the per-message cost
           of long conversations.

Every patient waits for each answer before the next message (a real chat).
Loops are bounded by turn counts and a global deadline; all servers are stopped
at the end whatever happens. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.gateway.supervisor import ManagedProcess, ServiceSpec  # noqa: E402

# What patients typically send that the bot answers itself (no clinician, no red flag).
QUESTIONS = [
    "hi",
    "what are your opening hours?",
    "how do i book an appointment",
    "can i get a repeat prescription",
    "thanks",
    "do you do flu jabs",
    "how do I get my test results",
    "where are you located",
    "what should I bring to my appointment",
    "is there parking",
    "how do I cancel my appointment",
    "do antibiotics help with a cold",
    "what can you do?",
    "how long does a cold last",
    "thank you",
]
RASA_ENV = {
    "RASA_TELEMETRY_ENABLED": "false",
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
}


@dataclass
class Phase:
    name: str
    latencies_ms: list[float] = field(default_factory=list)
    by_turn: dict[int, list[float]] = field(default_factory=dict)
    errors: int = 0
    wall_s: float = 0.0

    def record(self, turn: int, ms: float) -> None:
        self.latencies_ms.append(ms)
        self.by_turn.setdefault(turn, []).append(ms)

    def summary(self) -> dict[str, Any]:
        ordered = sorted(self.latencies_ms) or [0.0]

        def pct(p: float) -> float:
            return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))], 1)

        return {
            "messages": len(self.latencies_ms),
            "errors": self.errors,
            "wall_s": round(self.wall_s, 2),
            "msgs_per_s": round(len(self.latencies_ms) / self.wall_s, 2) if self.wall_s else 0.0,
            "mean_ms": round(statistics.fmean(ordered), 1),
            "p50_ms": pct(0.50),
            "p95_ms": pct(0.95),
            "p99_ms": pct(0.99),
        }

    def mean_of_turns(self, first: int, last: int) -> float:
        values = [
            ms for turn, items in self.by_turn.items() if first <= turn <= last for ms in items
        ]
        return statistics.fmean(values) if values else 0.0


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rasa_bin() -> str:
    candidate = Path(sys.executable).with_name("rasa")
    return str(candidate) if candidate.exists() else "rasa"


class Stack:
    """Rasa + action server + gateway as child processes (process groups), on free loopback ports."""

    def __init__(self, model: Path, workdir: Path) -> None:
        self.workdir = workdir
        self.rasa_port, self.actions_port, self.gateway_port = free_port(), free_port(), free_port()
        self.rasa_url = f"http://127.0.0.1:{self.rasa_port}"
        self.gateway_url = f"http://127.0.0.1:{self.gateway_port}"
        self.database_url = f"sqlite:///{workdir / 'patientbot.db'}"
        secret = secrets.token_urlsafe(24)
        endpoints = workdir / "endpoints.yml"
        endpoints.write_text(
            f'action_endpoint:\n  url: "http://127.0.0.1:{self.actions_port}/webhook"\n'
            f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {workdir / 'rasa_tracker.db'}\n"
        )
        gateway_env = {
            "PATIENTBOT_DATABASE_URL": self.database_url,
            "PATIENTBOT_RASA_URL": self.rasa_url,
            "PATIENTBOT_HANDOFF_SECRET": secret,
            "PATIENTBOT_SESSION_SECRET": secrets.token_urlsafe(24),
            "PATIENTBOT_TELEGRAM_BOT_TOKEN": "",
            "PATIENTBOT_PUBLIC_URL": self.gateway_url,
        }
        self.services = [
            ManagedProcess(
                ServiceSpec(
                    "actions",
                    [rasa_bin(), "run", "actions", "--port", str(self.actions_port)],
                    f"http://127.0.0.1:{self.actions_port}/health",
                    env={
                        **RASA_ENV,
                        "PATIENTBOT_GATEWAY_URL": self.gateway_url,
                        "PATIENTBOT_HANDOFF_SECRET": secret,
                    },
                    cwd=ROOT,
                    start_timeout_s=120,
                    log_path=workdir / "actions.log",
                )
            ),
            ManagedProcess(
                ServiceSpec(
                    "rasa",
                    [
                        rasa_bin(),
                        "run",
                        "--enable-api",
                        "--interface",
                        "127.0.0.1",
                        "--port",
                        str(self.rasa_port),
                        "--model",
                        str(model),
                        "--endpoints",
                        str(endpoints),
                    ],
                    f"{self.rasa_url}/",
                    env=RASA_ENV,
                    cwd=ROOT,
                    start_timeout_s=300,
                    log_path=workdir / "rasa.log",
                )
            ),
            ManagedProcess(
                ServiceSpec(
                    "gateway",
                    [
                        sys.executable,
                        "-c",
                        "import sys; from bot.cli import main; sys.exit(main())",
                        "gateway",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(self.gateway_port),
                    ],
                    f"{self.gateway_url}/health",
                    env={k: v for k, v in gateway_env.items() if v},
                    cwd=workdir,  # no var/patientbot.env from a developer's checkout
                    start_timeout_s=180,
                    log_path=workdir / "gateway.log",
                )
            ),
        ]

    def start(self) -> None:
        for service in self.services:
            service.start()
            service.wait_healthy()

    def stop(self) -> None:
        for service in reversed(self.services):
            service.stop()

    def api_key(self) -> str:
        from bot.db.session import make_engine, make_session_factory, unit_of_work
        from bot.gateway.apikeys import create_api_key

        engine = make_engine(self.database_url)
        try:
            with unit_of_work(make_session_factory(engine)) as session:
                return create_api_key(session=session, name="bench").key
        finally:
            engine.dispose()


async def run_phase(
    name: str, patients: int, turns: int, send: Any, deadline: float, rounds: int = 1
) -> Phase:
    """`patients` concurrent patients, each holding `rounds` conversations of `turns` messages.

    send(conversation key, turn, text) -> None. A patient starts the next
    conversation when the previous one ends, so concurrency stays at `patients`.
    """
    phase = Phase(name)

    async def patient(index: int) -> None:
        for round_ in range(rounds):
            for turn in range(1, turns + 1):
                if time.monotonic() > deadline:
                    return
                text = QUESTIONS[(index + turn) % len(QUESTIONS)]
                started = time.perf_counter()
                try:
                    await send(f"{index}-{round_}", turn, text)
                except (httpx.HTTPError, ValueError, AssertionError):
                    phase.errors += 1
                    continue
                phase.record(turn, (time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(patient(i) for i in range(patients)))
    phase.wall_s = time.perf_counter() - started
    return phase


async def benchmark(args: argparse.Namespace, stack: Stack) -> dict[str, Any]:
    deadline = time.monotonic() + args.max_seconds
    key = stack.api_key()
    limits = httpx.Limits(
        max_connections=args.patients * 2, max_keepalive_connections=args.patients * 2
    )
    async with httpx.AsyncClient(timeout=30, limits=limits, trust_env=False) as client:
        run_id = secrets.token_hex(3)

        async def stock(index: str, turn: int, text: str) -> None:
            response = await client.post(
                f"{stack.rasa_url}/webhooks/rest/webhook",
                json={"sender": f"stock-{run_id}-{index}", "message": text},
            )
            response.raise_for_status()
            assert isinstance(response.json(), list)

        def through_gateway(prefix: str) -> Any:
            async def send(index: str, turn: int, text: str) -> None:
                response = await client.post(
                    f"{stack.gateway_url}/api/v1/messages",
                    json={"external_id": f"{prefix}-{run_id}-{index}", "text": text},
                    headers={"X-API-Key": key},
                )
                response.raise_for_status()
                assert response.json()["outcome"] == "bot", response.json()["outcome"]

            return send

        # Warm-up: first requests load lazily built parts (both sides get the same).
        await run_phase("warmup-stock", 2, 2, stock, deadline)
        await run_phase("warmup-stack", 2, 2, through_gateway("warm"), deadline)

        phases = {
            "stock": await run_phase(
                "stock", args.patients, args.short_turns, stock, deadline, args.rounds
            ),
            "stack": await run_phase(
                "stack",
                args.patients,
                args.short_turns,
                through_gateway("short"),
                deadline,
                args.rounds,
            ),
            "long": await run_phase(
                "long", args.patients, args.long_turns, through_gateway("long"), deadline
            ),
        }
    summaries = {name: phase.summary() for name, phase in phases.items()}
    for name, summary in summaries.items():
        print(f"{name:6} " + "  ".join(f"{k}={v}" for k, v in summary.items()), flush=True)
    long_phase = phases["long"]
    early = long_phase.mean_of_turns(1, 10)
    late = long_phase.mean_of_turns(args.long_turns - 9, args.long_turns)
    return {
        "stack_msgs_per_s": summaries["stack"]["msgs_per_s"],
        "stock_rasa_msgs_per_s": summaries["stock"]["msgs_per_s"],
        "p95_ms": summaries["stack"]["p95_ms"],
        "p50_ms": summaries["stack"]["p50_ms"],
        "p99_ms": summaries["stack"]["p99_ms"],
        "stock_p95_ms": summaries["stock"]["p95_ms"],
        "long_vs_short_cost_ratio": round(
            summaries["long"]["mean_ms"] / summaries["stack"]["mean_ms"], 3
        )
        if summaries["stack"]["mean_ms"]
        else None,
        "late_vs_early_turn_ratio": round(late / early, 3) if early else None,
        "long_msgs_per_s": summaries["long"]["msgs_per_s"],
        "long_p95_ms": summaries["long"]["p95_ms"],
        "errors": sum(s["errors"] for s in summaries.values()),
        "patients": args.patients,
        "short_turns": args.short_turns,
        "long_turns": args.long_turns,
        "rounds": args.rounds,
        "cpu_count": os.cpu_count(),
        "phases": summaries,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--patients", type=int, default=20, help="concurrent simulated patients (default 20)"
    )
    parser.add_argument("--short-turns", type=int, default=5)
    parser.add_argument("--long-turns", type=int, default=100)
    parser.add_argument(
        "--rounds",
        type=int,
        default=4,
        help="short conversations per patient, back to back (default 4)",
    )
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "patientbot.tar.gz")
    parser.add_argument(
        "--max-seconds", type=float, default=1200, help="hard limit for the load phases"
    )
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results" / "e2e.json")
    args = parser.parse_args(argv)
    if (
        not 1 <= args.patients <= 500
        or not 1 <= args.short_turns <= 1000
        or not 10 <= args.long_turns <= 1000
    ):
        parser.error("patients 1-500, short turns 1-1000, long turns 10-1000")
    if not args.model.exists():
        parser.error(f"no model at {args.model}: run `make setup` first")

    with tempfile.TemporaryDirectory(prefix="patientbot-bench-") as work:
        stack = Stack(args.model.resolve(), Path(work))
        try:
            print("starting Rasa, the action server and the gateway...", flush=True)
            stack.start()
            result = asyncio.run(benchmark(args, stack))
        except Exception as exc:  # noqa: BLE001 - report, with the logs that explain it
            for log in ("gateway.log", "rasa.log", "actions.log"):
                path = Path(work) / log
                if path.exists():
                    print(
                        f"--- {log} (tail)\n{path.read_text(errors='replace')[-2000:]}",
                        file=sys.stderr,
                    )
            print(f"benchmark failed: {exc}", file=sys.stderr)
            return 1
        finally:
            stack.stop()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
