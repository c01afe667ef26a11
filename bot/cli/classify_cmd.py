"""`patientbot classify`: one JSON decision per question, for evaluation and other tools."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from bot.paths import MODELS_DIR


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "classify",
        help="decide answer|clarify|handoff|emergency for each question (stdin, one per line)",
        description="Runs the trained model in-process. Reads one question per line from stdin, "
        "or a CSV column with --csv/--column; prints one JSON object per line.",
    )
    parser.add_argument(
        "--model", type=Path, default=MODELS_DIR / "patientbot.tar.gz",
        help="model archive, or a folder to take the newest archive from (default models/patientbot.tar.gz)",
    )
    parser.add_argument("--csv", type=Path, help="read questions from this CSV file")
    parser.add_argument("--column", help="CSV column holding the questions (with --csv)")
    parser.add_argument(
        "--no-safety", action="store_true", help="skip the red-flag detector and advice guard (NLU only)"
    )
    parser.set_defaults(func=cmd_classify)


def _questions(args: argparse.Namespace) -> Iterator[str]:
    if args.csv:
        with args.csv.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            if args.column not in (reader.fieldnames or []):
                raise ValueError(f"column '{args.column}' not in {args.csv} (columns: {reader.fieldnames})")
            for row in reader:
                yield row[args.column] or ""
    else:
        for line in sys.stdin:
            yield line.rstrip("\n")


def cmd_classify(args: argparse.Namespace) -> int:
    if bool(args.csv) != bool(args.column):
        print("error: --csv and --column go together", file=sys.stderr)
        return 2
    if args.csv and not args.csv.is_file():
        print(f"error: {args.csv} does not exist", file=sys.stderr)
        return 2
    from bot.nlu.classifier import ModelRunner, SafetyLayer, classify_texts, latest_model

    try:
        model = latest_model(args.model)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    runner = ModelRunner(model)
    safety = None if args.no_safety else SafetyLayer()
    try:
        for decision in classify_texts(_questions(args), runner, safety):
            print(json.dumps(decision.as_json(), ensure_ascii=False), flush=True)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        runner.close()
    return 0
