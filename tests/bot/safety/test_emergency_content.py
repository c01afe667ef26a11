"""Emergency guidance exists for every red-flag category, vetted and within the content rules."""

from __future__ import annotations

from datetime import date

import pytest

from bot.content.loader import load_clinic, load_content
from bot.content.render import fill, word_count
from bot.content.validator import validate_entries
from bot.paths import CLINIC_FILE, CONTENT_DIR
from bot.safety.categories import CATEGORIES, LABELS

REVIEWER = "Demo Reviewer, MD (placeholder: your clinic must review)"


@pytest.fixture(scope="module")
def guidance() -> dict:
    entries, _defects = load_content(CONTENT_DIR)
    return {e.id: e for e in entries if e.kind == "emergency"}


@pytest.mark.parametrize("category", CATEGORIES)
def test_guidance_for_every_category(guidance: dict, category: str) -> None:
    entry = guidance[category]
    clinic = load_clinic(CLINIC_FILE)
    assert entry.status == "approved" and entry.is_served(date(2027, 1, 1))
    assert entry.title == LABELS[category]
    assert entry.reviewed_by == REVIEWER
    assert entry.reviewed_on is not None and entry.reviewed_on <= date.today()
    assert entry.review_due == entry.reviewed_on.replace(year=entry.reviewed_on.year + 1)
    assert "{emergency_number}" in entry.answer
    assert "clinical team" in entry.answer  # the patient knows a clinician is alerted
    assert word_count(fill(entry.answer, clinic)) <= 120
    assert all(s.url.startswith("https://") for s in entry.sources) and entry.sources
    assert validate_entries([entry], clinic, today=entry.reviewed_on) == []


def test_self_harm_guidance_names_the_crisis_line(guidance: dict) -> None:
    assert "{crisis_line}" in guidance["suicide_self_harm"].answer
