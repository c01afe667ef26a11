"""The validator reports every defect with its file and line; the shipped content has none."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.content.loader import load_clinic
from bot.content.validator import validate_clinic, validate_dir
from bot.paths import CLINIC_FILE, CONTENT_DIR
from tests.bot.content.conftest import faq_yaml

TODAY = date(2026, 11, 25)


def messages(defects) -> list[str]:
    return [f"{d.path.name}:{d.line}: {d.message}" for d in defects]


def test_shipped_content_is_clean(clinic) -> None:
    entries, defects = validate_dir(CONTENT_DIR, clinic, today=date.today())
    assert defects == []
    faqs = [e for e in entries if e.kind == "faq"]
    assert len(faqs) >= 60
    clinic_ops = [e for e in faqs if e.tags and e.tags[0] == "clinic"]
    health = [e for e in faqs if e.tags and e.tags[0] == "health"]
    assert len(clinic_ops) >= 30 and len(health) >= 30
    assert sum(1 for e in faqs if e.myth) >= 6
    assert all(len(e.examples) >= 8 for e in faqs)


def test_a_valid_file_has_no_defects(content_dir, clinic) -> None:
    root = content_dir({"faq/fever.yml": faq_yaml("fever")})
    _entries, defects = validate_dir(root, clinic, today=TODAY)
    assert defects == []


def test_missing_source_and_reviewer(content_dir, clinic) -> None:
    root = content_dir(
        {"faq/fever.yml": faq_yaml("fever", sources="sources: []", reviewed_by='reviewed_by: ""')}
    )
    _entries, defects = validate_dir(root, clinic, today=TODAY)
    found = messages(defects)
    assert any("missing source" in m for m in found)
    assert any("missing reviewer" in m for m in found)


def test_review_due_in_the_past_points_at_its_line(content_dir, clinic) -> None:
    root = content_dir({"faq/fever.yml": faq_yaml("fever", review_due="review_due: 2026-02-01")})
    _entries, defects = validate_dir(root, clinic, today=TODAY)
    (defect,) = defects
    assert defect.path.name == "fever.yml"
    assert (
        defect.line == 12
    )  # id, title, status, answer (2 lines), sources (4), reviewer, reviewed_on
    assert "in the past" in defect.message and "expired" in defect.message


def test_duplicate_id(content_dir, clinic) -> None:
    root = content_dir(
        {"faq/fever.yml": faq_yaml("fever"), "faq/fever2.yml": faq_yaml("fever", topic="other")}
    )
    _entries, defects = validate_dir(root, clinic, today=TODAY)
    found = messages(defects)
    assert any("duplicate id 'fever'" in m for m in found)


def test_same_example_question_under_two_faqs(content_dir, clinic) -> None:
    root = content_dir(
        {"faq/fever.yml": faq_yaml("fever"), "faq/cough.yml": faq_yaml("cough", topic="fever")}
    )
    _entries, defects = validate_dir(root, clinic, today=TODAY)
    duplicates = [d for d in defects if "also appears under another FAQ" in d.message]
    assert len(duplicates) == 12
    # Each report names the exact line of the repeated example.
    assert {d.line for d in duplicates} == set(range(15, 27))


def test_answer_too_long(content_dir, clinic) -> None:
    long_answer = "answer: >-\n  " + " ".join(["word"] * 121)
    root = content_dir({"faq/fever.yml": faq_yaml("fever", answer=long_answer)})
    _entries, defects = validate_dir(root, clinic, today=TODAY)
    assert messages(defects) == ["fever.yml:4: answer too long: 121 words (at most 120)"]


def test_unknown_template_field(content_dir, clinic) -> None:
    root = content_dir(
        {"faq/fever.yml": faq_yaml("fever", answer="answer: Call {clinic_fax} now.")}
    )
    _entries, defects = validate_dir(root, clinic, today=TODAY)
    assert len(defects) == 1
    assert "unknown template field '{clinic_fax}'" in defects[0].message
    assert defects[0].line == 4


def test_too_few_examples_and_bad_status(content_dir, clinic) -> None:
    root = content_dir(
        {
            "faq/fever.yml": faq_yaml(
                "fever", status="status: published", examples="examples:\n  - only one"
            )
        }
    )
    _entries, defects = validate_dir(root, clinic, today=TODAY)
    found = messages(defects)
    assert any("status 'published' is not one of draft, approved, retired" in m for m in found)
    assert any("1 example questions; at least 8 are needed" in m for m in found)


def test_malformed_yaml_is_a_defect_with_its_line(content_dir, clinic) -> None:
    root = content_dir(
        {
            "faq/fever.yml": "id: fever\ntitle: [unclosed\nstatus: approved\n",
            "faq/ok.yml": faq_yaml("ok"),
        }
    )
    entries, defects = validate_dir(root, clinic, today=TODAY)
    assert [e.id for e in entries] == ["ok"]  # the good file is still read
    (defect,) = defects
    assert defect.path.name == "fever.yml" and defect.message.startswith("invalid YAML")
    assert defect.line >= 2


def test_id_must_match_file_name_and_related_must_exist(content_dir, clinic) -> None:
    root = content_dir({"faq/fever.yml": faq_yaml("cough", related="related: [nowhere]")})
    _entries, defects = validate_dir(root, clinic, today=TODAY)
    found = messages(defects)
    assert any("does not match the file name 'fever'" in m for m in found)
    assert any("related id 'nowhere' does not exist" in m for m in found)


def test_emergency_guidance_must_name_the_emergency_number(content_dir, clinic) -> None:
    text = faq_yaml("stroke", examples="", related="", answer="answer: Please sit down and rest.")
    root = content_dir({"emergency/stroke.yml": text})
    _entries, defects = validate_dir(root, clinic, today=TODAY)
    assert messages(defects) == [
        "stroke.yml:4: emergency guidance must name {emergency_number} or {crisis_line}"
    ]


@pytest.mark.parametrize(
    ("key", "text", "message"),
    [
        ("timezone", "timezone: Mars/Olympus\n", "'Mars/Olympus' is not a time zone"),
        ("hours", "hours:\n  monday: ['08:00', '18:00']\n", "unknown day 'monday'"),
        ("hours", "hours:\n  mon: ['8am', '6pm']\n", "mon must be [open, close] in 24h HH:MM"),
        ("hours", "hours:\n  tue: ['18:00', '08:00']\n", "tue closes (08:00) before it opens (18:00)"),
        ("closed_on", "closed_on:\n  - 2026-12-25\n  - Christmas\n", "'Christmas' is not a date"),
        ("closed_on", "closed_on: 2026-12-25\n", "must be a list of dates"),
    ],
)
def test_clinic_hours_mistakes_point_at_their_key(tmp_path: Path, key: str, text: str, message: str) -> None:
    """A typo in the machine-readable hours must not ship: at run time it would mean "always open"."""
    profile = tmp_path / "clinic.yml"
    base = "clinic_name: Test Clinic\n" + ("" if key == "timezone" else "timezone: UTC\n")
    profile.write_text(base + text)
    (defect,) = validate_clinic(profile, load_clinic(profile))
    assert message in defect.message and defect.message.startswith(f"clinic profile: {key}:")
    assert defect.line == next(n for n, line in enumerate(profile.read_text().splitlines(), 1) if line.startswith(f"{key}:"))


def test_the_shipped_clinic_profile_is_clean() -> None:
    assert validate_clinic(CLINIC_FILE, load_clinic(CLINIC_FILE)) == []


NOT_ANSWERED = "not_answered:\n  - where can i buy a fever thermometer\n  - who discovered fever"


def test_not_answered_questions_load_with_their_lines(content_dir, clinic) -> None:
    root = content_dir({"faq/fever.yml": faq_yaml("fever", related=NOT_ANSWERED + "\nrelated: []")})
    (entry,), defects = validate_dir(root, clinic, today=TODAY)
    assert defects == []
    assert entry.not_answered == ("where can i buy a fever thermometer", "who discovered fever")
    assert entry.not_answered_lines == (28, 29)


def test_a_question_cannot_be_both_an_example_and_not_answered(content_dir, clinic) -> None:
    clash = "not_answered:\n  - Question number 3 about the cough?\nrelated: []"
    root = content_dir(
        {"faq/fever.yml": faq_yaml("fever"), "faq/cough.yml": faq_yaml("cough", related=clash)}
    )
    _entries, defects = validate_dir(root, clinic, today=TODAY)
    assert messages(defects) == [
        "cough.yml:28: 'question number 3 about the cough' is both an example question "
        "and a not_answered question (example question in " + str(root / "faq" / "cough.yml") + ")"
    ]


def test_not_answered_twice_empty_or_outside_faqs(content_dir, clinic) -> None:
    twice = "not_answered:\n  - who discovered fever\n  - ''\nrelated: []"
    emergency = faq_yaml("stroke", answer="answer: Call {emergency_number} now.", related="not_answered: [a question]")
    root = content_dir(
        {
            "faq/fever.yml": faq_yaml("fever", related=twice),
            "faq/cough.yml": faq_yaml("cough", related=twice),
            "emergency/stroke.yml": emergency,
        }
    )
    _entries, defects = validate_dir(root, clinic, today=TODAY)
    found = messages(defects)
    assert "cough.yml:29: empty not_answered question" in found
    assert "fever.yml:29: empty not_answered question" in found
    assert any(m.startswith("fever.yml:28: not_answered question 'who discovered fever' also appears under another FAQ") for m in found)
    assert any(m.startswith("stroke.yml:") and m.endswith("not_answered applies to FAQs only") for m in found)
    assert len(found) == 4
