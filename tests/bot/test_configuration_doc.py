"""docs/configuration.md matches bot/settings.py, and `make setup` gives every checkout every secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main, setup_cmd
from bot.settings_doc import render


def test_the_configuration_reference_is_current() -> None:
    assert main(["config-doc", "--check"]) == 0, "run `patientbot config-doc` and commit the page"


def test_every_setting_is_in_the_reference_and_secrets_have_no_default() -> None:
    page = render()
    assert "| `PATIENTBOT_RASA_TOKEN` | secret | **required** |" in page
    assert "| `PATIENTBOT_ACTIONS_TOKEN` | secret | **required** |" in page
    assert str(Path(__file__).resolve().parents[2]) not in page  # no machine's own paths


def test_a_stale_page_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stale = tmp_path / "configuration.md"
    stale.write_text("old\n")
    assert main(["config-doc", "--check", "--output", str(stale)]) == 1
    assert "out of date" in capsys.readouterr().err
    assert main(["config-doc", "--output", str(stale)]) == 0
    assert stale.read_text() == render()


@pytest.fixture
def env_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where `ensure_secrets` writes, in a scratch var/ instead of the checkout's."""
    path = tmp_path / "var" / "patientbot.env"
    monkeypatch.setattr(setup_cmd, "ENV_FILE", path)
    monkeypatch.setattr(setup_cmd, "VAR_DIR", path.parent)
    return path


def test_setup_adds_the_secrets_a_checkout_lacks_and_never_changes_one(env_file: Path) -> None:
    env_file.parent.mkdir()
    env_file.write_text("PATIENTBOT_HANDOFF_SECRET=kept-as-it-was-0123456789")  # an older setup's file
    assert setup_cmd.ensure_secrets() == [
        "PATIENTBOT_SESSION_SECRET", "PATIENTBOT_RASA_TOKEN", "PATIENTBOT_ACTIONS_TOKEN",
    ]
    lines = env_file.read_text().splitlines()
    assert lines[0] == "PATIENTBOT_HANDOFF_SECRET=kept-as-it-was-0123456789"
    values = dict(line.split("=", 1) for line in lines)
    assert set(values) == set(setup_cmd.SECRET_NAMES)
    assert all(len(values[name]) >= 32 for name in setup_cmd.SECRET_NAMES[1:])  # fresh ones
    assert setup_cmd.ensure_secrets() == []
    assert env_file.read_text().splitlines() == lines


def test_a_fresh_checkout_gets_a_private_file_with_every_secret(env_file: Path) -> None:
    assert setup_cmd.ensure_secrets() == list(setup_cmd.SECRET_NAMES)
    assert env_file.stat().st_mode & 0o777 == 0o600
