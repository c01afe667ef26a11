"""bot.gateway.texts: the retention limit comes from the clinic profile and is checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.gateway import texts


def test_the_shipped_clinic_keeps_conversations_90_days() -> None:
    assert texts.retention_days() == 90


@pytest.mark.parametrize("value", ["0", "ninety", "9.5", "true", "99999"])
def test_a_retention_limit_that_is_not_whole_days_stops_the_gateway(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    clinic = tmp_path / "clinic.yml"
    clinic.write_text(f"clinic_name: Test\nretention_days: {value}\n", encoding="utf-8")
    monkeypatch.setattr(texts, "CLINIC_FILE", clinic)
    with pytest.raises(ValueError, match="retention_days must be a whole number"):
        texts.retention_days()


def test_a_clinic_profile_without_the_field_keeps_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clinic = tmp_path / "clinic.yml"
    clinic.write_text("clinic_name: Test\n", encoding="utf-8")
    monkeypatch.setattr(texts, "CLINIC_FILE", clinic)
    assert texts.retention_days() == texts.DEFAULT_RETENTION_DAYS
