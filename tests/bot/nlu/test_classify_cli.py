"""`patientbot classify` runs the trained model in-process and prints one decision per line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent

QUESTIONS = [
    "what are your opening hours",
    "hi",
    "should i double my dose of sertraline",
    "can i talk to a real doctor",
    "who won the match last night",
    "my dad's face is drooping and he can't lift his arm",
    "",
]


def run_classify(model_path: Path, stdin: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "patientbot"), "classify", "--model", str(model_path), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_decisions_for_each_kind_of_question(model_path: Path) -> None:
    result = run_classify(model_path, "\n".join(QUESTIONS) + "\n")
    assert result.returncode == 0, result.stderr[-2000:]
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == len(QUESTIONS)
    for row, question in zip(rows, QUESTIONS):
        assert set(row) >= {"text", "decision", "faq_id", "intent", "confidence"}
        assert row["text"] == question
        assert 0.0 <= row["confidence"] <= 1.0
    decisions = [(r["decision"], r["faq_id"]) for r in rows]
    assert decisions[0] == ("answer", "opening_hours")
    assert decisions[1] == ("answer", None) and rows[1]["intent"] == "greet"
    assert decisions[2][0] == "handoff"
    assert decisions[3][0] == "handoff" and rows[3]["intent"] == "request_human"
    assert decisions[4][0] == "clarify"
    assert decisions[5][0] == "emergency" and "stroke" in rows[5]["red_flags"]
    assert decisions[6] == ("clarify", None)


def test_csv_input_and_bad_arguments(model_path: Path, tmp_path: Path) -> None:
    csv_file = tmp_path / "q.csv"
    csv_file.write_text('id,question\n1,"how do I cancel my appointment"\n', encoding="utf-8")
    result = run_classify(model_path, "", "--csv", str(csv_file), "--column", "question")
    assert result.returncode == 0, result.stderr[-2000:]
    (row,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert row["decision"] == "answer" and row["faq_id"] == "cancel_appointment"

    wrong_column = run_classify(model_path, "", "--csv", str(csv_file), "--column", "nope")
    assert wrong_column.returncode == 2 and "column 'nope'" in wrong_column.stderr
    missing = run_classify(model_path, "", "--csv", str(tmp_path / "none.csv"), "--column", "q")
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    no_model = run_classify(tmp_path / "empty", "hello\n")
    assert no_model.returncode == 2 and "no trained model" in no_model.stderr
