"""`patientbot clinician add | list | disable | password`: clinician accounts for the console (admins' tool).

Passwords are never taken from the command line (it ends up in shell history
and `ps`): they are read from a prompt, twice, or from standard input with
--password-stdin for scripts. Only an argon2 hash is stored.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable
from typing import Any


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "clinician", help="add, list, disable clinician console accounts and reset their passwords"
    )
    commands = parser.add_subparsers(dest="clinician_command", metavar="ACTION", required=True)

    add = commands.add_parser(
        "add",
        help="create a clinician account (password from a prompt or --password-stdin)",
        description="Create a clinician account for the console. The password is asked for "
        "twice, or read from standard input with --password-stdin; it needs 12+ characters.",
    )
    add.add_argument("username", help="login name: lower-case letters, digits, '.', '_' or '-'")
    add.add_argument("--name", required=True, help="name shown to colleagues, e.g. 'Dr Ada Lovelace'")
    add.add_argument("--role", choices=("clinician", "admin"), default="clinician", help="default: clinician")
    add.add_argument("--on-duty", action="store_true", help="start on duty (alerts, wait estimates)")
    add.add_argument("--telegram-chat-id", help="Telegram chat id for urgent-handoff alerts with a Claim button")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.set_defaults(func=cmd_add)

    listing = commands.add_parser(
        "list", help="list accounts (username, name, role, on duty, disabled)", description="List clinician accounts."
    )
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    listing.set_defaults(func=cmd_list)

    disable = commands.add_parser(
        "disable",
        help="disable an account: no login, no claims, open console sessions end",
        description="Disable a clinician account. Its console sessions stop working at once; "
        "its history and audit trail are kept.",
    )
    disable.add_argument("username")
    disable.set_defaults(func=cmd_disable)

    reviewer = commands.add_parser(
        "reviewer",
        help="give (or with --off take) the reviewer role: approving content proposals",
        description="A reviewer approves or rejects content proposals from the inbox, never their own.",
    )
    reviewer.add_argument("username")
    reviewer.add_argument("--off", action="store_true", help="take the role away")
    reviewer.set_defaults(func=cmd_reviewer)

    password = commands.add_parser(
        "password",
        help="set a new password (forgotten or leaked); open console sessions end",
        description="Set a new password for a clinician account, asked for twice or read from "
        "standard input with --password-stdin (12+ characters). The account's console sessions "
        "end at once and a lock-out from failed logins is lifted.",
    )
    password.add_argument("username")
    password.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    password.set_defaults(func=cmd_password)


def _session_factory():  # type: ignore[no-untyped-def]
    from bot.db.migrate import upgrade
    from bot.db.session import make_engine, make_session_factory
    from bot.settings import get_settings

    url = get_settings().database_url
    upgrade(url)  # idempotent: a fresh install works without a separate step
    return make_session_factory(make_engine(url))


def _read_password(from_stdin: bool) -> str | None:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat the password: ") != first:
        print("error: the passwords differ", file=sys.stderr)
        return None
    return first


def _write_with_password(args: argparse.Namespace, write: Callable[[Any, str], str]) -> int:
    """Read the password (prompt or stdin), run `write(session, password)` in one unit of work.

    `write` returns the line to print; a refusal (bad password, unknown or taken
    username) is printed as an error with exit status 2.
    """
    from bot.db.session import unit_of_work
    from bot.handoff.errors import HandoffError

    password = _read_password(args.password_stdin)
    if password is None:
        return 2
    try:
        with unit_of_work(_session_factory()) as session:
            print(write(session, password))
    except HandoffError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 2
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    from bot.handoff.clinicians import create_clinician

    def add(session: Any, password: str) -> str:
        clinician = create_clinician(
            session=session,
            username=args.username,
            display_name=args.name,
            password=password,
            role=args.role,
            on_duty=args.on_duty,
            telegram_chat_id=args.telegram_chat_id,
        )
        return f"Created {clinician.role} {clinician.username} ({clinician.display_name})."

    return _write_with_password(args, add)


def cmd_list(args: argparse.Namespace) -> int:
    from bot.db.session import unit_of_work
    from bot.handoff.clinicians import list_clinicians

    with unit_of_work(_session_factory()) as session:
        rows = [
            {
                "username": c.username,
                "name": c.display_name,
                "role": c.role,
                "on_duty": c.on_duty,
                "disabled": c.disabled,
                "telegram": c.telegram_chat_id is not None,
                "created_at": c.created_at.isoformat(" ", "seconds"),
            }
            for c in list_clinicians(session=session)
        ]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    if not rows:
        print("No clinicians. Add one with `patientbot clinician add USERNAME --name NAME`.")
        return 0
    print(f"{'USERNAME':20}  {'ROLE':9}  {'ON DUTY':7}  {'DISABLED':8}  {'TELEGRAM':8}  NAME")
    for r in rows:
        print(
            f"{r['username']:20}  {r['role']:9}  {'yes' if r['on_duty'] else 'no':7}  "
            f"{'yes' if r['disabled'] else 'no':8}  {'linked' if r['telegram'] else '-':8}  {r['name']}"
        )
    return 0


def cmd_disable(args: argparse.Namespace) -> int:
    from bot.db.session import unit_of_work
    from bot.handoff.clinicians import disable_clinician
    from bot.handoff.errors import HandoffError

    try:
        with unit_of_work(_session_factory()) as session:
            clinician = disable_clinician(session=session, username=args.username)
            print(f"Disabled {clinician.username}; their console sessions have ended.")
    except HandoffError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 1
    return 0


def cmd_reviewer(args: argparse.Namespace) -> int:
    from bot.db.session import unit_of_work
    from bot.handoff.clinicians import set_reviewer
    from bot.handoff.errors import HandoffError

    try:
        with unit_of_work(_session_factory()) as session:
            clinician = set_reviewer(session=session, username=args.username, reviewer=not args.off)
            print(f"{clinician.username} {'is' if clinician.reviewer else 'is no longer'} a reviewer.")
    except HandoffError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 1
    return 0


def cmd_password(args: argparse.Namespace) -> int:
    from bot.handoff.clinicians import set_password

    def change(session: Any, password: str) -> str:
        clinician = set_password(session=session, username=args.username, password=password)
        return f"New password set for {clinician.username}; their console sessions have ended."

    return _write_with_password(args, change)
