"""`patientbot eval groups`: the myth watch's precision and recall, and red-flag recall in group style.

Precision counts every reply: a reply to a message that neither asserts the
myth nor asks whether it is true (a member quoting it to disagree, a message
that only mentions vaccines), or with the answer to another myth, is a false
alarm. Recall counts the messages that assert or ask about a myth and got that
myth's answer. The test set (eval/groups/test.tsv) was written before the
watch was tuned and is never fitted on; the development figures are
out-of-fold (each message scored by a regression that did not see it).

Red-flag recall asks the safety net the gateway uses (bot.safety.net) about
group-style emergencies and crisis messages (eval/groups/emergencies.tsv); the
detector is used as it is, never tuned here.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.groups.myth_watch import DEV_FILE, LabelledMessage, MythVerdict, MythWatch, load_labelled
from bot.paths import EVAL_DIR

TEST_FILE = EVAL_DIR / "groups" / "test.tsv"
# Written in turn, each after the one before had been measured and before the watch was tuned
# again on the development set (docs/groups.md): the last one is the only set no version of the
# watch had been measured on when it was last tuned.
TEST_FILES = (TEST_FILE, EVAL_DIR / "groups" / "test2.tsv", EVAL_DIR / "groups" / "test3.tsv")
EMERGENCIES_FILE = EVAL_DIR / "groups" / "emergencies.tsv"


@dataclass(frozen=True)
class GroupEmergency:
    category: str
    text: str


def load_emergencies(path: Path = EMERGENCIES_FILE) -> list[GroupEmergency]:
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if line.strip() and not line.startswith("#")]
    for fields in list(csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]:
        rows.append(GroupEmergency(fields[0], fields[1].strip()))
    return rows


def score_myths(rows: Sequence[LabelledMessage], verdicts: Sequence[MythVerdict]) -> dict[str, Any]:
    """Precision, recall and the mistakes of one set of verdicts."""
    true_positive = false_positive = false_negative = 0
    false_alarms: Counter[str] = Counter()
    mistakes = []
    for row, verdict in zip(rows, verdicts, strict=True):
        right = row.wants_reply and verdict.myth == row.myth
        if verdict.myth is not None and right:
            true_positive += 1
            continue
        if verdict.myth is not None:
            false_positive += 1
            false_alarms[row.kind] += 1
            mistakes.append({"line": row.line, "kind": row.kind, "expected": row.myth if row.wants_reply else None,
                             "got": verdict.myth, "p": round(verdict.probability, 3), "text": row.text})
        if row.wants_reply:
            false_negative += 1
            if verdict.myth is None:
                mistakes.append({"line": row.line, "kind": row.kind, "expected": row.myth, "got": None,
                                 "p": round(verdict.probability, 3), "text": row.text})
    replies = true_positive + false_positive
    wanted = true_positive + false_negative
    return {
        "n": len(rows),
        "n_reply_wanted": wanted,
        "replies": replies,
        "correct_replies": true_positive,
        "precision": true_positive / replies if replies else 1.0,
        "recall": true_positive / wanted if wanted else 1.0,
        "false_alarms_by_kind": dict(sorted(false_alarms.items())),
        "mistakes": mistakes,
    }


def development_figures(watch: MythWatch) -> dict[str, Any]:
    """The development set's out-of-fold figures at the chosen threshold."""
    verdicts = [
        MythVerdict(candidate if probability >= watch.threshold else None, candidate, float(probability))
        for candidate, probability in zip(watch.development_candidates, watch.development_probabilities, strict=True)
    ]
    return score_myths(watch.examples, verdicts)


def red_flag_figures(detector: Any, rows: Sequence[GroupEmergency]) -> dict[str, Any]:
    """How many group-style emergencies the safety net flags, and which it misses."""
    checks = detector.check_many([row.text for row in rows])
    missed = [{"category": row.category, "text": row.text} for row, check in zip(rows, checks, strict=True)
              if not check.is_emergency]
    caught = len(rows) - len(missed)
    return {"n": len(rows), "caught": caught, "recall": caught / len(rows) if rows else 1.0, "missed": missed}


def false_red_flags(detector: Any, rows: Sequence[LabelledMessage]) -> list[str]:
    """Myth-set messages (none of them an emergency) that the safety net flags anyway."""
    checks = detector.check_many([row.text for row in rows])
    return [row.text for row, check in zip(rows, checks, strict=True) if check.is_emergency]


def _served_rows(watch: MythWatch, path: Path) -> list[LabelledMessage]:
    return [row for row in load_labelled(path) if row.myth in watch.myths or row.myth == "none"]


def evaluate_groups(
    watch: MythWatch,
    detector: Any,
    *,
    test_files: Sequence[Path] = TEST_FILES,
    emergencies_file: Path = EMERGENCIES_FILE,
) -> dict[str, Any]:
    """Every figure `patientbot eval groups` prints: each test set, and all of them together."""
    sets = {path.stem: _served_rows(watch, path) for path in test_files}
    scored = {name: score_myths(rows, watch.verdicts([row.text for row in rows])) for name, rows in sets.items()}
    every = [row for rows in sets.values() for row in rows]
    return {
        "threshold": round(watch.threshold, 4),
        "dev_file": str(DEV_FILE),
        "test_files": [str(path) for path in test_files],
        "development": development_figures(watch),
        **scored,
        "all_test": score_myths(every, watch.verdicts([row.text for row in every])),
        "red_flags": red_flag_figures(detector, load_emergencies(emergencies_file)),
        "red_flags_on_myth_test_sets": false_red_flags(detector, every),
    }


def format_groups_report(result: dict[str, Any]) -> str:
    lines = [f"myth watch (reply threshold p >= {result['threshold']:.3f})"]
    names = ["development", *(Path(path).stem for path in result["test_files"]), "all_test"]
    for name in names:
        figures = result[name]
        lines.append(
            f"  {name:11s} precision={figures['precision']:.3f} recall={figures['recall']:.3f} "
            f"({figures['correct_replies']} right of {figures['replies']} replies; "
            f"{figures['n_reply_wanted']} wanted; n={figures['n']}) false alarms {figures['false_alarms_by_kind']}"
        )
    for name in names[1:-1]:
        for mistake in result[name]["mistakes"]:
            lines.append(f"    {name} line {mistake['line']} {mistake['kind']}: expected {mistake['expected']}, "
                         f"got {mistake['got']} (p={mistake['p']}): {mistake['text']}")
    flags = result["red_flags"]
    lines.append(f"red flags on group-style emergencies: recall={flags['recall']:.3f} ({flags['caught']}/{flags['n']})")
    for missed in flags["missed"]:
        lines.append(f"    missed ({missed['category']}): {missed['text']}")
    flagged = result["red_flags_on_myth_test_sets"]
    lines.append(f"red flags raised on the myth test sets (no emergency there): {len(flagged)} of {result['all_test']['n']}")
    for text in flagged:
        lines.append(f"    flagged: {text}")
    return "\n".join(lines)
