"""`patientbot clinician add | list | disable | password`, run as a real process against a real database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.db.session import unit_of_work
from bot.handoff.audit import events_for
from bot.handoff.clinicians import authenticate
from bot.handoff.models import Clinician
from tests.conftest import TEST_SECRETS

PATIENTBOT = str(Path(sys.executable).parent / "patientbot")


def _cli(database_url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **TEST_SECRETS, "PATIENTBOT_DATABASE_URL": database_url}
    return subprocess.run(
        [PATIENTBOT, *args], input=stdin, env=env, capture_output=True, text=True, timeout=120
    )


def test_add_list_disable(database_url: str, session_factory: sessionmaker) -> None:
    added = _cli(
        database_url, "clinician", "add", "ada", "--name", "Dr Ada", "--role", "admin", "--on-duty",
        "--telegram-chat-id", "4242", "--password-stdin", stdin="a long enough password\n",
    )
    assert added.returncode == 0, added.stderr
    assert "Created admin ada (Dr Ada)." in added.stdout
    assert "a long enough password" not in added.stdout + added.stderr

    with unit_of_work(session_factory) as s:
        row = s.scalar(select(Clinician).where(Clinician.username == "ada"))
        assert (row.role, row.on_duty, row.telegram_chat_id) == ("admin", True, "4242")
        assert row.password_hash.startswith("$argon2id$")
        result = authenticate(session=s, username="ada", password="a long enough password", max_failures=5, lockout_s=60)
        assert result.clinician is not None

    listed = _cli(database_url, "clinician", "list", "--json")
    assert listed.returncode == 0
    [entry] = json.loads(listed.stdout)
    assert {k: entry[k] for k in ("username", "name", "role", "on_duty", "disabled", "telegram")} == {
        "username": "ada", "name": "Dr Ada", "role": "admin", "on_duty": True, "disabled": False, "telegram": True,
    }
    table = _cli(database_url, "clinician", "list")
    assert "ada" in table.stdout and "Dr Ada" in table.stdout and "linked" in table.stdout

    disabled = _cli(database_url, "clinician", "disable", "ada")
    assert disabled.returncode == 0 and "Disabled ada" in disabled.stdout
    with unit_of_work(session_factory) as s:
        row = s.scalar(select(Clinician).where(Clinician.username == "ada"))
        assert (row.disabled, row.on_duty) == (True, False)


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("add", "bob", "--name", "Bob", "--password-stdin"), "short\n", "at least 12 characters"),
        (("add", "Bad Name!", "--name", "Bob", "--password-stdin"), "a long enough password\n", "A username has"),
        (("disable", "nobody"), "", "No clinician named 'nobody'"),
        (("password", "nobody", "--password-stdin"), "a long enough password\n", "No clinician named 'nobody'"),
        (("password", "nobody", "--password-stdin"), "short\n", "at least 12 characters"),
    ],
)
def test_refusals_are_clear(database_url: str, args: tuple[str, ...], stdin: str, message: str) -> None:
    result = _cli(database_url, "clinician", *args, stdin=stdin)
    assert result.returncode != 0 and message in result.stderr


def test_a_new_password_replaces_the_old_one_and_lifts_a_lock_out(
    database_url: str, session_factory: sessionmaker
) -> None:
    old, new = "the first long password", "a second long password"
    assert _cli(database_url, "clinician", "add", "di", "--name", "Di", "--password-stdin", stdin=old + "\n").returncode == 0
    with unit_of_work(session_factory) as s:
        for _ in range(3):
            authenticate(session=s, username="di", password="wrong guess", max_failures=3, lockout_s=600)
        assert authenticate(session=s, username="di", password=old, max_failures=3, lockout_s=600).clinician is None

    changed = _cli(database_url, "clinician", "password", "di", "--password-stdin", stdin=new + "\n")
    assert changed.returncode == 0, changed.stderr
    assert "New password set for di" in changed.stdout and new not in changed.stdout + changed.stderr
    with unit_of_work(session_factory) as s:
        assert authenticate(session=s, username="di", password=old, max_failures=3, lockout_s=600).clinician is None
    with unit_of_work(session_factory) as s:
        assert authenticate(session=s, username="di", password=new, max_failures=3, lockout_s=600).clinician is not None
        di = s.scalar(select(Clinician.id).where(Clinician.username == "di"))
        changes = [e.actor_kind for e in events_for(session=s, target_type="clinician", target_id=di) if e.action == "clinician.password_set"]
        assert changes == ["admin_cli"]


def test_a_taken_username_is_refused(database_url: str) -> None:
    assert _cli(database_url, "clinician", "add", "cy", "--name", "Cy", "--password-stdin", stdin="a long enough password\n").returncode == 0
    again = _cli(database_url, "clinician", "add", "cy", "--name", "Cy", "--password-stdin", stdin="another long password\n")
    assert again.returncode == 2 and "already taken" in again.stderr


@pytest.mark.parametrize("action", ["add", "list", "disable", "password"])
def test_every_action_has_help(action: str) -> None:
    result = subprocess.run(
        [PATIENTBOT, "clinician", action, "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and "usage: patientbot clinician " + action in result.stdout
