"""`patientbot config-doc`: write (or check) docs/configuration.md from the Settings class."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.paths import ROOT

CONFIG_DOC = ROOT / "docs" / "configuration.md"


def register(subparsers: argparse._SubParsersAction) -> None:
    doc = subparsers.add_parser(
        "config-doc", help="write docs/configuration.md from the settings (bot/settings.py)"
    )
    doc.add_argument("--output", type=Path, default=CONFIG_DOC, help="default docs/configuration.md")
    doc.add_argument(
        "--check", action="store_true", help="only say whether the page is current (exit 1 if not)"
    )
    doc.set_defaults(func=cmd_config_doc)


def cmd_config_doc(args: argparse.Namespace) -> int:
    from bot.settings_doc import render

    page = render()
    current = args.output.read_text(encoding="utf-8") if args.output.exists() else None
    if args.check:
        if current != page:
            print(f"{args.output} is out of date: run `patientbot config-doc`", file=sys.stderr)
            return 1
        return 0
    if current != page:
        args.output.write_text(page, encoding="utf-8")
        print(f"wrote {args.output}")
    return 0
