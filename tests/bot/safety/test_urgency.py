"""Urgency signs: what makes a message the bot cannot understand possibly urgent."""

from __future__ import annotations

import pytest

from bot.safety.urgency import SEVERE, TIME_DANGER, VULNERABLE, urgency_signs


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my 3 week old is limp", (VULNERABLE, SEVERE)),
        ("i cant breathe", (TIME_DANGER,)),
        ("there is a man outside threatening to kill me", (TIME_DANGER,)),
        ("my partner is hitting me", (TIME_DANGER,)),
        ("I'm 30 weeks pregnant with a headache", (VULNERABLE,)),
        ("mi bebé recién nacido no puede despertar", (VULNERABLE, TIME_DANGER)),
        ("he collapsed and is confused", (SEVERE,)),
        ("it came on suddenly", (TIME_DANGER,)),
    ],
)
def test_signs_of_urgency(text: str, expected: tuple[str, ...]) -> None:
    assert urgency_signs(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "cant find the entrance",
        "what does fasting mean for a blood test",
        "can i get an emergency appointment today",
        "does garlic kill the flu virus",
        "honey and lemon for a 6 month old",
        "",
    ],
)
def test_plain_questions_carry_no_sign(text: str) -> None:
    assert urgency_signs(text) == ()
