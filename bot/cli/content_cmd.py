"""`patientbot content validate|build`: check the vetted content and compile it for Rasa."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from bot.content.bulletins import load_bulletins, validate_bulletins
from bot.content.compiler import compile_faq_data, write_faq_data
from bot.content.loader import ContentLoadError, load_clinic
from bot.content.validator import validate_clinic, validate_dir
from bot.paths import CLINIC_FILE, CONTENT_DIR, GENERATED_DIR


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("content", help="validate and build the vetted content")
    commands = parser.add_subparsers(dest="content_command", metavar="ACTION", required=True)

    validate = commands.add_parser(
        "validate", help="report every defect in the content files with file and line"
    )
    _common(validate)
    validate.set_defaults(func=cmd_validate)

    build = commands.add_parser(
        "build", help="generate Rasa training data and responses from approved, unexpired content"
    )
    _common(build)
    build.add_argument(
        "--output-dir", type=Path, default=GENERATED_DIR, help="where generated Rasa data goes (default data/generated)"
    )
    build.set_defaults(func=cmd_build)

    from bot.cli import proposals_cmd

    proposals_cmd.register_under(commands)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--content-dir", type=Path, default=CONTENT_DIR, help="content folder (default data/content)")
    parser.add_argument("--clinic", type=Path, default=CLINIC_FILE, help="clinic profile (default data/clinic.yml)")
    parser.add_argument("--today", type=date.fromisoformat, default=None, help=argparse.SUPPRESS)


def _check(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    if not args.content_dir.is_dir():
        print(f"error: content folder {args.content_dir} does not exist", file=sys.stderr)
        return None
    try:
        clinic = load_clinic(args.clinic)
    except ContentLoadError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None
    today = args.today or date.today()
    entries, defects = validate_dir(args.content_dir, clinic, today=today)
    bulletins, unreadable = load_bulletins(args.content_dir)
    defects = sorted(
        defects + unreadable + validate_bulletins(bulletins, clinic, today=today),
        key=lambda d: (str(d.path), d.line, d.message),
    )
    args.bulletin_count = len(bulletins)
    return clinic, today, entries, validate_clinic(args.clinic, clinic) + defects


def cmd_validate(args: argparse.Namespace) -> int:
    checked = _check(args)
    if checked is None:
        return 2
    _clinic, _today, entries, defects = checked
    for defect in defects:
        print(defect, file=sys.stderr)
    faqs = sum(1 for e in entries if e.kind == "faq")
    if defects:
        print(f"{len(defects)} defect(s) in {len(entries) + args.bulletin_count} content files", file=sys.stderr)
        return 1
    print(f"content OK: {len(entries) + args.bulletin_count} files ({faqs} FAQs, {args.bulletin_count} bulletins)")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    checked = _check(args)
    if checked is None:
        return 2
    clinic, today, entries, defects = checked
    # Expired entries are simply not served; every other defect stops the build.
    blocking = [d for d in defects if "has expired" not in d.message]
    for defect in defects:
        print(("warning: " if defect not in blocking else "") + str(defect), file=sys.stderr)
    if blocking:
        print(f"build refused: {len(blocking)} defect(s); run `patientbot content validate`", file=sys.stderr)
        return 1
    document, result = compile_faq_data(entries, clinic, today=today)
    path = write_faq_data(document, args.output_dir)
    for faq_id, why in sorted(result.skipped.items()):
        print(f"not served: {faq_id} ({why})", file=sys.stderr)
    print(f"built {path}: {len(result.served)} FAQs served, {len(result.skipped)} left out")
    return 0
