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
        # general questions: their severe or vulnerable words are the topic, not a situation
        "is the flu vaccine safe in pregnancy",
        "what are the signs of severe dehydration",
        "can elderly people get the covid booster",
        "¿es seguro el paracetamol en el embarazo?",
        "",
    ],
)
def test_plain_questions_carry_no_sign(text: str) -> None:
    assert urgency_signs(text) == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("is my baby floppy because of the heat", (SEVERE,)),
        ("can't breathe, what do i do", (TIME_DANGER,)),
        ("what should i do, she suddenly collapsed", (SEVERE, TIME_DANGER)),
        ("¿qué hago? mi bebé recién nacido no puede despertar", (VULNERABLE, TIME_DANGER)),
    ],
)
def test_a_question_about_somebody_keeps_its_signs(text: str, expected: tuple[str, ...]) -> None:
    assert urgency_signs(text) == expected
