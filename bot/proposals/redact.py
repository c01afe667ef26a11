"""The patient's words with identifiers replaced, before anyone turns them into content.

What goes: email addresses, phone numbers, dates (written with digits or with
month names), long numbers (five digits or more: record, policy, card numbers),
web addresses, and the names the clinic profile knows (the clinic's name and
address, and any `staff` names it lists; a single distinctive word of a name
too, e.g. "Riverside" of "Riverside Family Clinic"). Each becomes a bracketed
label, so a reviewer sees that something was there. Runs on the proposer's
edited text again when the proposal is sent, so an identifier typed back in
is replaced as well.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

_MONTHS = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    "sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("[email]", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("[link]", re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)),
    ("[date]", re.compile(r"\b\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}\b")),
    (
        "[date]",
        re.compile(
            rf"\b\d{{1,2}}(?:st|nd|rd|th)?(?:\s+of)?\s+(?:{_MONTHS})\.?(?:,?\s+\d{{2,4}})?\b"
            rf"|\b(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{2,4}})?\b",
            re.IGNORECASE,
        ),
    ),
    ("[phone]", re.compile(r"(?<![\w+])\+?\d[\d\s().-]{5,}\d\b")),
    ("[number]", re.compile(r"\b\d{5,}\b")),
)
# Words of a name too common to mean the clinic on their own.
_COMMON_WORDS = frozenset({
    "the", "and", "of", "for", "family", "clinic", "clinics", "medical", "health", "centre", "center",
    "practice", "surgery", "hospital", "group", "care", "road", "street", "avenue", "lane", "way", "drive",
    "dr", "doctor", "nurse",
})
_TITLE = re.compile(r"^(?:dr|mr|mrs|ms|miss|prof|nurse)\.?\s+", re.IGNORECASE)
_PROFILE_NAME_FIELDS = ("clinic_name", "clinic_address")


def profile_names(clinic: Mapping[str, Any]) -> list[str]:
    """The names to replace: the clinic's name and address, and the profile's `staff` list."""
    names = [str(clinic[key]) for key in _PROFILE_NAME_FIELDS if isinstance(clinic.get(key), str)]
    staff = clinic.get("staff") or []
    if isinstance(staff, list):
        names.extend(str(s.get("name") if isinstance(s, dict) else s) for s in staff if s)
    return [n for n in names if n.strip()]


def _name_patterns(names: Iterable[str]) -> list[re.Pattern[str]]:
    phrases: set[str] = set()
    for name in names:
        phrases.add(name.strip())
        phrases.add(_TITLE.sub("", name).strip())  # "Maria Okafor" of "Dr Maria Okafor"
        for part in re.split(r"[\s,]+", name):
            if len(part) >= 4 and part.isalpha() and part.lower() not in _COMMON_WORDS:
                phrases.add(part)
    ordered = sorted(phrases, key=len, reverse=True)  # the whole name before its words
    return [re.compile(rf"(?<!\w){re.escape(p)}(?!\w)", re.IGNORECASE) for p in ordered]


def redact(text: str, clinic: Mapping[str, Any]) -> str:
    """`text` with every identifier this module knows replaced by its label."""
    for label, pattern in _PATTERNS:
        text = pattern.sub(label, text)
    for pattern in _name_patterns(profile_names(clinic)):
        text = pattern.sub("[name]", text)
    return " ".join(text.split())
