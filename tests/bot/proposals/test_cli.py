"""`patientbot clinician reviewer` and `patientbot content proposals list|approve|reject`, as real processes
against a real database (SQLite and PostgreSQL), approving into a temporary copy of data/content."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import sessionmaker

from bot.content.loader import load_clinic, load_file
from bot.db.session import unit_of_work
from bot.proposals import service
from bot.proposals.models import ContentProposal
from tests.conftest import TEST_SECRETS
from tests.support.handoff import make_clinician
from tests.support.inbox import content_copy

PATIENTBOT = str(Path(sys.executable).parent / "patientbot")


def _cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **TEST_SECRETS, "PATIENTBOT_DATABASE_URL": database_url}
    return subprocess.run([PATIENTBOT, *args], env=env, capture_output=True, text=True, timeout=120)


def test_a_reviewer_approves_on_the_command_line(database_url: str, session_factory: sessionmaker, tmp_path: Path) -> None:
    content, clinic = content_copy(tmp_path)
    with unit_of_work(session_factory) as session:
        alice = make_clinician(session, "alice")
        make_clinician(session, "bob")
        proposal = service.propose(
            session=session, kind="not_answered", faq_id="parking_and_transport", texts=["can i get a refund on the car park fee"],
            proposer=alice, clinic=load_clinic(clinic), content_dir=content, now=datetime(2026, 12, 4, 9),
        )
        short = proposal.id[:8]
    listed = _cli(database_url, "content", "proposals", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert [(p["id"][:8], p["status"], p["texts"]) for p in json.loads(listed.stdout)] == [
        (short, "pending", ["can i get a refund on the car park fee"])
    ]
    refused = _cli(database_url, "content", "proposals", "approve", short, "--reviewer", "bob", "--content-dir", str(content))
    assert refused.returncode == 1 and "reviewer role" in refused.stderr
    own = _cli(database_url, "clinician", "reviewer", "alice")
    assert own.returncode == 0 and "alice is a reviewer." in own.stdout
    mine = _cli(database_url, "content", "proposals", "approve", short, "--reviewer", "alice", "--content-dir", str(content))
    assert mine.returncode == 1 and "your own proposal" in mine.stderr
    assert _cli(database_url, "clinician", "reviewer", "bob").returncode == 0
    approved = _cli(database_url, "content", "proposals", "approve", short, "--reviewer", "bob", "--content-dir", str(content))
    assert approved.returncode == 0, approved.stderr
    assert f"Approved {short}: wrote faq/parking_and_transport.yml." in approved.stdout
    entry, _ = load_file(content / "faq" / "parking_and_transport.yml", "faq")
    assert entry.not_answered[-1] == "can i get a refund on the car park fee"
    with unit_of_work(session_factory) as session:
        assert session.get(ContentProposal, proposal.id).reviewer_name == "Bob"
    assert _cli(database_url, "content", "proposals", "reject", short, "--reviewer", "bob").returncode == 1
