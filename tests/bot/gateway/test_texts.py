"""bot.gateway.texts: the retention limit comes from the clinic profile and is checked."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import yaml

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


def test_content_is_read_at_start_up_and_a_broken_pack_falls_back_to_built_in_texts(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.content.store import get_content_store

    get_content_store.cache_clear()
    texts.load_content()
    assert get_content_store.cache_info().currsize == 1  # the first patient does not pay for it

    def broken() -> None:
        raise ValueError("content/faq/x.yml: line 3: bad indentation")

    monkeypatch.setattr(texts, "_store", broken)
    with caplog.at_level(logging.ERROR, logger=texts.logger.name):
        texts.load_content()  # logged, not raised: the gateway still starts
    assert "could not be loaded at start-up" in caplog.text
    assert texts.clinic_phone() in texts.system_text("service_unavailable")


def test_a_broken_clinic_profile_still_gives_built_in_texts_but_stops_the_retention_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.content.profile import text_fields

    clinic = tmp_path / "clinic.yml"
    clinic.write_text("clinic_name: [unclosed\n", encoding="utf-8")
    assert text_fields(clinic)["clinic_phone"] == "the clinic's phone number"
    monkeypatch.setattr(texts, "CLINIC_FILE", clinic)
    with pytest.raises(yaml.YAMLError):
        texts.retention_days()
    fixed = tmp_path / "fixed.yml"
    fixed.write_text("clinic_name: Test\nclinic_phone: '0100 000'\nretention_days: 30\n", encoding="utf-8")
    monkeypatch.setattr(texts, "CLINIC_FILE", fixed)
    assert texts.retention_days() == 30
    assert text_fields(fixed)["clinic_phone"] == "0100 000"
