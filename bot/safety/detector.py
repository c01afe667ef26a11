"""Red-flag detection: is this patient message describing an emergency happening now?

The pipeline (bot.nlp) marks candidate phrases per category; ConText
(bot.safety.context_rules) then decides for each one whether it is negated,
hypothetical or historical. A flag counts when it is affirmed and current,
whoever it is about: "my dad's face is drooping" is as urgent as "my face".

Runs on every message, so the work per message is one pass of a blank
pipeline (no statistical models) plus ConText over a handful of spans.
Never logs message text: only category ids.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from spacy.language import Language
from spacy.pipeline import SpanRuler
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from bot import paths
from bot.nlp.anchors import RedFlagAnchors
from bot.nlp.pipeline import (
    MEDICAL_TERMS_PIPE,
    RED_FLAG_PIPE,
    RED_FLAG_SPANS_KEY,
    lemma_function,
    load_pipeline,
    pipeline_without,
)
from bot.safety._medspacy import ConText
from bot.safety.categories import LABELS, rank
from bot.safety.context_rules import (
    HISTORICAL_CATEGORIES,
    HYPOTHETICAL,
    NEGATED,
    OTHER,
    RECENT,
    build_context_rules,
    is_question,
)
from bot.safety.patterns import COMBINATIONS, DIRECT, FALLBACKS, RISK_FACTORS

logger = logging.getLogger(__name__)

# Reasons a matched phrase does not count, in order of precedence.
NEGATED_REASON = "negated"
HYPOTHETICAL_REASON = "hypothetical"
HISTORICAL_REASON = "historical"
REASONS = (NEGATED_REASON, HYPOTHETICAL_REASON, HISTORICAL_REASON)


@dataclass(frozen=True)
class RedFlag:
    """One emergency sign found in a message.

    context holds "self" or "other_person", "recent" when a time cue says it is
    happening now, and for ignored flags the reason ("negated",
    "hypothetical", "historical") first.
    """

    category: str
    label: str
    phrase: str
    context: tuple[str, ...]

    @property
    def reason(self) -> str | None:
        """Why the flag was ignored, or None when it counts."""
        return next((c for c in self.context if c in REASONS), None)


@dataclass(frozen=True)
class SafetyCheck:
    """The verdict on one message: flags that count, and those ignored with their reason."""

    flags: list[RedFlag] = field(default_factory=list)
    ignored: list[RedFlag] = field(default_factory=list)
    # Signs that the message may be urgent (bot.safety.urgency), set by bot.safety.net:
    # a message with any that the bot cannot understand is never asked to rephrase.
    urgency: tuple[str, ...] = ()

    @property
    def is_emergency(self) -> bool:
        return bool(self.flags)

    @property
    def is_possibly_urgent(self) -> bool:
        return bool(self.urgency)

    @property
    def categories(self) -> list[str]:
        """Every category that counts, most severe first (bot.safety.categories.rank)."""
        return rank(f.category for f in self.flags)

    @property
    def category(self) -> str | None:
        """The most severe category, whose guidance is shown first, or None.

        Severity follows bot.safety.categories.SEVERITY_ORDER, except that a
        more specific category goes before one it explains (REFINES).
        """
        cats = self.categories
        return cats[0] if cats else None


# ------------------------------------------------------------------ helpers

_EXPERIENCERS = frozenset(
    {
        "i", "me", "my", "mine", "myself", "im", "ive", "id", "we", "us", "our", "ours",
        "he", "him", "his", "she", "her", "hers", "hes", "shes", "they", "them", "their",
        "this", "these", "ur",
    }
)
_PEOPLE = frozenset(
    {
        "baby", "son", "daughter", "husband", "wife", "mum", "mom", "dad", "father", "mother",
        "kid", "toddler", "newborn", "grandma", "grandpa", "grandmother", "grandfather", "friend",
        "partner", "boyfriend", "girlfriend", "brother", "sister", "nan", "granny",
    }
)
_GENERIC_DETERMINERS = frozenset({"a", "an", "any", "every", "some", "most", "all", "your"})
_NOW_WORDS = frozenset({"now", "currently", "rn", "atm", "tonight", "today"})


def is_general_question(sent: Span) -> bool:
    """A question about a condition in general: "can stress cause chest pain?".

    Interrogative, with nobody in it (no I/my/he/this, no "my baby"), and no
    number or time word that would tie it to a real case ("is 38.5 a fever in
    a 6 week old?" is treated as a real case, to be safe).
    """
    if not is_question(sent, strict=True):
        return False
    prev = ""
    for token in sent:
        lower = token.lower_
        if lower in _EXPERIENCERS or lower in _NOW_WORDS or token.like_num:
            return False
        if lower in _PEOPLE and prev not in _GENERIC_DETERMINERS:
            return False
        prev = lower
    return True


_QUESTION_AUX = frozenset({"will", "would", "does", "do", "did", "can", "could", "is", "should", "may", "might"})


def is_action_as_subject(span: Span) -> bool:
    """'will ingesting disinfectant kill covid?': the phrase is the topic of a question, not an event.

    A question word directly followed by the phrase's own "-ing" verb.
    """
    first = span[0]
    if not first.lower_.endswith("ing") or first.i == 0:
        return False
    previous = first.doc[first.i - 1]
    return previous.lower_ in _QUESTION_AUX and previous.i == span.sent.start


def _gap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, b[0] - a[1], a[0] - b[1])


def _span_key(span: Span) -> tuple[int, int, str]:
    return (span.start, span.end, span.label_)


_NUMBER = re.compile(r"^\d{2,3}(?:[.,]\d{1,2})?$")


def _temperature_is_fever(span: Span) -> bool:
    """'temp of 37.5' is not a fever; 'has a temp' or 'temp of 38.5' is."""
    head = span[0].lemma_
    if head not in {"temp", "temperature", "temps", "tempreture", "temprature", "temperture"}:
        return True
    doc = span.doc
    for token in doc[span.end : min(len(doc), span.end + 5)]:
        if _NUMBER.match(token.text):
            value = float(token.text.replace(",", "."))
            return 38.0 <= value < 45.0 or 100.4 <= value < 110.0
    return True


_VALIDATORS = {"FEVER": _temperature_is_fever, "INFECTION": _temperature_is_fever}


class RedFlagDetector:
    """Finds red flags in a message with the pipeline's span ruler and ConText."""

    def __init__(self, nlp: Language) -> None:
        self._nlp = nlp
        # A message is parsed without the term entities (unused here) and the red-flag
        # ruler, which then runs only if some pattern could match (bot.nlp.anchors):
        # most messages need neither, and the ruler is most of the parse's cost.
        self._parse = pipeline_without(nlp, MEDICAL_TERMS_PIPE, RED_FLAG_PIPE)
        self._ruler = cast(SpanRuler, nlp.get_pipe(RED_FLAG_PIPE))
        self._anchors = RedFlagAnchors.from_patterns(self._ruler.patterns)
        self._context = ConText(
            nlp,
            name="patientbot_context",
            rules=None,
            input_span_type="group",
            span_group_name=RED_FLAG_SPANS_KEY,
            span_attrs=None,
            prune_on_modifier_overlap=True,
        )
        self._context.add(build_context_rules(lemma_function(nlp)))
        self.check("warm up")  # first-call costs (matcher compilation) paid here

    @property
    def nlp(self) -> Language:
        return self._nlp

    def check(self, text: str) -> SafetyCheck:
        """Check one patient message."""
        doc = self._parse(text or "")
        if not self._anchors.may_match(doc):
            return SafetyCheck()  # no red-flag pattern can match: the ruler would find nothing
        return self.check_doc(self._ruler(doc))

    def check_doc(self, doc: Doc) -> SafetyCheck:
        """Check a Doc made by this detector's pipeline (lets callers share one parse)."""
        spans = self._candidate_spans(doc)
        if not spans:
            return SafetyCheck()
        modifiers = self._modifiers(doc, spans)

        verdicts = {_span_key(s): (s, self._verdict(s, modifiers.get(_span_key(s), []))) for s in spans}
        flags, ignored = self._direct_flags(verdicts.values())
        more_flags, more_ignored = self._combination_flags(verdicts.values())
        flags = _dedupe(flags + more_flags)
        ignored = _dedupe(ignored + more_ignored)
        fallback_flags, fallback_ignored = self._fallback_flags(verdicts.values(), bool(flags))
        flags += fallback_flags
        ignored = _dedupe(ignored + fallback_ignored)
        if flags:
            logger.debug("Red flags: %s", ", ".join(sorted({f.category for f in flags})))
        return SafetyCheck(flags=flags, ignored=ignored)

    def word_verdicts(self, text: str) -> list[str | None]:
        """ConText's reason ("negated", "hypothetical", "historical" or None) for each content word.

        For a detector that finds emergencies by meaning rather than by phrase
        (bot.safety.semantic): it has no phrase to ask ConText about, so every
        word that is not a stop word stands in for one, and the message is calm
        when its words are mostly negated, hypothetical or historical ("my
        grandad had a heart attack ten years ago").
        """
        doc = self._parse(text or "")
        words = [
            doc[t.i : t.i + 1]
            for t in doc
            if not (t.is_stop or t.is_punct or t.is_space or t.like_num) and len(t.text) > 2
        ]
        if not words:
            return []
        targets = [Span(doc, w.start, w.end, label="WORD") for w in words]
        modifiers = self._modifiers(doc, targets)
        return [self._verdict(t, modifiers.get(_span_key(t), []))[0] for t in targets]

    # ------------------------------------------------------------ internals

    def _modifiers(self, doc: Doc, targets: list[Span]) -> dict[tuple[int, int, str], list]:
        """ConText's cues for each target span, keyed by the span."""
        doc.spans[RED_FLAG_SPANS_KEY] = targets
        self._context(doc)
        modifiers: dict[tuple[int, int, str], list] = {}
        for target, modifier in doc._.context_graph.edges:
            start, _ = modifier.modifier_span
            if target.start <= start < target.end:
                continue  # a cue inside the phrase ("can't breathe") is part of the symptom
            modifiers.setdefault(_span_key(target), []).append(modifier)
        return modifiers

    def _candidate_spans(self, doc: Doc) -> list[Span]:
        raw = list(doc.spans.get(RED_FLAG_SPANS_KEY, []))
        exclusions: dict[str, list[Span]] = {}
        for span in raw:
            if span.label_.startswith("NOT:"):
                exclusions.setdefault(span.label_[4:], []).append(span)
        by_label: dict[str, list[Span]] = {}
        for span in raw:
            label = span.label_
            if label.startswith("NOT:"):
                continue
            if any(e.start < span.end and span.start < e.end for e in exclusions.get(label, ())):
                continue
            validator = _VALIDATORS.get(label)
            if validator and not validator(span):
                continue
            by_label.setdefault(label, []).append(span)
        kept: list[Span] = []
        for group in by_label.values():
            kept.extend(filter_spans(group))
        return sorted(kept, key=lambda s: (s.start, s.end, s.label_))

    @staticmethod
    def _verdict(span: Span, mods: list) -> tuple[str | None, tuple[str, ...]]:
        """(reason it does not count or None, context labels)."""
        categories = {m.category for m in mods}
        who = "other_person" if OTHER in categories else "self"
        recent = RECENT in categories
        target = (span.start, span.end)
        reason = None
        if NEGATED in categories:
            reason = NEGATED_REASON
        elif (
            HYPOTHETICAL in categories
            or is_general_question(span.sent)
            or is_action_as_subject(span)
        ):
            reason = HYPOTHETICAL_REASON
        elif categories & HISTORICAL_CATEGORIES:
            nearest_past = min(
                _gap(m.modifier_span, target) for m in mods if m.category in HISTORICAL_CATEGORIES
            )
            nearest_now = min(
                (_gap(m.modifier_span, target) for m in mods if m.category == RECENT), default=None
            )
            if nearest_now is None or nearest_past < nearest_now:
                reason = HISTORICAL_REASON
        context = ((reason,) if reason else ()) + (who,) + (("recent",) if recent else ())
        return reason, context

    @staticmethod
    def _direct_flags(verdicts: Iterable) -> tuple[list[RedFlag], list[RedFlag]]:
        flags: list[RedFlag] = []
        ignored: list[RedFlag] = []
        for span, (reason, context) in verdicts:
            if span.label_ not in DIRECT:
                continue
            flag = RedFlag(span.label_, LABELS[span.label_], span.text, context)
            (ignored if reason else flags).append(flag)
        return flags, ignored

    @staticmethod
    def _combination_flags(verdicts: Iterable) -> tuple[list[RedFlag], list[RedFlag]]:
        by_concept: dict[str, list] = {}
        for span, verdict in verdicts:
            by_concept.setdefault(span.label_, []).append((span, verdict))
        flags: list[RedFlag] = []
        ignored: list[RedFlag] = []
        for category, combos in COMBINATIONS.items():
            for concepts in combos:
                if not all(c in by_concept for c in concepts):
                    continue
                counting = [[sv for sv in by_concept[c] if _counts(c, sv[1][0])] for c in concepts]
                if all(counting):
                    parts = sorted((group[0] for group in counting), key=lambda sv: sv[0].start)
                    who = "other_person" if any("other_person" in v[1] for _, v in parts) else "self"
                    recent = ("recent",) if any("recent" in v[1] for _, v in parts) else ()
                    phrase = " … ".join(s.text for s, _ in parts)
                    flags.append(RedFlag(category, LABELS[category], phrase, (who, *recent)))
                else:
                    failing = next(sv for c in concepts for sv in by_concept[c] if not _counts(c, sv[1][0]))
                    span, (_, context) = failing
                    ignored.append(RedFlag(category, LABELS[category], span.text, context))
        return flags, ignored


    @staticmethod
    def _fallback_flags(verdicts: Iterable, have_flags: bool) -> tuple[list[RedFlag], list[RedFlag]]:
        """Generic signs (collapse, blue lips, lost speech) raise their category only on their own."""
        flags: list[RedFlag] = []
        ignored: list[RedFlag] = []
        for span, (reason, context) in verdicts:
            category = FALLBACKS.get(span.label_)
            if category is None:
                continue
            flag = RedFlag(category, LABELS[category], span.text, context)
            if reason:
                ignored.append(flag)
            elif not have_flags:
                flags.append(flag)
        return _dedupe(flags), ignored


def _counts(concept: str, reason: str | None) -> bool:
    """Whether a concept's span counts towards a combination, given ConText's verdict on it."""
    return reason is None or (reason == HISTORICAL_REASON and concept in RISK_FACTORS)


def _dedupe(flags: list[RedFlag]) -> list[RedFlag]:
    """Drop repeats and phrases contained in a longer phrase of the same category and verdict."""
    out: list[RedFlag] = []
    for flag in flags:
        if any(
            f.category == flag.category and f.reason == flag.reason and flag.phrase in f.phrase
            for f in out
        ):
            continue
        out = [
            f
            for f in out
            if not (f.category == flag.category and f.reason == flag.reason and f.phrase in flag.phrase)
        ]
        out.append(flag)
    return out


@functools.lru_cache(maxsize=4)
def _detector_for(path: Path) -> RedFlagDetector:
    return RedFlagDetector(load_pipeline(path))


def get_detector(pipeline_dir: Path | None = None) -> RedFlagDetector:
    """The shared detector for the built pipeline (loaded once per process, then warm).

    Raises bot.nlp.PipelineNotBuiltError if the pipeline is missing or stale.
    """
    return _detector_for(Path(pipeline_dir or paths.NLP_PIPELINE_DIR).resolve())
