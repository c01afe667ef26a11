"""Fill clinic details into answers and append their provenance."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from bot.content.models import ContentEntry, ServedAnswer, Source

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
TEMPLATE_FIELDS = (
    "clinic_name",
    "retention_days",
    "clinic_phone",
    "clinic_address",
    "opening_hours",
    "emergency_number",
    "crisis_line",
    "languages",
    "clinic_website",
    "clinic_email",
    "portal_url",
)
MAX_ANSWER_WORDS = 120


def placeholders(text: str) -> list[str]:
    return PLACEHOLDER.findall(text)


def fill(text: str, clinic: Mapping[str, Any]) -> str:
    """Replace every known placeholder; unknown ones are left for the validator to report."""

    def _sub(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in TEMPLATE_FIELDS and name in clinic:
            return str(clinic[name])
        return match.group(0)

    return PLACEHOLDER.sub(_sub, text)


def word_count(text: str) -> int:
    return len(text.split())


def provenance_line(entry: ContentEntry) -> str:
    """"Source: ... Reviewed by ... on ..." so every answer carries its evidence."""
    return provenance(entry.sources, entry.reviewed_by, entry.reviewed_on)


def provenance(sources: tuple[Source, ...], reviewed_by: str, reviewed_on: date | None) -> str:
    """The provenance of any vetted text (answers and bulletins alike)."""
    cited = "; ".join(f"{s.publisher}, {s.title} ({s.url})" for s in sources)
    reviewed = reviewed_on.isoformat() if reviewed_on else "unknown date"
    if cited:
        return f"Source: {cited}. Reviewed by {reviewed_by} on {reviewed}."
    return f"Reviewed by {reviewed_by} on {reviewed}."


def serve(entry: ContentEntry, clinic: Mapping[str, Any]) -> ServedAnswer:
    """The text a patient sees: the filled answer, then (for health content) its provenance."""
    body = fill(entry.answer, clinic)
    text = body if entry.kind == "system" else f"{body}\n\n{provenance_line(entry)}"
    assert entry.reviewed_on is not None and entry.review_due is not None
    return ServedAnswer(
        id=entry.id,
        kind=entry.kind,
        title=entry.title,
        text=text,
        sources=entry.sources,
        reviewed_by=entry.reviewed_by,
        reviewed_on=entry.reviewed_on,
        review_due=entry.review_due,
    )
