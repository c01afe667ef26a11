"""`patientbot inbox collect`: fill the unanswered-questions inbox now (from cron, or by hand).

The console's inbox page also starts a pass in the background when it is opened
and the last one is over a minute old (bot/inbox/worker.py).
"""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("inbox", help="the unanswered-questions inbox")
    commands = parser.add_subparsers(dest="inbox_command", metavar="ACTION", required=True)
    collect = commands.add_parser("collect", help="read new conversations into the inbox and group them")
    collect.set_defaults(func=cmd_collect)


def cmd_collect(args: argparse.Namespace) -> int:
    from bot.content.store import get_content_store
    from bot.db.base import utcnow
    from bot.db.migrate import upgrade
    from bot.db.session import make_engine, make_session_factory, unit_of_work
    from bot.inbox.collect import collect
    from bot.inbox.grouping import faq_index
    from bot.nlu.embedding_model import shared_encoder
    from bot.settings import get_settings

    url = get_settings().database_url
    upgrade(url)
    encoder = shared_encoder()
    faqs = faq_index(get_content_store().entries(), encoder)
    with unit_of_work(make_session_factory(make_engine(url))) as session:
        result = collect(session=session, encoder=encoder, faqs=faqs, now=utcnow())
    print(f"{sum(result.added.values())} question(s) added, {result.groups_created} new group(s)")
    return 0
