"""`patientbot nlp build`: build PatientBot's spaCy pipeline (lemmas, medical terms, red flags).

Offline and fast (a few seconds, most of it importing spaCy). Safe to run
again at any time: it rebuilds from the rules in the code and replaces the
previous pipeline in one step.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.paths import NLP_PIPELINE_DIR


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "nlp",
        help="build the spaCy pipeline used by the safety layer",
        description="Manage PatientBot's own spaCy pipeline (tokenizer, lookup lemmas from "
        "spacy-lookups-data, medical-term and red-flag rules).",
    )
    commands = parser.add_subparsers(dest="nlp_command", metavar="ACTION", required=True)
    build = commands.add_parser(
        "build",
        help="build the pipeline from the rules in the code (idempotent, offline)",
        description="Build the pipeline and save it, replacing any previous build. Needs "
        "spacy-lookups-data at build time only; loading the result needs no download.",
    )
    build.add_argument(
        "--output",
        type=Path,
        default=NLP_PIPELINE_DIR,
        metavar="DIR",
        help=f"where to save the pipeline (default {NLP_PIPELINE_DIR})",
    )
    build.set_defaults(func=cmd_build)


def cmd_build(args: argparse.Namespace) -> int:
    from bot.nlp.pipeline import build_pipeline

    try:
        path = build_pipeline(args.output)
    except (OSError, ValueError) as exc:
        print(f"error: could not build the NLP pipeline: {exc}", file=sys.stderr)
        return 1
    print(f"NLP pipeline built at {path}")
    return 0
