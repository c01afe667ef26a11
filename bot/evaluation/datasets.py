"""Evaluation datasets: our held-out questions and the public sets in ../shared/eval.

None of these questions is ever trained on: the held-out FAQ examples are split
off by the compiler, each FAQ's `not_answered` questions (`own`'s `near_topic`
kind: on an FAQ's topic, answered by none) are never compiled, and the public
sets are only read here.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from bot.content.compiler import served_faqs, split_examples
from bot.content.loader import load_content
from bot.paths import CONTENT_DIR, EVAL_DIR, SHARED_EVAL_DIR

DATASETS = ("own", "covid_q", "liveqa_medical", "paraphrases", "advice_boundary")
MAPPINGS_DIR = EVAL_DIR / "mappings"


@dataclass(frozen=True)
class EvalItem:
    id: str
    text: str
    # The FAQ that answers it, or None when no FAQ does (any FAQ answer is then wrong).
    expected_faq: str | None
    kind: str
    # For small talk: the intent that answers it ("thanks"), so its replies can be checked too.
    expected_intent: str | None = None


def _read_lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_mapping(name: str, mappings_dir: Path = MAPPINGS_DIR) -> dict[str, str]:
    """Public-set ids (class ids or qids) that one of our FAQs really answers -> FAQ id."""
    path = mappings_dir / f"{name}.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    mapping = data.get("mapping") or {}
    return {str(k): str(v) for k, v in mapping.items()}


def own_dataset(content_dir: Path = CONTENT_DIR, eval_dir: Path = EVAL_DIR / "own") -> list[EvalItem]:
    entries, _ = load_content(content_dir)
    served, _ = served_faqs(entries, today=date.today())
    items: list[EvalItem] = []
    for entry in served:
        _training, heldout = split_examples(entry)
        items.extend(EvalItem(f"{entry.id}:{i}", q, entry.id, "in_scope") for i, q in enumerate(heldout))
        items.extend(
            EvalItem(f"near_topic:{entry.id}:{i}", q, None, "near_topic") for i, q in enumerate(entry.not_answered)
        )
    for name, kind in (("out_of_scope.txt", "out_of_scope"), ("personal_advice.txt", "personal_advice")):
        for i, text in enumerate(_read_lines(eval_dir / name)):
            items.append(EvalItem(f"{kind}:{i}", text, None, kind))
    smalltalk = eval_dir / "smalltalk.tsv"
    for i, line in enumerate(_read_lines(smalltalk)):
        intent, text = line.split("\t", 1)
        items.append(EvalItem(f"smalltalk:{i}", text, None, "smalltalk", expected_intent=intent))
    return items


def covid_q_dataset(shared_dir: Path = SHARED_EVAL_DIR) -> list[EvalItem]:
    mapping = load_mapping("covid_q")
    items = []
    with (shared_dir / "covid_q" / "questions.tsv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            faq = mapping.get(row["class_id"])
            items.append(EvalItem(row["row"], row["question"], faq, "in_scope" if faq else "out_of_scope"))
    return items


def liveqa_dataset(shared_dir: Path = SHARED_EVAL_DIR) -> list[EvalItem]:
    mapping = load_mapping("liveqa_medical")
    items = []
    with (shared_dir / "liveqa_medical" / "questions.tsv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            text = " ".join((row.get("message") or row.get("subject") or "").split())
            faq = mapping.get(row["qid"])
            items.append(EvalItem(row["qid"], text, faq, "in_scope" if faq else "out_of_scope"))
    return items


def paraphrases_dataset(eval_dir: Path = EVAL_DIR / "own") -> list[EvalItem]:
    """Questions as patients type them, written apart from the examples: where the gate's settings are chosen.

    `faq_id<TAB>question`; `-` for a question on a topic near ours, or off it, that no FAQ answers.
    """
    items = []
    for i, line in enumerate(_read_lines(eval_dir / "paraphrases.tsv")):
        faq_id, text = line.split("\t", 1)
        expected = None if faq_id == "-" else faq_id
        items.append(EvalItem(f"paraphrase:{i}", text, expected, "in_scope" if expected else "not_answered"))
    return items


def advice_boundary_dataset(eval_dir: Path = EVAL_DIR / "own") -> list[EvalItem]:
    """Both sides of the personal-advice guard: general questions in the first person, and the patient's own case.

    `answer<TAB>faq_id<TAB>question` (an FAQ answers it, "my baby has diarrhea, how do i stop him
    getting dehydrated") or `clinician<TAB>-<TAB>question` (their results, their dose, their diagnosis).
    """
    items = []
    for i, line in enumerate(_read_lines(eval_dir / "advice_boundary.tsv")):
        expected, faq_id, text = line.split("\t", 2)
        if expected == "answer":
            items.append(EvalItem(f"advice_boundary:{i}", text, faq_id, "in_scope"))
        else:
            items.append(EvalItem(f"advice_boundary:{i}", text, None, "personal_advice"))
    return items


def load_dataset(name: str) -> list[EvalItem]:
    if name == "own":
        return own_dataset()
    if name == "covid_q":
        return covid_q_dataset()
    if name == "liveqa_medical":
        return liveqa_dataset()
    if name == "paraphrases":
        return paraphrases_dataset()
    if name == "advice_boundary":
        return advice_boundary_dataset()
    raise ValueError(f"unknown dataset '{name}' (known: {', '.join(DATASETS)})")
