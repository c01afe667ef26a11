"""Identifiers in a patient's words are replaced before they can become content."""

from __future__ import annotations

import pytest

from bot.content.loader import load_clinic
from bot.paths import CLINIC_FILE
from bot.proposals.redact import profile_names, redact

CLINIC = {
    "clinic_name": "Riverside Family Clinic",
    "clinic_address": "12 River Road, Springfield",
    "staff": ["Dr Maria Okafor", {"name": "Tom Baker"}],
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("call me on 07700 900123 or +1 555 0100 please", "call me on [phone] or [phone] please"),
        ("my email is jane.roe+nhs@example.co.uk", "my email is [email]"),
        ("my appointment on 12/03/2024 was moved", "my appointment on [date] was moved"),
        ("born 3 March 1984, seen March 5th", "born [date], seen [date]"),
        ("seen on the 21st of june", "seen on the [date]"),
        ("my patient number is 48213", "my patient number is [number]"),
        ("is Riverside Family Clinic open on sundays", "is [name] open on sundays"),
        ("is riverside open late", "is [name] open late"),
        ("can i see maria okafor or tom baker", "can i see [name] or [name]"),
        ("how do i get to 12 river road, springfield", "how do i get to [name]"),
        ("see www.example.org/me", "see [link]"),
        ("do you do flu jabs for 2 year olds", "do you do flu jabs for 2 year olds"),
    ],
)
def test_identifiers_are_replaced(text: str, expected: str) -> None:
    assert redact(text, CLINIC) == expected


def test_the_shipped_profile_names_the_clinic() -> None:
    clinic = load_clinic(CLINIC_FILE)
    assert str(clinic["clinic_name"]) in profile_names(clinic)
    assert str(clinic["clinic_name"]) not in redact(f"is {clinic['clinic_name']} open", clinic)
