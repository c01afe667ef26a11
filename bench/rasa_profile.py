"""Where a Rasa server spends its time per message, without HTTP: a Rasa agent in-process.

    python bench/rasa_profile.py [--model models/patientbot.tar.gz] [--endpoints FILE]
                                 [--messages 300] [--parse-only] [--profile 40]
                                 [--compare models/gate_before_17.tar.gz]

Loads the model as `rasa run` does (with the tracker store of --endpoints; without
it, Rasa's in-memory store), sends the benchmark's patient questions (bench/e2e.py)
as 5-turn conversations and prints the mean milliseconds per message, on one
TensorFlow thread as `patientbot run` configures each Rasa server. With --profile N
it also prints cProfile's N most expensive calls (cumulative; the profiler itself
adds about a third). This is how the tracker store's cost per message was found
(bot/tracker_store.py). A question the model is unsure of runs the custom action
`action_suggest_faqs`, which needs an action server (--endpoints naming one); with
none, measure the model alone with --parse-only.

With --compare OTHER it measures both models in the same run, in alternating
rounds (the machine is noisy: a ratio of medians taken side by side is what
counts, never an absolute figure), and prints the cost of --model over OTHER's.
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


async def measure(args: argparse.Namespace, model: Path | None = None) -> float:
    from rasa.core.agent import load_agent
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    endpoints = AvailableEndpoints.read_endpoints(args.endpoints) if args.endpoints else None
    agent = await load_agent(model_path=str(model or args.model), endpoints=endpoints)
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
    parser.add_argument("--compare", type=Path, help="another model to measure side by side (ratio of medians)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per model with --compare")
    args = parser.parse_args(argv)
    if not args.model.exists():
        parser.error(f"no model at {args.model}: run `make setup` first")
    if args.messages < 1:
        parser.error("--messages must be at least 1")
    if args.compare:
        return _compare(args)
    ms = asyncio.run(measure(args))
    mode = "parse" if args.parse_only else "message"
    store = args.endpoints or "in-memory tracker store"
    print(
        f"{ms:.2f} ms per {mode} ({args.messages} messages, {store}"
        f"{', under cProfile' if args.profile else ''})"
    )
    return 0


def _compare(args: argparse.Namespace) -> int:
    import statistics

    if not args.compare.exists():
        print(f"error: no model at {args.compare}", file=sys.stderr)
        return 2
    times: dict[Path, list[float]] = {args.model: [], args.compare: []}
    for _round in range(args.rounds):
        for model in (args.compare, args.model):
            times[model].append(asyncio.run(measure(args, model)))
    new, old = statistics.median(times[args.model]), statistics.median(times[args.compare])
    mode = "parse" if args.parse_only else "message"
    print(f"{args.compare.name}: {old:.2f} ms per {mode} (rounds {', '.join(f'{t:.2f}' for t in times[args.compare])})")
    print(f"{args.model.name}: {new:.2f} ms per {mode} (rounds {', '.join(f'{t:.2f}' for t in times[args.model])})")
    print(f"ratio {new / old:.2f} ({args.model.name} over {args.compare.name}, medians of {args.rounds} rounds)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
