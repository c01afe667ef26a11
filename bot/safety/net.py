"""The safety net: the rules, the meaning-based detector and the urgency signs, as one verdict.

The rules (bot.safety.detector) are trusted first: when they flag, their
categories stand. When they find nothing, the semantic detector
(bot.safety.semantic) may flag, but only if ConText does not say the message
is calm:

* the rules matched an emergency phrase and ConText ruled every one out
  (negated, hypothetical or historical: "my grandad had a heart attack ten
  years ago"); or
* most of the message's content words are hypothetical or historical
  (`CALM_SHARE`), which catches "what should I do if my baby stops breathing"
  whatever its wording; or
* it plays the symptom down ("a little", "mild", "stopped", `MILD`), which the
  embedding hardly sees: "my nose bled a little" sits next to a haemorrhage.

Whatever the verdict, the urgency signs of the message are computed too
(bot.safety.urgency): they decide whether a message the bot cannot understand
is asked to rephrase or treated as possibly urgent.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from bot.safety.categories import LABELS, REFINES
from bot.safety.detector import (
    HISTORICAL_REASON,
    HYPOTHETICAL_REASON,
    RedFlag,
    RedFlagDetector,
    SafetyCheck,
    get_detector,
)
from bot.safety.semantic import FLAG_AT, SemanticVerdict, shared_semantic_detector
from bot.safety.urgency import is_general_question, urgency_signs

logger = logging.getLogger(__name__)

# A message whose content words are at least this much negated, hypothetical or
# historical (ConText) is calm for the semantic detector.
CALM_SHARE = 0.5
SEMANTIC = "semantic"
NEAR_EMERGENCY = "near_emergency"
MILD = re.compile(
    r"(?<!\w)(?:a (?:little|bit)|slight(?:ly)?|mild(?:ly)?|small|minor|tiny|normal(?:ly)?|fine|"
    r"(?:has|have|it|it's|its|bleeding|pain) stopped|stopped (?:bleeding|hurting)|a couple of|poco|leve)(?!\w)",
    re.IGNORECASE,
)


class Semantic(Protocol):
    def verdicts(self, texts: Sequence[str]) -> list[SemanticVerdict]: ...


class SafetyNet:
    """Checks a patient message with both detectors and reports its signs of urgency."""

    def __init__(self, rules: RedFlagDetector, semantic: Semantic | None) -> None:
        self.rules = rules
        self.semantic = semantic

    def check(self, text: str) -> SafetyCheck:
        """The combined verdict on one message."""
        return self.check_many([text])[0]

    def check_many(self, texts: Sequence[str]) -> list[SafetyCheck]:
        """Verdicts for many messages, the sentence encoder run in batches."""
        semantic = self.semantic.verdicts(list(texts)) if self.semantic is not None else []
        out = []
        for index, text in enumerate(texts):
            verdict = semantic[index] if semantic else None
            out.append(self._combine(text, self.rules.check(text), verdict))
        return out

    def _combine(self, text: str, rules: SafetyCheck, semantic: SemanticVerdict | None) -> SafetyCheck:
        lexical = urgency_signs(text)
        signs = lexical
        if semantic is not None and semantic.is_possibly_urgent and not is_general_question(text):
            signs = (*signs, NEAR_EMERGENCY)
        if rules.is_emergency and semantic is not None:
            return dataclasses.replace(rules, flags=self._refined(rules, semantic), urgency=signs)
        if (
            rules.is_emergency
            or semantic is None
            or not semantic.is_emergency(has_urgency_sign=bool(lexical))
        ):
            return dataclasses.replace(rules, urgency=signs)
        if self._is_calm(text, rules):
            # No flag; the signs stay, for the case that the bot cannot understand it either.
            return dataclasses.replace(rules, urgency=signs)
        logger.debug("semantic red flag: %s", semantic.category)
        return dataclasses.replace(rules, flags=[_semantic_flag(semantic)], urgency=signs)

    @staticmethod
    def _refined(rules: SafetyCheck, semantic: SemanticVerdict) -> list[RedFlag]:
        """The rules' flags, and the semantic category when it explains one of theirs.

        "my 3 week old is limp" matches the rules' collapse sign (heart attack); the
        semantic detector sees a very unwell baby, whose guidance must come first
        (bot.safety.categories.REFINES puts it there).
        """
        category = semantic.category
        if (
            category is None
            or category in rules.categories
            or not set(rules.categories) & REFINES.get(category, frozenset())
            or semantic.probability < FLAG_AT
        ):
            return rules.flags
        return [*rules.flags, _semantic_flag(semantic)]

    def _is_calm(self, text: str, rules: SafetyCheck) -> bool:
        if rules.ignored or MILD.search(text):
            return True
        reasons = self.rules.word_verdicts(text)
        if not reasons:
            return False
        # Negated words do not count: for the semantic detector a negation is often the
        # symptom itself ("won't feed", "hasn't peed since yesterday"); a negated red-flag
        # phrase the rules know is caught above, by their ignored flags.
        calm = sum(r in (HYPOTHETICAL_REASON, HISTORICAL_REASON) for r in reasons)
        return calm / len(reasons) >= CALM_SHARE


def _semantic_flag(semantic: SemanticVerdict) -> RedFlag:
    assert semantic.category is not None
    return RedFlag(
        semantic.category,
        LABELS[semantic.category],
        "",  # no phrase: the meaning of the whole message
        (SEMANTIC, f"p={semantic.probability:.2f}"),
    )


@functools.lru_cache(maxsize=2)
def _net_for(pipeline_dir: Path | None) -> SafetyNet:
    return SafetyNet(get_detector(pipeline_dir), shared_semantic_detector())


def get_safety_net(pipeline_dir: Path | None = None) -> SafetyNet:
    """The process's safety net (rules and semantic detector loaded once, then warm).

    Raises bot.nlp.PipelineNotBuiltError or bot.nlu.embedding_model.EmbeddingModelError
    when `make setup` has not built what it needs: the gateway must not start blind.
    """
    return _net_for(pipeline_dir)
