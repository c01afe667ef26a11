"""The labelled set (written for this project) and the public question sets (never used to write rules)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bot import paths
from bot.safety.categories import CATEGORIES
from bot.safety.detector import RedFlagDetector
from bot.safety.evaluation import (
    KINDS,
    LABELLED_PATH,
    SHARED_EMERGENCIES_PATH,
    evaluate_safety,
    format_safety_report,
    load_labelled,
)
from bot.safety.net import SafetyNet


@pytest.fixture(scope="module")
def result(safety_net: SafetyNet) -> dict:
    """The gateway's check: the rules and the semantic detector."""
    return evaluate_safety(detector=safety_net)


def test_labelled_set_is_big_and_balanced() -> None:
    rows = load_labelled(LABELLED_PATH)
    assert len(rows) >= 450
    per_category = Counter(r["category"] for r in rows if r["category"] != "none")
    assert set(per_category) == set(CATEGORIES)
    assert min(per_category.values()) >= 15
    assert set(Counter(r["kind"] for r in rows)) == set(KINDS)
    texts = [r["text"].strip().lower() for r in rows]
    assert len(texts) == len(set(texts)), "duplicate messages"


def test_every_emergency_is_detected_or_possibly_urgent(result: dict, safety_net: SafetyNet) -> None:
    """The rules' rows all flagged; the rare ones left to the semantic detector never asked to rephrase."""
    lab = result["labelled"]
    misses = "\n".join(f"  [{m['category']}/{m['kind']}] {m['text']}" for m in lab["misses"])
    assert lab["overall"]["recall"] == 1.0, f"missed emergencies:\n{misses}"
    assert all(safety_net.check(m["text"]).urgency for m in lab["misses"]), misses


def test_precision_on_look_alikes(result: dict) -> None:
    lab = result["labelled"]
    alarms = "\n".join(f"  [{m['kind']}] {m['text']} -> {m['flagged']}" for m in lab["false_alarms"])
    assert lab["overall"]["precision"] >= 0.95, f"false alarms:\n{alarms}"


def test_emergencies_get_their_own_category(result: dict) -> None:
    lab = result["labelled"]
    wrong = "\n".join(f"  [{m['category']}] {m['text']} -> {m['flagged']}" for m in lab["wrong_category"])
    assert lab["overall"]["category_recall"] >= 0.95, f"wrong category:\n{wrong}"
    for category, stats in lab["per_category"].items():
        assert stats["recall"] >= 0.9, category


def test_public_questions_rarely_raise_an_alarm(result: dict) -> None:
    shared = result["shared"]
    assert shared is not None, f"public question sets not found at {paths.SHARED_EVAL_DIR}"
    assert shared["questions"] == 1466
    examples = "\n".join(f"  {e['dataset']}:{e['id']} {e['phrases']}" for e in shared["false_alarm_examples"])
    assert shared["false_alarm_rate"] <= 0.01, f"false alarms:\n{examples}"
    assert shared["emergencies"]["missed"] == []
    assert len(shared["emergencies"]["detected"]) == shared["emergencies"]["listed"] >= 1


def test_report_is_a_readable_table(result: dict) -> None:
    report = format_safety_report(result)
    assert "recall" in report and "precision" in report
    for category in CATEGORIES:
        assert category in report
    assert "False alarms:" in report and "Latency per message" in report


def test_shared_evaluation_counts_listed_emergencies_as_true_positives(
    detector: RedFlagDetector, tmp_path: Path
) -> None:
    shared = tmp_path / "eval"
    (shared / "covid_q").mkdir(parents=True)
    (shared / "liveqa_medical").mkdir()
    (shared / "covid_q" / "questions.tsv").write_text(
        "row\tclass_id\tcategory\tsource\tquestion\n"
        "1\t1\tx\ty\twhat is covid\n"
        "2\t1\tx\ty\tcan covid cause chest pain\n"
        "3\t2\tx\ty\ti have crushing chest pain right now\n",
        encoding="utf-8",
    )
    (shared / "liveqa_medical" / "questions.tsv").write_text(
        "qid\tsubject\tmessage\tparaphrase\tquestion_types\tfocus\n"
        "Q1\tpills\tI took 30 sleeping pills an hour ago\tp\tt\tf\n"
        "Q2\tgout\tis gout hereditary\tp\tt\tf\n",
        encoding="utf-8",
    )
    listed = tmp_path / "listed.tsv"
    listed.write_text(
        "dataset\tid\tcategory\ttext\nliveqa_medical\tQ1\toverdose_poisoning\tI took 30 sleeping pills\n",
        encoding="utf-8",
    )
    out = evaluate_safety(
        detector=detector, shared_eval_dir=shared, shared_emergencies_path=listed
    )["shared"]
    assert out["questions"] == 5 and out["non_emergency_questions"] == 4
    assert out["false_alarms"] == 1  # covid_q row 3 is an emergency that nobody listed
    assert [e["id"] for e in out["emergencies"]["detected"]] == ["Q1"]
    assert out["datasets"]["covid_q"]["false_alarm_rate"] == pytest.approx(1 / 3)


def test_shared_emergencies_file_is_well_formed() -> None:
    lines = SHARED_EMERGENCIES_PATH.read_text(encoding="utf-8").splitlines()
    assert lines[0].split("\t") == ["dataset", "id", "category", "text"]
    for line in lines[1:]:
        dataset, _id, category, text = line.split("\t")
        assert dataset in {"covid_q", "liveqa_medical"}
        assert category in CATEGORIES and text
