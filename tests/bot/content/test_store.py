"""Run-time lookups serve only vetted content and fall back safely for emergencies."""

from __future__ import annotations

from datetime import date

import pytest

from bot.content.store import ContentNotServed, ContentStore
from bot.safety.categories import CATEGORIES
from tests.bot.content.conftest import faq_yaml


def test_store_serves_faq_and_refuses_expired(content_dir, clinic) -> None:
    from bot.content.loader import load_content

    root = content_dir(
        {
            "faq/served.yml": faq_yaml("served"),
            "faq/draft.yml": faq_yaml("draft", status="status: draft"),
        }
    )
    entries, _ = load_content(root)
    store = ContentStore(entries, clinic)
    answer = store.faq("served", today=date(2026, 6, 1))
    assert answer.reviewed_by == "Dr. Test" and clinic["clinic_phone"] in answer.text
    with pytest.raises(ContentNotServed):
        store.faq("served", today=date(2027, 6, 1))  # past review_due
    with pytest.raises(ContentNotServed):
        store.faq("draft", today=date(2026, 6, 1))
    with pytest.raises(ContentNotServed):
        store.faq("unknown")


def test_shipped_system_and_emergency_messages_are_served() -> None:
    store = ContentStore.from_files()
    notice = store.system("first_contact_notice")
    assert store.clinic["emergency_number"] in notice.text and "not a doctor" in notice.text
    # The notice quotes the retention limit the gateway enforces (one value, clinic.yml).
    assert f"for {store.clinic['retention_days']} days" in notice.text
    trouble = store.system("service_unavailable")
    assert store.clinic["clinic_phone"] in trouble.text
    # An unknown category still gets the generic emergency guidance, never nothing.
    generic = store.emergency("no_such_category")
    assert store.clinic["emergency_number"] in generic.text and "Source:" in generic.text


def test_emergency_guidance_in_spanish_falls_back_to_generic_spanish_then_english() -> None:
    store = ContentStore.from_files()
    spanish = store.emergency("stroke", language="es")
    assert spanish.id == "stroke_es" and f"Llame al {store.clinic['emergency_number']}" in spanish.text
    # Every red-flag category has vetted Spanish guidance.
    assert [c for c in CATEGORIES if store.emergency(c, language="es").id != f"{c}_es"] == []
    # Without a category's own Spanish guidance: the generic Spanish one, not English.
    assert store.emergency("no_such_category", language="es").id == "general_emergency_es"
    assert store.emergency("stroke").id == "stroke"
    # A language without vetted content gets English.
    assert store.emergency("stroke", language="fr").id == "stroke"
    assert store.emergency("no_such_category", language="fr").id == "general_emergency"
