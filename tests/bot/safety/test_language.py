"""bot.safety.language: Spanish or English, for the emergency guidance."""

from __future__ import annotations

import pytest

from bot.safety.language import guess_language


@pytest.mark.parametrize(
    "text",
    [
        "me duele mucho el pecho",
        "mi hijo está convulsionando y no responde",
        "se me cierra la garganta",
        "no puedo respirar",
        "quiero morirme",
    ],
)
def test_spanish_messages_read_as_spanish(text: str) -> None:
    assert guess_language(text) == "es"


@pytest.mark.parametrize(
    "text",
    [
        "crushing pain in my chest",
        "I can't breathe",
        "my son is having a seizure and not responding",
        "help",  # nothing to go on: English, the complete guidance
        "sobredosis",
    ],
)
def test_english_and_undecided_messages_read_as_english(text: str) -> None:
    assert guess_language(text) == "en"
