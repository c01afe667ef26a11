"""Measure the red-flag detector: recall and precision on our labelled set, false alarms on public questions.

Two sources, kept apart on purpose:
* tests/data/safety/labelled.tsv: messages written for this project (true
  emergencies in many phrasings, and negated, hypothetical, historical,
  non-urgent and FAQ look-alikes). Rules were developed against it, so its
  figures show coverage, not generalisation.
* the public question sets in /work/shared/eval (see its README), never used to
  write rules: every question is run through the detector; a flag is a false
  alarm unless the question is listed in eval/safety/shared_emergencies.tsv as
  describing an emergency happening now (then it is a true positive, and a
  miss there is reported).

And, for generalisation, the latest unseen batch of eval/safety/batches: fresh
phrasings written in batches, each measured with the detector frozen before
anything is learned from it (learned.txt lists the batches learned since). Its
misses are reported with whether the possibly-urgent tier would catch them
(a miss without any urgency sign would be asked to rephrase). Last, how often
plain FAQ questions (own's held-out examples, covid_q's mapped questions) carry
urgency signs: the most that can reach the possibly-urgent tier.
"""

from __future__ import annotations

import csv
import statistics
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bot import paths
from bot.safety.categories import CATEGORIES, SEVERITY_ORDER

LABELLED_PATH = paths.ROOT / "tests" / "data" / "safety" / "labelled.tsv"
SHARED_EMERGENCIES_PATH = paths.EVAL_DIR / "safety" / "shared_emergencies.tsv"
KINDS = (
    "emergency",
    "other_person_emergency",
    "negated",
    "hypothetical",
    "historical",
    "question",
    "non_urgent",
    "faq",
    "small_talk",
)
EMERGENCY_KINDS = frozenset({"emergency", "other_person_emergency"})


def _read_tsv(path: Path) -> list[dict[str, str]]:
    with Path(path).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def load_labelled(path: Path = LABELLED_PATH) -> list[dict[str, str]]:
    """Rows of the labelled set, validated (unknown categories or kinds are errors, not misses)."""
    rows = _read_tsv(path)
    for number, row in enumerate(rows, start=2):
        category, kind = row.get("category"), row.get("kind")
        if category != "none" and category not in CATEGORIES:
            raise ValueError(f"{path}:{number}: unknown category {category!r}")
        if kind not in KINDS:
            raise ValueError(f"{path}:{number}: unknown kind {kind!r}")
        if (category == "none") == (kind in EMERGENCY_KINDS):
            raise ValueError(f"{path}:{number}: category {category!r} does not fit kind {kind!r}")
        if not (row.get("text") or "").strip():
            raise ValueError(f"{path}:{number}: empty text")
    return rows


def shared_questions(shared_eval_dir: Path = paths.SHARED_EVAL_DIR) -> list[dict[str, str]]:
    """Every public question as {dataset, id, text}: covid_q `question`, liveqa `subject` + `message`."""
    shared_eval_dir = Path(shared_eval_dir)
    out: list[dict[str, str]] = []
    for row in _read_tsv(shared_eval_dir / "covid_q" / "questions.tsv"):
        out.append({"dataset": "covid_q", "id": row["row"], "text": row["question"]})
    for row in _read_tsv(shared_eval_dir / "liveqa_medical" / "questions.tsv"):
        subject = (row.get("subject") or "").strip()
        message = (row.get("message") or "").strip()
        # the subject is a title for the message: joined by a line break, as one text
        text = f"{subject}\n{message}" if subject and message else subject or message
        out.append({"dataset": "liveqa_medical", "id": row["qid"], "text": text})
    return out


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def unseen_batch(batches_dir: Path | None = None) -> Path | None:
    """The newest batch of eval/safety/batches not yet learned from, or None."""
    from bot.safety.semantic import BATCHES_DIR, learned_batches

    folder = Path(batches_dir or BATCHES_DIR)
    learned = {p.name for p in learned_batches(folder)}
    batches = sorted(p for p in folder.glob("batch_*.tsv") if p.name not in learned)
    return batches[-1] if batches else None


def _evaluate_batch(detector, path: Path) -> dict[str, Any]:
    figures = _evaluate_labelled(detector, load_labelled(path))
    for miss in figures["misses"]:
        miss["urgent_tier"] = bool(detector.check(miss["text"]).urgency)
    figures["misses_asked_to_rephrase"] = sum(not m["urgent_tier"] for m in figures["misses"])
    figures["path"] = str(path)
    return figures


def _urgent_tier_reach(detector, shared_eval_dir: Path) -> dict[str, Any]:
    """Plain FAQ questions that carry urgency signs or are flagged: the most the tier could take."""
    from bot.evaluation.datasets import covid_q_dataset, own_dataset

    sets = {"own": own_dataset()}
    if Path(shared_eval_dir).is_dir():
        sets["covid_q"] = covid_q_dataset(shared_eval_dir)
    out: dict[str, Any] = {}
    for name, items in sets.items():
        texts = [i.text for i in items if i.kind == "in_scope"]
        checks = [detector.check(t) for t in texts]
        urgent = sum(bool(c.urgency) and not c.is_emergency for c in checks)
        flagged = sum(c.is_emergency for c in checks)
        out[name] = {
            "in_scope": len(texts),
            "with_urgency_signs": urgent,
            "with_urgency_signs_rate": _ratio(urgent, len(texts)),
            "flagged_emergency": flagged,
            "flagged_emergency_rate": _ratio(flagged, len(texts)),
        }
    return out


def _flag_summary(check) -> dict[str, Any]:
    return {
        "flagged": check.categories,
        "phrases": [f"{f.category}: {f.phrase}" for f in check.flags],
        "ignored": [f"{f.category}: {f.phrase} ({f.reason})" for f in check.ignored],
    }


def _evaluate_labelled(detector, rows: list[dict[str, str]]) -> dict[str, Any]:
    per_category: dict[str, dict[str, Any]] = {
        c: {"support": 0, "detected": 0, "right_category": 0, "flagged": 0, "justified": 0}
        for c in CATEGORIES
    }
    by_kind: dict[str, dict[str, Any]] = {k: {"rows": 0, "flagged": 0} for k in KINDS}
    misses, false_alarms, wrong_category = [], [], []
    tp = fn = fp = tn = 0
    timings: list[float] = []
    for row in rows:
        start = time.perf_counter()
        check = detector.check(row["text"])
        timings.append((time.perf_counter() - start) * 1000)
        expected = row["category"]
        is_true = expected != "none"
        by_kind[row["kind"]]["rows"] += 1
        by_kind[row["kind"]]["flagged"] += int(check.is_emergency)
        for category in check.categories:
            per_category[category]["flagged"] += 1
            per_category[category]["justified"] += int(is_true)
        record = {"category": expected, "kind": row["kind"], "text": row["text"], **_flag_summary(check)}
        if is_true:
            stats = per_category[expected]
            stats["support"] += 1
            if check.is_emergency:
                tp += 1
                stats["detected"] += 1
                if expected in check.categories:
                    stats["right_category"] += 1
                else:
                    wrong_category.append(record)
            else:
                fn += 1
                misses.append(record)
        elif check.is_emergency:
            fp += 1
            false_alarms.append(record)
        else:
            tn += 1
    for stats in per_category.values():
        stats["recall"] = _ratio(stats["detected"], stats["support"])
        stats["category_recall"] = _ratio(stats["right_category"], stats["support"])
        stats["precision"] = _ratio(stats["justified"], stats["flagged"])
    for stats in by_kind.values():
        stats["flag_rate"] = _ratio(stats["flagged"], stats["rows"])
    return {
        "rows": len(rows),
        "overall": {
            "tp": tp,
            "fn": fn,
            "fp": fp,
            "tn": tn,
            "recall": _ratio(tp, tp + fn),
            "precision": _ratio(tp, tp + fp),
            "category_recall": _ratio(sum(s["right_category"] for s in per_category.values()), tp + fn),
        },
        "per_category": per_category,
        "by_kind": by_kind,
        "misses": misses,
        "wrong_category": wrong_category,
        "false_alarms": false_alarms,
        "latency_ms": {
            "mean": statistics.fmean(timings) if timings else None,
            "p50": statistics.median(timings) if timings else None,
            "p95": sorted(timings)[int(0.95 * (len(timings) - 1))] if timings else None,
            "max": max(timings) if timings else None,
        },
    }


def _evaluate_shared(detector, questions: list[dict[str, str]], listed: list[dict[str, str]]) -> dict[str, Any]:
    emergencies = {(r["dataset"], r["id"]): r for r in listed}
    datasets: dict[str, Counter] = {}
    false_alarms, detected, missed = [], [], []
    for question in questions:
        key = (question["dataset"], question["id"])
        counts = datasets.setdefault(question["dataset"], Counter())
        counts["questions"] += 1
        check = detector.check(question["text"])
        if key in emergencies:
            counts["listed_emergencies"] += 1
            entry = {"dataset": key[0], "id": key[1], "category": emergencies[key]["category"],
                     "flagged": check.categories}
            if check.is_emergency:
                counts["detected"] += 1
                detected.append(entry)
            else:
                missed.append(entry)
        elif check.is_emergency:
            counts["false_alarms"] += 1
            # ids and matched phrases only: the public questions are not copied into reports
            false_alarms.append({"dataset": key[0], "id": key[1], **_flag_summary(check)})
    unknown = sorted(set(emergencies) - {(q["dataset"], q["id"]) for q in questions})
    if unknown:
        raise ValueError(f"shared emergencies list ids that are not in the shared eval set: {unknown}")
    total = sum(c["questions"] for c in datasets.values())
    non_emergency = total - len(emergencies)
    return {
        "questions": total,
        "non_emergency_questions": non_emergency,
        "false_alarms": len(false_alarms),
        "false_alarm_rate": _ratio(len(false_alarms), non_emergency),
        "datasets": {
            name: {
                "questions": c["questions"],
                "false_alarms": c["false_alarms"],
                "false_alarm_rate": _ratio(c["false_alarms"], c["questions"] - c["listed_emergencies"]),
                "listed_emergencies": c["listed_emergencies"],
                "detected": c["detected"],
            }
            for name, c in sorted(datasets.items())
        },
        "emergencies": {"listed": len(emergencies), "detected": detected, "missed": missed},
        "false_alarm_examples": false_alarms,
    }


def evaluate_safety(
    *,
    labelled_path: Path = LABELLED_PATH,
    shared_eval_dir: Path = paths.SHARED_EVAL_DIR,
    shared_emergencies_path: Path = SHARED_EMERGENCIES_PATH,
    batches_dir: Path | None = None,
    detector=None,
    with_reach: bool = True,
) -> dict[str, Any]:
    """Run the detector over the labelled set, the latest unseen batch and the public questions.

    `detector` defaults to the gateway's safety net (bot.safety.net: rules and
    semantic detector); pass another to evaluate a pipeline built elsewhere. The
    shared evaluation is skipped (reported as None) when `shared_eval_dir` does
    not exist.
    """
    if detector is None:
        from bot.safety.net import get_safety_net

        detector = get_safety_net()
    batch = unseen_batch(batches_dir)
    result: dict[str, Any] = {
        "labelled_path": str(labelled_path),
        "labelled": _evaluate_labelled(detector, load_labelled(labelled_path)),
        "unseen_batch": _evaluate_batch(detector, batch) if batch else None,
        "urgent_tier_reach": _urgent_tier_reach(detector, shared_eval_dir) if with_reach else None,
        "shared_eval_dir": str(shared_eval_dir),
        "shared": None,
    }
    if Path(shared_eval_dir).is_dir():
        listed = _read_tsv(shared_emergencies_path) if Path(shared_emergencies_path).is_file() else []
        for row in listed:
            if row.get("category") not in CATEGORIES:
                raise ValueError(f"{shared_emergencies_path}: unknown category {row.get('category')!r}")
        result["shared"] = _evaluate_shared(detector, shared_questions(shared_eval_dir), listed)
    return result


# ------------------------------------------------------------------ report


def _pct(value: float | None) -> str:
    return "  n/a" if value is None else f"{100 * value:5.1f}%"


def format_safety_report(result: dict[str, Any]) -> str:
    """A plain-text report: per-category table, totals, misses and false alarms."""
    lab = result["labelled"]
    lines = [f"Safety evaluation: labelled set {result['labelled_path']} ({lab['rows']} messages)", ""]
    header = f"{'category':<22}{'n':>4}{'recall':>9}{'right cat':>11}{'flagged':>9}{'precision':>11}"
    lines += [header, "-" * len(header)]
    for category in SEVERITY_ORDER:
        s = lab["per_category"][category]
        lines.append(
            f"{category:<22}{s['support']:>4}{_pct(s['recall']):>9}{_pct(s['category_recall']):>11}"
            f"{s['flagged']:>9}{_pct(s['precision']):>11}"
        )
    o = lab["overall"]
    lines += [
        "-" * len(header),
        f"{'overall':<22}{o['tp'] + o['fn']:>4}{_pct(o['recall']):>9}{_pct(o['category_recall']):>11}"
        f"{o['tp'] + o['fp']:>9}{_pct(o['precision']):>11}",
        "",
        f"true positives {o['tp']}, missed {o['fn']}, false alarms {o['fp']}, true negatives {o['tn']}",
        "recall: emergencies flagged (any category); right cat: flagged with the labelled category;",
        "precision: flagged messages that are real emergencies.",
        "",
        "Flag rate by kind of message:",
    ]
    for kind, s in lab["by_kind"].items():
        lines.append(f"  {kind:<24}{s['flagged']:>4} / {s['rows']:<4} {_pct(s['flag_rate'])}")
    lat = lab["latency_ms"]
    if lat["mean"] is not None:
        lines += [
            "",
            f"Latency per message (warm): mean {lat['mean']:.2f} ms, median {lat['p50']:.2f} ms, "
            f"p95 {lat['p95']:.2f} ms, max {lat['max']:.2f} ms",
        ]
    for title, key in (("Missed emergencies", "misses"), ("Wrong category", "wrong_category"),
                       ("False alarms", "false_alarms")):
        items = lab[key]
        lines += ["", f"{title} ({len(items)}):"]
        for item in items:
            lines.append(f"  [{item['category']}/{item['kind']}] {item['text']}  -> {item['flagged'] or '-'}")
    batch = result.get("unseen_batch")
    if batch is not None:
        o = batch["overall"]
        lines += ["", f"Latest unseen batch {batch['path']} ({batch['rows']} messages, detector frozen):"]
        for category in SEVERITY_ORDER:
            s = batch["per_category"][category]
            if s["support"]:
                lines.append(
                    f"  {category:<22}{s['support']:>4}{_pct(s['recall']):>9}{_pct(s['category_recall']):>11}"
                )
        lines += [
            f"  overall recall {_pct(o['recall']).strip()} ({o['tp']}/{o['tp'] + o['fn']}), right category "
            f"{_pct(o['category_recall']).strip()}, false alarms {o['fp']}/{o['fp'] + o['tn']}; "
            f"misses asked to rephrase: {batch['misses_asked_to_rephrase']} of {len(batch['misses'])}",
        ]
        for item in batch["misses"]:
            tier = "urgent tier" if item["urgent_tier"] else "ASKED TO REPHRASE"
            lines.append(f"  missed [{item['category']}] {item['text']}  -> {tier}")
        for item in batch["false_alarms"]:
            lines.append(f"  false alarm [{item['kind']}] {item['text']}  -> {item['flagged']}")
    reach = result.get("urgent_tier_reach")
    if reach:
        lines += ["", "Plain FAQ questions (in scope) that carry urgency signs (the most the urgent tier can take):"]
        for name, s in reach.items():
            lines.append(
                f"  {name:<10}{s['with_urgency_signs']:>4} / {s['in_scope']:<5}{_pct(s['with_urgency_signs_rate'])}"
                f"   flagged as emergencies {s['flagged_emergency']}"
            )
    shared = result.get("shared")
    lines.append("")
    if shared is None:
        lines.append(f"Shared evaluation skipped: {result['shared_eval_dir']} not found.")
        return "\n".join(lines)
    lines += [
        f"Public questions ({result['shared_eval_dir']}): {shared['questions']}, of which "
        f"{shared['emergencies']['listed']} listed as emergencies happening now",
        f"False alarms: {shared['false_alarms']} / {shared['non_emergency_questions']} "
        f"= {_pct(shared['false_alarm_rate']).strip()}",
    ]
    for name, s in shared["datasets"].items():
        lines.append(
            f"  {name:<16}{s['false_alarms']:>4} / {s['questions'] - s['listed_emergencies']:<5}"
            f"{_pct(s['false_alarm_rate'])}   listed emergencies detected {s['detected']}/{s['listed_emergencies']}"
        )
    for entry in shared["false_alarm_examples"]:
        lines.append(f"  false alarm {entry['dataset']}:{entry['id']}  {'; '.join(entry['phrases'])}")
    for entry in shared["emergencies"]["missed"]:
        lines.append(f"  missed emergency {entry['dataset']}:{entry['id']} ({entry['category']})")
    return "\n".join(lines)


def cross_validate_semantic(folds: int = 5, seed: int = 0) -> dict[str, Any]:
    """How the shipped bars of the semantic detector do on examples it was not fitted on.

    Five-fold cross-validation over the training examples: each fold's detector
    is fitted on the other folds and combined with the rules as the gateway
    does. This is how the bars in bot.safety.semantic were chosen; the unseen
    batches, not this, measure generalisation.
    """
    from sklearn.model_selection import StratifiedKFold

    from bot.nlu.embedding_model import shared_encoder
    from bot.safety.detector import get_detector
    from bot.safety.net import SEMANTIC, SafetyNet
    from bot.safety.semantic import (
        NONE,
        SemanticDetector,
        examples_from_rows,
        read_tsv,
        training_examples,
    )

    encoder = shared_encoder()
    rules = get_detector()
    examples = training_examples()
    labelled = len(examples_from_rows(read_tsv(LABELLED_PATH)))
    labels = [e.label for e in examples]
    strata = [label if labels.count(label) >= folds else NONE for label in labels]
    checks: list[Any] = [None] * len(examples)
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(labels, strata):
        net = SafetyNet(rules, SemanticDetector.fit(encoder, [examples[i] for i in train]))
        for index, check in zip(test, net.check_many([examples[i].text for i in test])):
            checks[index] = check

    def by_semantic(check: Any) -> bool:
        return check.is_emergency and any(SEMANTIC in f.context for f in check.flags)

    emergencies = [i for i in range(labelled) if labels[i] != NONE]
    calm = [i for i in range(labelled) if labels[i] == NONE]
    faq = list(range(labelled, len(examples)))
    return {
        "folds": folds,
        "labelled_emergencies": len(emergencies),
        "semantic_recall": _ratio(sum(by_semantic(checks[i]) for i in emergencies), len(emergencies)),
        "semantic_right_category": _ratio(
            sum(by_semantic(checks[i]) and labels[i] in checks[i].categories for i in emergencies),
            len(emergencies),
        ),
        "labelled_calm": len(calm),
        "semantic_false_alarms_calm": sum(by_semantic(checks[i]) for i in calm),
        "examples_other": len(faq),
        "semantic_false_alarms_other": sum(by_semantic(checks[i]) for i in faq),
        "urgency_on_missed": _ratio(
            sum(bool(checks[i].urgency) for i in emergencies if not by_semantic(checks[i])),
            sum(not by_semantic(checks[i]) for i in emergencies),
        ),
    }
