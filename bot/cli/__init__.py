"""The `patientbot` command: one entry point, one module per group of subcommands.

Each module in bot/cli/ exposes `register(subparsers)`, adding its subcommands
with a `func` default that takes the parsed arguments and returns an exit code.
Heavy imports (Rasa, TensorFlow, spaCy) happen inside those functions so that
`patientbot --help` stays instant.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from bot.blas import configure_openblas

# Modules that contribute subcommands, in the order they appear in --help.
_COMMAND_MODULES = (
    "bot.cli.setup_cmd",
    "bot.cli.content_cmd",
    "bot.cli.inbox_cmd",
    "bot.cli.classify_cmd",
    "bot.cli.eval_cmd",
    "bot.cli.nlp_cmd",
    "bot.cli.db_cmd",
    "bot.cli.clinician_cmd",
    "bot.cli.apikey_cmd",
    "bot.cli.serve_cmd",
    "bot.cli.config_cmd",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="patientbot",
        description="PatientBot: vetted health answers on Telegram and web chat, with clinician handoff.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log at DEBUG level")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # that group is not part of this build yet
                continue
            raise
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Before any subcommand imports numpy; the servers `serve` starts inherit it (bot/blas.py).
    configure_openblas()
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
