"""Where a Rasa server spends its time per message, without HTTP: a Rasa agent in-process.

    python bench/rasa_profile.py [--model models/patientbot.tar.gz] [--endpoints FILE]
                                 [--messages 300] [--parse-only] [--profile 40]

Loads the model as `rasa run` does (with the tracker store of --endpoints; without
it, Rasa's in-memory store), sends the benchmark's patient questions (bench/e2e.py)
as 5-turn conversations and prints the mean milliseconds per message, on one
TensorFlow thread as `patientbot run` configures each Rasa server. With --profile N
it also prints cProfile's N most expensive calls (cumulative; the profiler itself
adds about a third). This is how the tracker store's cost per message was found
(bot/tracker_store.py). The questions never reach a custom action, so no action
server is needed.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import logging
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_INTRA_OP_PARALLELISM_THREADS", "1")
os.environ.setdefault("TF_INTER_OP_PARALLELISM_THREADS", "1")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

from bot.blas import configure_openblas  # noqa: E402

# Before numpy loads (bot/blas.py).
configure_openblas()

from bench.e2e import QUESTIONS  # noqa: E402

TURNS = 5
WARM_UP = 30


async def measure(args: argparse.Namespace) -> float:
    from rasa.core.agent import load_agent
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    endpoints = AvailableEndpoints.read_endpoints(args.endpoints) if args.endpoints else None
    agent = await load_agent(model_path=str(args.model), endpoints=endpoints)
    run_id = time.time_ns()

    async def send(index: int) -> None:
        text = QUESTIONS[index % len(QUESTIONS)]
        if args.parse_only:
            await agent.parse_message(text)
            return
        sender = f"profile-{run_id}-{index // TURNS}"
        await agent.handle_message(UserMessage(text, CollectingOutputChannel(), sender_id=sender))

    for index in range(WARM_UP):
        await send(index)
    profiler = cProfile.Profile() if args.profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    for index in range(WARM_UP, WARM_UP + args.messages):
        await send(index)
    if profiler:
        profiler.disable()
    elapsed = time.perf_counter() - started
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)
    return elapsed / args.messages * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "patientbot.tar.gz")
    parser.add_argument("--endpoints", help="endpoints.yml whose tracker store to use")
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument(
        "--parse-only", action="store_true", help="NLU only (no tracker, no policies)"
    )
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="print cProfile's top N"
    )
    args = parser.parse_args(argv)
    if not args.model.exists():
        parser.error(f"no model at {args.model}: run `make setup` first")
    if args.messages < 1:
        parser.error("--messages must be at least 1")
    ms = asyncio.run(measure(args))
    mode = "parse" if args.parse_only else "message"
    store = args.endpoints or "in-memory tracker store"
    print(
        f"{ms:.2f} ms per {mode} ({args.messages} messages, {store}"
        f"{', under cProfile' if args.profile else ''})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
