"""The red-flag prefilter: it may let through messages the ruler then finds nothing in, never the reverse."""

from __future__ import annotations

import spacy
from spacy.language import Language
from spacy.pipeline import SpanRuler

from bot.nlp.anchors import RedFlagAnchors
from bot.nlp.pipeline import MEDICAL_TERMS_PIPE, RED_FLAG_PIPE, RED_FLAG_SPANS_KEY, pipeline_without
from bot.safety.evaluation import load_labelled

GAP = {"LOWER": {"NOT_IN": [".", "but"]}, "OP": "?"}
PATTERNS = [
    {"label": "chest", "pattern": [{"LOWER": {"IN": ["chest", "heart"]}}, GAP, {"LOWER": "pain"}]},
    {"label": "fever", "pattern": [{"LOWER": {"REGEX": r"^4[01][.,]\d$"}}]},
    {"label": "pills", "pattern": [{"LIKE_NUM": True}, {"LOWER": "pills"}]},
    {"label": "blue", "pattern": [{"LOWER": "lips", "OP": "?"}, {"LOWER": "blue"}]},
    {"label": "seizure", "pattern": [{"LOWER": "not", "OP": "!"}, {"LOWER": "fitting"}]},
]
TEXTS = [
    "what are your opening hours?",
    "my chest is in pain",
    "pain in my chest",  # both words, wrong order: let through, the ruler finds nothing
    "my heart pain is bad",
    "temp is 40.5 now",
    "temp is 37.5 now",
    "i took 25 pills",
    "i took some pills",
    "his face went blue",
    "he is fitting",
    "thanks",
    "",
]


def _ruler_nlp(patterns: list[dict]) -> Language:
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("span_ruler", config={"spans_key": "flags"})
    assert isinstance(ruler, SpanRuler)
    ruler.add_patterns(patterns)
    return nlp


def test_never_skips_a_message_the_ruler_matches() -> None:
    nlp = _ruler_nlp(PATTERNS)
    anchors = RedFlagAnchors.from_patterns(PATTERNS)
    for text in TEXTS:
        matched = bool(nlp(text).spans["flags"])
        if matched:
            assert anchors.may_match(nlp.make_doc(text)), text


def test_skips_messages_without_the_required_words() -> None:
    anchors = RedFlagAnchors.from_patterns(PATTERNS)
    nlp = spacy.blank("en")
    skipped = [t for t in TEXTS if not anchors.may_match(nlp.make_doc(t))]
    # An optional token ("lips") or a negated one ("not") is not required; a regex
    # or a number-like token is checked as the Matcher checks it.
    assert skipped == [
        "what are your opening hours?",
        "temp is 37.5 now",
        "i took some pills",
        "thanks",
        "",
    ]
    assert anchors.may_match(nlp.make_doc("pain in my chest"))  # order is not checked


def test_a_pattern_it_cannot_reduce_turns_the_filter_off() -> None:
    phrase = RedFlagAnchors.from_patterns([*PATTERNS, {"label": "x", "pattern": "can't breathe"}])
    negative_only = RedFlagAnchors.from_patterns(
        [{"label": "x", "pattern": [{"LOWER": {"NOT_IN": ["ok"]}}]}]
    )
    doc = spacy.blank("en").make_doc("thanks")
    assert phrase.may_match(doc)
    assert negative_only.may_match(doc)


def test_the_shipped_rules_agree_with_the_full_pipeline_on_the_labelled_set(nlp: Language) -> None:
    """Every labelled message the real ruler flags gets through, and most harmless ones do not."""
    anchors = RedFlagAnchors.from_patterns(nlp.get_pipe(RED_FLAG_PIPE).patterns)
    parse = pipeline_without(nlp, MEDICAL_TERMS_PIPE, RED_FLAG_PIPE)
    rows = load_labelled()
    with_spans = 0
    for row in rows:
        has_spans = bool(nlp(row["text"]).spans.get(RED_FLAG_SPANS_KEY))
        may = anchors.may_match(parse(row["text"]))
        assert may or not has_spans, row["text"]
        with_spans += has_spans
    assert with_spans > 400
    clinic_questions = ["what are your opening hours?", "how do i book an appointment", "thanks"]
    assert not any(anchors.may_match(parse(text)) for text in clinic_questions)
