"""The compiler serves only approved, unexpired content, marks its output and holds examples out."""

from __future__ import annotations

from datetime import date

import yaml
from rasa.core.nlg.interpolator import interpolate

from bot.cli import main
from bot.content.compiler import (
    GENERATED_HEADER,
    compile_faq_data,
    split_examples,
    write_faq_data,
)
from bot.content.loader import load_content
from tests.bot.content.conftest import faq_yaml

TODAY = date(2026, 11, 25)


def test_only_approved_unexpired_faqs_are_compiled(content_dir, clinic, tmp_path) -> None:
    root = content_dir(
        {
            "faq/served.yml": faq_yaml("served"),
            "faq/drafted.yml": faq_yaml("drafted", status="status: draft"),
            "faq/retired.yml": faq_yaml("retired", status="status: retired"),
            "faq/expired.yml": faq_yaml("expired", review_due="review_due: 2026-03-01"),
        }
    )
    entries, _ = load_content(root)
    document, result = compile_faq_data(entries, clinic, today=TODAY)
    assert result.served == ["served"]
    assert result.skipped == {
        "drafted": "status draft",
        "expired": "review overdue or missing vetting fields",
        "retired": "status retired",
    }
    assert [block["intent"] for block in document["nlu"]] == ["faq/served"]
    assert "utter_faq/served" in document["responses"]
    assert not any("drafted" in key or "expired" in key for key in document["responses"])


def test_answers_are_filled_and_end_with_source_and_review_date(content_dir, clinic) -> None:
    root = content_dir({"faq/served.yml": faq_yaml("served")})
    entries, _ = load_content(root)
    document, _ = compile_faq_data(entries, clinic, today=TODAY)
    (response,) = document["responses"]["utter_faq/served"]
    assert clinic["clinic_phone"] in response["text"]
    assert "{" not in response["text"]
    assert response["text"].endswith(
        "Source: NHS, Page (https://www.nhs.uk/page/). Reviewed by Dr. Test on 2026-01-10."
    )
    # Each feedback button names the answer it rates (a Rasa entity in the payload), its
    # braces escaped from Rasa's slot filling, which hands the patient single ones.
    assert [b["payload"] for b in response["buttons"]] == [
        '/feedback_positive{{"faq_id": "served"}}',
        '/feedback_negative{{"faq_id": "served"}}',
    ]
    filled = interpolate(response["buttons"], {"callback_contact": "+44 7700 900123"})
    assert [b["payload"] for b in filled] == [
        '/feedback_positive{"faq_id": "served"}',
        '/feedback_negative{"faq_id": "served"}',
    ]


def test_held_out_examples_are_stable_and_never_trained(content_dir, clinic) -> None:
    root = content_dir({"faq/served.yml": faq_yaml("served")})
    (entry,), _ = load_content(root)
    training, heldout = split_examples(entry)
    assert (training, heldout) == split_examples(entry)
    assert len(heldout) == 2 and len(training) == 10
    assert not set(training) & set(heldout)
    document, result = compile_faq_data([entry], clinic, today=TODAY)
    trained_text = document["nlu"][0]["examples"]
    assert all(f"- {q}\n" not in trained_text for q in heldout)
    assert sorted(q for _id, q in result.heldout) == sorted(heldout)


def test_generated_file_is_marked_and_valid_rasa_yaml(content_dir, clinic, tmp_path) -> None:
    root = content_dir({"faq/served.yml": faq_yaml("served")})
    entries, _ = load_content(root)
    document, _ = compile_faq_data(entries, clinic, today=TODAY)
    path = write_faq_data(document, tmp_path / "generated")
    text = path.read_text(encoding="utf-8")
    assert text.startswith(GENERATED_HEADER)
    reloaded = yaml.safe_load(text)
    assert reloaded["version"] == "3.1"
    assert reloaded["nlu"][0]["examples"].startswith("- question number")
    mtime = path.stat().st_mtime_ns
    write_faq_data(document, tmp_path / "generated")
    assert path.stat().st_mtime_ns == mtime  # unchanged content is not rewritten


def test_cli_build_refuses_defective_content(content_dir, tmp_path, capsys) -> None:
    root = content_dir({"faq/bad.yml": faq_yaml("bad", sources="sources: []")})
    code = main(
        ["content", "build", "--content-dir", str(root), "--output-dir", str(tmp_path / "out")]
    )
    assert code == 1
    assert "missing source" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_cli_validate_exit_codes(content_dir, tmp_path, capsys) -> None:
    good = content_dir({"faq/good.yml": faq_yaml("good")})
    assert main(["content", "validate", "--content-dir", str(good)]) == 0
    assert "content OK" in capsys.readouterr().out
    assert main(["content", "validate", "--content-dir", str(tmp_path / "missing")]) == 2
    assert "does not exist" in capsys.readouterr().err
    bad_profile = tmp_path / "clinic.yml"
    bad_profile.write_text("clinic_name: Test\nclinic_phone: '1'\nhours:\n  mon: ['9', 'noon']\n")
    assert main(["content", "validate", "--content-dir", str(good), "--clinic", str(bad_profile)]) == 1
    assert "clinic.yml:3: clinic profile: hours: mon must be [open, close]" in capsys.readouterr().err


def test_repository_generated_data_is_up_to_date(tmp_path) -> None:
    """data/generated/ is committed for `rasa train`; it must match the content files."""
    from bot.paths import GENERATED_DIR

    assert main(["content", "build", "--output-dir", str(tmp_path)]) == 0
    fresh = (tmp_path / "faq.yml").read_text(encoding="utf-8")
    assert (GENERATED_DIR / "faq.yml").read_text(encoding="utf-8") == fresh


def test_not_answered_questions_are_never_trained(content_dir, clinic) -> None:
    near = [f"near topic question {i} nobody answers" for i in range(5)]
    block = "not_answered:\n" + "\n".join(f"  - {q}" for q in near) + "\nrelated: []"
    root = content_dir({"faq/served.yml": faq_yaml("served", related=block)})
    (entry,), _ = load_content(root)
    assert entry.not_answered == tuple(near)
    document, _ = compile_faq_data([entry], clinic, today=TODAY)
    assert [b["intent"] for b in document["nlu"]] == ["faq/served"]
    assert all(q not in str(document) for q in near)
