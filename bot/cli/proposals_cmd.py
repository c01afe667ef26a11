"""`patientbot content proposals list|show|approve|reject` and `patientbot content publish`.

For a clinic that keeps its content in git: a reviewer approves on the
command line, which writes the change into data/content like the console
does, and commits it (`git diff` shows the new lines with their comment).
The same four-eyes rules hold: `--reviewer` names a clinician with the
reviewer role who did not propose it. `publish` rebuilds the content,
retrains only when stale and rolls the model onto the Rasa servers
(PATIENTBOT_RASA_URL), one at a time.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bot.paths import CONTENT_DIR


def register_under(commands: argparse._SubParsersAction) -> None:
    proposals = commands.add_parser("proposals", help="list, approve or reject proposals from the inbox")
    actions = proposals.add_subparsers(dest="proposals_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="proposals, pending first")
    listing.add_argument("--status", choices=("pending", "approved", "rejected"))
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    listing.set_defaults(func=cmd_list)
    for name, func, help_text in (
        ("approve", cmd_approve, "approve a proposal and write it into the content files"),
        ("reject", cmd_reject, "reject a proposal"),
    ):
        action = actions.add_parser(name, help=help_text)
        action.add_argument("proposal", help="the proposal's id (its first 8 characters are enough)")
        action.add_argument("--reviewer", required=True, help="username of the reviewing clinician")
        action.add_argument("--content-dir", type=Path, default=CONTENT_DIR, help=argparse.SUPPRESS)
        if name == "reject":
            action.add_argument("--note", default="", help="why, for the proposer")
        action.set_defaults(func=func)

    publish = commands.add_parser(
        "publish", help="rebuild the content, retrain if stale, roll the model onto the Rasa servers"
    )
    publish.add_argument("--roll-out", action="store_true", help="roll out even when the model was up to date")
    publish.set_defaults(func=cmd_publish)


def _factory():  # type: ignore[no-untyped-def]
    from bot.db.migrate import upgrade
    from bot.db.session import make_engine, make_session_factory
    from bot.settings import get_settings

    url = get_settings().database_url
    upgrade(url)
    return make_session_factory(make_engine(url))


def _row(p: Any) -> dict[str, Any]:
    return {
        "id": p.id, "kind": p.kind, "faq_id": p.faq_id, "title": p.title, "texts": list(p.texts),
        "status": p.status, "proposed_by": p.proposer_name, "proposed_at": p.created_at.isoformat(" ", "seconds"),
        "reviewed_by": p.reviewer_name, "applied_path": p.applied_path,
    }


def cmd_list(args: argparse.Namespace) -> int:
    from bot.db.session import unit_of_work
    from bot.proposals.service import list_proposals

    with unit_of_work(_factory()) as session:
        rows = [_row(p) for p in list_proposals(session=session, status=args.status)]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    if not rows:
        print("No proposals.")
        return 0
    for r in rows:
        print(f"{r['id'][:8]}  {r['status']:8}  {r['kind']:12}  {r['faq_id']}  by {r['proposed_by']}, {r['proposed_at']}")
        for text in r["texts"]:
            print(f"          - {text}")
    return 0


def _review(args: argparse.Namespace, approve: bool) -> int:
    from sqlalchemy import select

    from bot.db.base import utcnow
    from bot.db.session import unit_of_work
    from bot.handoff.models import Clinician
    from bot.proposals import service

    try:
        with unit_of_work(_factory()) as session:
            reviewer = session.scalar(select(Clinician).where(Clinician.username == args.reviewer))
            if reviewer is None:
                print(f"error: no clinician '{args.reviewer}'", file=sys.stderr)
                return 2
            proposal_id = service.find(session=session, prefix=args.proposal).id
            if approve:
                proposal = service.approve(
                    session=session, proposal_id=proposal_id, reviewer=reviewer, content_dir=args.content_dir,
                    now=utcnow(),
                )
                print(f"Approved {proposal.id[:8]}: wrote {proposal.applied_path}.")
            else:
                proposal = service.reject(
                    session=session, proposal_id=proposal_id, reviewer=reviewer, now=utcnow(), note=args.note
                )
                print(f"Rejected {proposal.id[:8]}.")
    except service.ProposalError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


def cmd_approve(args: argparse.Namespace) -> int:
    return _review(args, approve=True)


def cmd_reject(args: argparse.Namespace) -> int:
    return _review(args, approve=False)


def cmd_publish(args: argparse.Namespace) -> int:
    from bot.proposals.rollout import Publisher
    from bot.settings import get_settings

    settings = get_settings()
    state = Publisher(settings.rasa_urls, settings.rasa_token.get_secret_value()).run(force_rollout=args.roll_out)
    print(f"{state.status}: {state.detail}", file=sys.stderr if state.status != "done" else sys.stdout)
    return 0 if state.status == "done" else 1
