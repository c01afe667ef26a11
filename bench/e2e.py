"""End-to-end benchmark: simulated patients through the whole stack vs. stock Rasa's REST channel.

    python bench/e2e.py [--patients 20] [--short-turns 5] [--long-turns 100] [--model models/patientbot.tar.gz]

Starts, on loopback only:
- stock Rasa: one plain `rasa run` on the same model, as Rasa ships it (in-memory
  tracker store, TensorFlow's default threads);
- the stack as `patientbot run` starts it: the Rasa servers (--rasa-instances,
  default from settings: one per core, sharing one SQLite tracker file through
  bot.tracker_store), the action server, and the gateway (`patientbot gateway`, a
  real uvicorn process with a fresh SQLite database).
Then, in one run:

1. stock:  N patients x short turns straight to stock Rasa's /webhooks/rest/webhook;
2. stack:  N patients x short turns through the gateway's REST API (store, safety
           check, routing, Rasa, store replies);
3. long:   N patients x long turns through the gateway, for the per-message cost
           of long conversations;
4. stock-paced, stack-paced: the same N patients, 2 short conversations each,
           pausing --think-s seconds (0.5 to 1.5 x) between messages as people
           in a chat do: the latency patients see with N chats open.

Phases 1-3 saturate the machine (each patient writes again the moment it is
answered): their throughput is the capacity, and their latency is mostly time
spent queueing behind the other patients' messages.

Besides latency it reports, per phase, the CPU time each service (and the
simulated patients themselves, "bench-client") spent per message and each
service's resident memory (RSS) at the end.

Before the load phases it times the gateway's safety check in-process, per
message: the rules alone and the whole safety net (rules, semantic detector,
urgency signs), on the benchmark's own patient messages ("safety_ms").

Every patient waits for each answer before its next message.
Loops are bounded by turn counts and a global deadline; all servers are stopped
at the end whatever happens. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.blas import configure_openblas  # noqa: E402

# Both sides' servers inherit it (bot/blas.py).
configure_openblas()

from bot.cli.serve_cmd import rasa_server_env  # noqa: E402
from bot.gateway.supervisor import ServiceSpec, Supervisor  # noqa: E402
from bot.settings import Settings  # noqa: E402

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
# Conversations per patient in the paced phases (each message is followed by a pause).
PACED_ROUNDS = 2
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

    def by_turn_summary(self) -> dict[int, dict[str, float]]:
        """Mean and p95 per turn: where in a conversation the slow answers are."""
        result = {}
        for turn, items in sorted(self.by_turn.items()):
            ordered = sorted(items)
            result[turn] = {
                "mean_ms": round(statistics.fmean(ordered), 1),
                "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1),
            }
        return result

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


def group_usage(pgid: int) -> tuple[float, int]:
    """(CPU seconds, resident bytes) of every process in a process group, from /proc."""
    ticks, pages = 0, 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) != pgid:
                continue
            ticks += int(fields[11]) + int(fields[12])
            pages += int((stat.parent / "statm").read_text().split()[1])
        except (OSError, ValueError, IndexError):
            continue  # the process ended while we looked
    return ticks / os.sysconf("SC_CLK_TCK"), pages * os.sysconf("SC_PAGE_SIZE")


class Stack:
    """Stock Rasa, and the stack's Rasa servers + action server + gateway, as process groups."""

    def __init__(self, model: Path, workdir: Path, rasa_instances: int) -> None:
        self.workdir = workdir
        self.actions_port, self.gateway_port = free_port(), free_port()
        self.stock_url = f"http://127.0.0.1:{free_port()}"
        self.rasa_urls = [f"http://127.0.0.1:{free_port()}" for _ in range(rasa_instances)]
        self.gateway_url = f"http://127.0.0.1:{self.gateway_port}"
        self.database_url = f"sqlite:///{workdir / 'patientbot.db'}"
        secret = secrets.token_urlsafe(24)
        # The doors `patientbot run` closes: the action server's and the Rasa servers' tokens.
        tokens = {
            "PATIENTBOT_ACTIONS_TOKEN": secrets.token_urlsafe(24),
            "PATIENTBOT_RASA_TOKEN": secrets.token_urlsafe(24),
        }
        actions = (
            f'action_endpoint:\n  url: "http://127.0.0.1:{self.actions_port}/webhook"\n'
            "  token: ${PATIENTBOT_ACTIONS_TOKEN}\n"
        )
        stock_endpoints = workdir / "stock_endpoints.yml"
        stock_endpoints.write_text(actions)  # Rasa's default tracker store: in memory
        # Stock Rasa's own REST channel, not the checkout's token-guarded one (credentials.yml).
        stock_credentials = workdir / "stock_credentials.yml"
        stock_credentials.write_text("rest:\n")
        endpoints = workdir / "endpoints.yml"
        endpoints.write_text(
            actions + "tracker_store:\n  type: bot.tracker_store.SQLiteTrackerStore\n"
            f"  db: {workdir / 'rasa_tracker.db'}\n"
        )
        gateway_env = {
            "PATIENTBOT_DATABASE_URL": self.database_url,
            "PATIENTBOT_RASA_URL": ",".join(self.rasa_urls),
            "PATIENTBOT_HANDOFF_SECRET": secret,
            "PATIENTBOT_SESSION_SECRET": secrets.token_urlsafe(24),
            "PATIENTBOT_TELEGRAM_BOT_TOKEN": "",
            "PATIENTBOT_PUBLIC_URL": self.gateway_url,
            **tokens,
        }

        def rasa(name: str, url: str, endpoints_file: Path, env: dict[str, str]) -> ServiceSpec:
            # Stock Rasa as it comes; the stack's as `patientbot run` starts them (bot/rasa_server.py).
            argv = (
                [rasa_bin(), "run", "--credentials", str(stock_credentials)]
                if name.startswith("stock")
                else [sys.executable, "-m", "bot.rasa_server", "--credentials", str(ROOT / "credentials.yml")]
            )
            return ServiceSpec(
                name,
                [
                    *argv, "--enable-api", "--interface", "127.0.0.1",
                    "--port", url.rsplit(":", 1)[1], "--model", str(model),
                    "--endpoints", str(endpoints_file),
                ],
                f"{url}/",
                env={**RASA_ENV, **tokens, **env},
                cwd=ROOT,
                start_timeout_s=300,
                log_path=workdir / f"{name}.log",
                start_group="rasa",
            )

        specs = [
            ServiceSpec(
                "actions",
                [sys.executable, "-m", "actions.server", "--port", str(self.actions_port)],
                f"http://127.0.0.1:{self.actions_port}/health",
                env={
                    **RASA_ENV,
                    "PATIENTBOT_GATEWAY_URL": self.gateway_url,
                    "PATIENTBOT_HANDOFF_SECRET": secret,
                    "PATIENTBOT_ACTIONS_TOKEN": tokens["PATIENTBOT_ACTIONS_TOKEN"],
                },
                cwd=ROOT,
                start_timeout_s=120,
                log_path=workdir / "actions.log",
            ),
            rasa("stock-rasa", self.stock_url, stock_endpoints, {}),
            *(
                rasa(f"rasa-{i + 1}", url, endpoints, rasa_server_env(rasa_instances))
                for i, url in enumerate(self.rasa_urls)
            ),
            ServiceSpec(
                "gateway",
                [
                    sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())",
                    "gateway", "--host", "127.0.0.1", "--port", str(self.gateway_port),
                ],
                f"{self.gateway_url}/health",
                env={k: v for k, v in gateway_env.items() if v},
                cwd=workdir,  # no var/patientbot.env from a developer's checkout
                start_timeout_s=180,
                log_path=workdir / "gateway.log",
            ),
        ]
        self.supervisor = Supervisor(specs)

    def start(self) -> None:
        self.supervisor.start_all()

    def stop(self) -> None:
        self.supervisor.stop_all()

    def usage(self) -> dict[str, tuple[float, int]]:
        """(CPU seconds, RSS bytes) per service; the stack's Rasa servers summed as "rasa"."""
        totals: dict[str, tuple[float, int]] = {}
        for managed in self.supervisor.processes:
            if managed.pid is None:
                continue
            name = "rasa" if managed.spec.name.startswith("rasa-") else managed.spec.name
            cpu, rss = group_usage(managed.pid)
            before = totals.get(name, (0.0, 0))
            totals[name] = (before[0] + cpu, before[1] + rss)
        return totals

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
    name: str,
    patients: int,
    turns: int,
    send: Any,
    deadline: float,
    rounds: int = 1,
    think_s: float = 0.0,
) -> Phase:
    """`patients` concurrent patients, each holding `rounds` conversations of `turns` messages.

    send(conversation key, turn, text) -> None. A patient starts the next
    conversation when the previous one ends, so concurrency stays at `patients`.
    With `think_s` 0 each patient writes again as soon as it is answered (the
    saturating load of the throughput figures); otherwise it first reads and
    types for 0.5 to 1.5 x `think_s` (seeded, so every run paces alike), as
    people in a chat do.
    """
    phase = Phase(name)

    async def patient(index: int) -> None:
        pace = random.Random(index)
        if think_s:
            await asyncio.sleep(think_s * index / patients)  # patients do not all start at once
        for round_ in range(rounds):
            for turn in range(1, turns + 1):
                if time.monotonic() > deadline:
                    return
                text = QUESTIONS[(index + turn) % len(QUESTIONS)]
                started = time.perf_counter()
                try:
                    await send(f"{index}-{round_}", turn, text)
                except (aiohttp.ClientError, asyncio.TimeoutError, ValueError, AssertionError):
                    phase.errors += 1
                    continue
                phase.record(turn, (time.perf_counter() - started) * 1000)
                if think_s:
                    await asyncio.sleep(think_s * (0.5 + pace.random()))

    started = time.perf_counter()
    await asyncio.gather(*(patient(i) for i in range(patients)))
    phase.wall_s = time.perf_counter() - started
    return phase


async def benchmark(args: argparse.Namespace, stack: Stack) -> dict[str, Any]:
    deadline = time.monotonic() + args.max_seconds
    key = stack.api_key()
    # aiohttp rather than httpx: the simulated patients share the 2 cores with
    # the services under test, and httpx costs about three times the CPU per
    # request (bot/gateway/rasa_client.py). Both sides get the same client.
    connector = aiohttp.TCPConnector(limit=args.patients * 2)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as client:
        run_id = secrets.token_hex(3)

        async def stock(index: str, turn: int, text: str) -> None:
            async with client.post(
                f"{stack.stock_url}/webhooks/rest/webhook",
                json={"sender": f"stock-{run_id}-{index}", "message": text},
            ) as response:
                response.raise_for_status()
                assert isinstance(await response.json(), list)

        def through_gateway(prefix: str) -> Any:
            async def send(index: str, turn: int, text: str) -> None:
                async with client.post(
                    f"{stack.gateway_url}/api/v1/messages",
                    json={"external_id": f"{prefix}-{run_id}-{index}", "text": text},
                    headers={"X-API-Key": key},
                ) as response:
                    response.raise_for_status()
                    outcome = (await response.json())["outcome"]
                    assert outcome == "bot", outcome

            return send

        # Warm-up: first requests load lazily built parts (both sides get the same).
        await run_phase("warmup-stock", 2, 2, stock, deadline)
        await run_phase("warmup-stack", 2, 2, through_gateway("warm"), deadline)

        plan = {
            "stock": (args.short_turns, stock, args.rounds, 0.0),
            "stack": (args.short_turns, through_gateway("short"), args.rounds, 0.0),
            "long": (args.long_turns, through_gateway("long"), 1, 0.0),
            "stock-paced": (args.short_turns, stock, PACED_ROUNDS, args.think_s),
            "stack-paced": (args.short_turns, through_gateway("paced"), PACED_ROUNDS, args.think_s),
        }
        phases: dict[str, Phase] = {}
        cpu_ms_per_msg: dict[str, dict[str, float]] = {}
        for name, (turns, send, rounds, think_s) in plan.items():
            before = {**stack.usage(), "bench-client": (time.process_time(), 0)}
            phases[name] = await run_phase(
                name, args.patients, turns, send, deadline, rounds, think_s
            )
            after = {**stack.usage(), "bench-client": (time.process_time(), 0)}
            count = max(len(phases[name].latencies_ms), 1)
            cpu_ms_per_msg[name] = {
                service: round((after[service][0] - before.get(service, (0.0, 0))[0]) * 1000 / count, 2)
                for service in after
                if after[service][0] - before.get(service, (0.0, 0))[0] > 0
            }
        rss_mb = {service: round(rss / 2**20) for service, (_cpu, rss) in stack.usage().items()}
    summaries = {name: phase.summary() for name, phase in phases.items()}
    for name, summary in summaries.items():
        print(f"{name:11} " + "  ".join(f"{k}={v}" for k, v in summary.items()), flush=True)
        print(f"{'':11} CPU ms per message: {cpu_ms_per_msg[name]}", flush=True)
    for name in ("stock", "stack"):
        print(f"{name:11} by turn: {phases[name].by_turn_summary()}", flush=True)
    print(f"resident memory (MB): {rss_mb}", flush=True)
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
        # The same patients reading and typing between messages (--think-s): the
        # latency people see at this many open chats, rather than at saturation.
        "think_s": args.think_s,
        "paced_p95_ms": summaries["stack-paced"]["p95_ms"],
        "stock_paced_p95_ms": summaries["stock-paced"]["p95_ms"],
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
        "rasa_instances": len(stack.rasa_urls),
        "cpu_count": os.cpu_count(),
        "stack_cpu_ms_per_msg": round(
            sum(
                v
                for k, v in cpu_ms_per_msg["stack"].items()
                if k not in ("stock-rasa", "bench-client")
            ),
            2,
        ),
        "stock_cpu_ms_per_msg": cpu_ms_per_msg["stock"].get("stock-rasa"),
        "cpu_ms_per_msg": cpu_ms_per_msg,
        "rss_mb": rss_mb,
        "phases": summaries,
    }


def safety_cost(texts: list[str], repeats: int = 5) -> dict[str, float]:
    """Median milliseconds per message of the gateway's safety check: the rules, and the whole net."""
    from bot.safety.net import get_safety_net

    net = get_safety_net()
    out: dict[str, float] = {}
    for name, check in (("rules", net.rules.check), ("net", net.check)):
        timings = []
        for _ in range(repeats):
            for text in texts:
                start = time.perf_counter()
                check(text)
                timings.append((time.perf_counter() - start) * 1000)
        out[name] = round(statistics.median(timings), 2)
    return out


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
        default=10,
        help="short conversations per patient, back to back (default 10: 1,000 messages "
        "per short phase, enough for a steady figure)",
    )
    parser.add_argument(
        "--rasa-instances",
        type=int,
        default=None,
        help="the stack's Rasa servers (default: rasa_instances' default, as `make run` starts)",
    )
    parser.add_argument(
        "--think-s",
        type=float,
        default=2.0,
        help="paced phases: mean seconds a patient reads and types between messages (default 2)",
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
        or not 0.1 <= args.think_s <= 60
    ):
        parser.error("patients 1-500, short turns 1-1000, long turns 10-1000, think 0.1-60 s")
    if not args.model.exists():
        parser.error(f"no model at {args.model}: run `make setup` first")

    safety_ms = safety_cost(QUESTIONS)
    print(f"safety check per message (ms, median): {safety_ms}", flush=True)
    with tempfile.TemporaryDirectory(prefix="patientbot-bench-") as work:
        instances = args.rasa_instances or Settings.__fields__["rasa_instances"].default
        stack = Stack(args.model.resolve(), Path(work), instances)
        try:
            print("starting Rasa, the action server and the gateway...", flush=True)
            stack.start()
            result = asyncio.run(benchmark(args, stack))
        except Exception as exc:  # noqa: BLE001 - report, with the logs that explain it
            for path in sorted(Path(work).glob("*.log")):
                if path.exists():
                    print(
                        f"--- {path.name} (tail)\n{path.read_text(errors='replace')[-2000:]}",
                        file=sys.stderr,
                    )
            print(f"benchmark failed: {exc}", file=sys.stderr)
            return 1
        finally:
            stack.stop()
    result["safety_ms"] = safety_ms
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
