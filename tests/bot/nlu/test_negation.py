"""Negation cues as patients type them, with or without the apostrophe."""

from __future__ import annotations

import pytest

from bot.nlu.negation import is_negated


@pytest.mark.parametrize(
    "text",
    [
        "why is there no vaccine for covid",
        "can you have the flu without a fever",
        "I don't have insurance",
        "I don\u2019t have insurance",
        "dont have insurance",
        "antibiotics dont work on colds do they",
        "my cough won't go away",
        "Nobody called me about my results",
        "i cannot sleep",
        "flu isnt that bad is it",
        "is it not just a cold",
        "never had the flu jab",
    ],
)
def test_negated(text: str) -> None:
    assert is_negated(text)


@pytest.mark.parametrize(
    "text",
    [
        "is there a vaccine for covid",
        "can you have the flu with a fever",
        "notice of my appointment",
        "my knot of a shoulder",
        "snow day, are you open",
        "nonstop cough",
        "",
    ],
)
def test_plain(text: str) -> None:
    assert not is_negated(text)
