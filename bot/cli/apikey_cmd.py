"""`patientbot apikey create NAME | list | revoke ID`: API keys for the integration REST API.

The key is printed once, at creation, and never again: only its hash is stored.
"""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("apikey", help="create, list and revoke REST API keys")
    commands = parser.add_subparsers(dest="apikey_command", metavar="ACTION", required=True)

    create = commands.add_parser("create", help="create a key for an integration; prints it once")
    create.add_argument("name", help="who or what uses the key (e.g. 'clinic website')")
    create.set_defaults(func=cmd_create)

    listing = commands.add_parser("list", help="list keys (id, name, prefix, created, revoked)")
    listing.set_defaults(func=cmd_list)

    revoke = commands.add_parser("revoke", help="revoke a key by its id; it stops working at once")
    revoke.add_argument("id", help="the key's id from `patientbot apikey list`")
    revoke.set_defaults(func=cmd_revoke)


def _session_factory():  # type: ignore[no-untyped-def]
    from bot.db.migrate import upgrade
    from bot.db.session import make_engine, make_session_factory
    from bot.settings import get_settings

    url = get_settings().database_url
    upgrade(url)  # idempotent: a fresh install works without a separate step
    return make_session_factory(make_engine(url))


def cmd_create(args: argparse.Namespace) -> int:
    from bot.db.session import unit_of_work
    from bot.gateway.apikeys import create_api_key

    try:
        with unit_of_work(_session_factory()) as session:
            new = create_api_key(session=session, name=args.name)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"Created API key {new.id} ({new.name}). Store it now: it will not be shown again.")
    print(new.key)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from bot.db.session import unit_of_work
    from bot.gateway.apikeys import list_api_keys

    with unit_of_work(_session_factory()) as session:
        keys = list_api_keys(session=session)
        if not keys:
            print("No API keys.")
            return 0
        print(f"{'ID':32}  {'PREFIX':12}  {'CREATED':19}  {'REVOKED':19}  NAME")
        for key in keys:
            revoked = key.revoked_at.isoformat(" ", "seconds") if key.revoked_at else "-"
            print(
                f"{key.id:32}  {key.prefix:12}  {key.created_at.isoformat(' ', 'seconds'):19}  {revoked:19}  {key.name}"
            )
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    from bot.db.session import unit_of_work
    from bot.gateway.apikeys import revoke_api_key

    with unit_of_work(_session_factory()) as session:
        key = revoke_api_key(session=session, key_id=args.id)
        if key is None:
            print(f"error: no API key with id {args.id}", file=sys.stderr)
            return 1
        print(f"Revoked API key {key.id} ({key.name}).")
    return 0
