"""Approved proposals written into the content files with ruamel.yaml: comments, order and quoting kept."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.content.loader import load_clinic, load_file
from bot.content.validator import validate_dir
from bot.paths import CONTENT_DIR
from bot.proposals.writer import ContentWriteError, _yaml, add_questions, dump, write_draft
from tests.support.inbox import content_copy

ON = date(2026, 12, 4)


def test_every_shipped_faq_round_trips_byte_for_byte() -> None:
    for path in sorted((CONTENT_DIR / "faq").glob("*.yml")):
        text = path.read_text(encoding="utf-8")
        assert dump(_yaml().load(text)) == text, path.name


def test_an_example_is_appended_with_its_provenance_and_nothing_else_changes(tmp_path: Path) -> None:
    content, clinic = content_copy(tmp_path)
    path = content / "faq" / "parking_and_transport.yml"
    path.write_text("# Reviewed with the front desk.\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    before = path.read_text(encoding="utf-8").splitlines()
    written = add_questions(
        content, kind="example", faq_id="parking_and_transport", texts=["can i park at [name] for free"],
        proposal_id="0123456789abcdef", approved_by="Dr Bob", on=ON,
    )
    after = written.read_text(encoding="utf-8").splitlines()
    added = [line for line in after if line not in before]
    assert added == ["  - can i park at [name] for free  # proposal 01234567, approved by Dr Bob on 2026-12-04"]
    assert [line for line in after if line in before] == before  # every other line, in order
    entry, _ = load_file(written, "faq")
    assert entry.examples[-1] == "can i park at [name] for free"
    _, defects = validate_dir(content, load_clinic(clinic), today=ON)
    assert not [d for d in defects if "parking_and_transport" in str(d.path)]


def test_a_not_answered_question_goes_under_not_answered(tmp_path: Path) -> None:
    content, _ = content_copy(tmp_path)
    add_questions(
        content, kind="not_answered", faq_id="parking_and_transport", texts=["do you validate parking tickets"],
        proposal_id="fedcba9876543210", approved_by="Dr Bob", on=ON,
    )
    entry, _ = load_file(content / "faq" / "parking_and_transport.yml", "faq")
    assert entry.not_answered[-1] == "do you validate parking tickets"


def test_a_question_the_content_has_already_is_refused(tmp_path: Path) -> None:
    content, _ = content_copy(tmp_path)
    existing, _ = load_file(content / "faq" / "accessibility.yml", "faq")
    with pytest.raises(ContentWriteError, match="already a question of the FAQ 'accessibility'"):
        add_questions(
            content, kind="example", faq_id="parking_and_transport", texts=[existing.examples[0].upper() + "?"],
            proposal_id="0" * 16, approved_by="Dr Bob", on=ON,
        )
    with pytest.raises(ContentWriteError, match="no FAQ"):
        add_questions(content, kind="example", faq_id="no_such_faq", texts=["x y"], proposal_id="0" * 16,
                      approved_by="Dr Bob", on=ON)


def test_a_new_faq_is_a_draft_outside_what_is_built(tmp_path: Path) -> None:
    content, clinic = content_copy(tmp_path)
    path = write_draft(
        content, faq_id="wifi_for_patients", title="Wi-Fi for patients",
        texts=["what is the wifi password", "can i use the wifi in the waiting room"],
        proposal_id="abcdef0123456789", approved_by="Dr Bob", on=ON,
    )
    assert path == content / "drafts" / "faq" / "wifi_for_patients.yml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Draft from proposal abcdef01, approved by Dr Bob on 2026-12-04.")
    entry, _ = load_file(path, "faq")
    assert (entry.id, entry.status, entry.examples) == (
        "wifi_for_patients", "draft", ("what is the wifi password", "can i use the wifi in the waiting room"),
    )
    entries, defects = validate_dir(content, load_clinic(clinic), today=ON)
    assert "wifi_for_patients" not in {e.id for e in entries}  # a draft never blocks the build
    with pytest.raises(ContentWriteError, match="already exists"):
        write_draft(content, faq_id="wifi_for_patients", title="Again", texts=["wifi again please"],
                    proposal_id="1" * 16, approved_by="Dr Bob", on=ON)
