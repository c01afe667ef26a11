"""Red-flag detection on single messages: every category, and the context that decides whether it counts."""

from __future__ import annotations

import dataclasses
import logging
import statistics
import time
import warnings
from pathlib import Path

import pytest
from loguru import logger as loguru_logger

from bot.safety import RedFlag, SafetyCheck, get_detector
from bot.safety.categories import CATEGORIES, LABELS, SEVERITY_ORDER
from bot.safety.detector import RedFlagDetector
from bot.safety.evaluation import load_labelled
from tests.support.safety_examples import ISSUE_EXAMPLES

# Two phrasings per category, one about the writer and one about someone else.
EMERGENCIES = {
    "heart_attack": ["crushing chest pain going down my left arm", "my husband collapsed and isn't responding"],
    "stroke": ["my dad's face is drooping and he can't talk", "I suddenly can't lift my right arm and my speech is slurred"],
    "breathing_difficulty": ["cant breathe properly lips going blue", "my son is struggling to breathe"],
    "severe_bleeding": ["I cut my leg and it won't stop bleeding", "my dad is vomiting blood"],
    "anaphylaxis": ["my throat is closing up after eating peanuts", "she got stung by a wasp and her lips are swelling"],
    "suicide_self_harm": ["i want to end it all", "my friend says she wants to kill herself"],
    "overdose_poisoning": ["took a whole bottle of tylenol", "my toddler drank bleach"],
    "seizure": ["my son is having a seizure", "she has been fitting for 6 minutes"],
    "head_injury": ["I hit my head and keep vomiting", "my mum fell, banged her head and is on warfarin"],
    "infant_fever": ["baby is 6 weeks old and has a temp of 38.5", "my newborn has a fever"],
    "pregnancy_emergency": ["I'm 30 weeks pregnant and bleeding heavily", "34 weeks pregnant and the baby has stopped moving"],
    "sepsis": ["I think I have sepsis", "my mum has pneumonia and is confused and her skin is mottled"],
    "sexual_assault": ["i was raped at a party last night", "my friend says a man forced her to have sex tonight"],
    "violence_danger": ["my husband is hitting me right now", "someone is breaking into my house"],
    "infant_unwell": ["my 5 week old is floppy and won't feed", "the baby keeps going blue and is grunting"],
    "severe_dehydration": ["been throwing up for 2 days and can't keep anything down", "my toddler has diarrhoea and no wet nappy since morning"],
    "hypoglycaemia": ["i'm diabetic and shaking and sweating", "my type 1 son's sugar is 2.4 and he is confused"],
    "severe_burn": ["i spilled boiling water on my leg and it's blistering", "his clothes caught fire"],
    "sudden_confusion": ["my mum is suddenly confused and doesn't recognise me", "my grandad doesn't know where he is all of a sudden"],
    "sudden_severe_pain": ["sudden agonising pain in my testicle", "worst stomach pain of my life came on suddenly"],
}

# Everyday messages near the new categories: none is an emergency for the rules.
NEAR_THE_NEW_CATEGORIES = [
    "my baby won't take a bottle, only breast",
    "i burnt my finger on the oven, it's a bit red",
    "how do i treat a minor burn",
    "i don't know who to ask about my results",
    "i got confused with my appointment time",
    "can i self refer for domestic abuse counselling",
    "where can i get support after sexual assault",
    "i'm diabetic, can i eat bananas",
    "my sugar was a bit low this morning, had a biscuit, fine now",
    "my partner used to hit me but i'm safe now",
    "i wrote a letter to my mp today",
    "i had chemo years ago and had a fever last week",
    "thanks, my heart nearly stopped when i saw the queue",
]


def test_every_category_has_examples_here() -> None:
    assert set(EMERGENCIES) == set(CATEGORIES) == set(SEVERITY_ORDER) == set(LABELS)


@pytest.mark.parametrize(("text", "category"), ISSUE_EXAMPLES)
def test_the_issue_examples_are_flagged_by_the_rules(detector: RedFlagDetector, text: str, category: str) -> None:
    """Each example of the safety-net issue has a rule of its own category, not only the semantic net."""
    check = detector.check(text)
    assert check.categories and check.categories[0] == category


@pytest.mark.parametrize("text", NEAR_THE_NEW_CATEGORIES)
def test_everyday_messages_near_the_new_categories(detector: RedFlagDetector, text: str) -> None:
    assert not detector.check(text).is_emergency


def test_a_risk_carried_counts_though_it_is_in_the_past(detector: RedFlagDetector) -> None:
    """'chemo last week' is history to ConText, and still the reason a fever is sepsis."""
    assert detector.check("chemo last week, now fever 38.7 and rigors").categories == ["sepsis"]


def test_gone_a_colour_is_a_change_not_a_resolution(detector: RedFlagDetector) -> None:
    """'has gone a grey colour' is no 'it has gone': the baby is not negated."""
    assert "infant_unwell" in detector.check("newborn has gone a grey colour and is breathing really fast").categories
    assert not detector.check("the chest pain has gone now").is_emergency


@pytest.mark.parametrize(
    ("category", "text"), [(c, t) for c, texts in EMERGENCIES.items() for t in texts]
)
def test_every_category_is_detected(detector: RedFlagDetector, category: str, text: str) -> None:
    check = detector.check(text)
    assert check.is_emergency
    assert category in check.categories
    flag = next(f for f in check.flags if f.category == category)
    assert flag.label == LABELS[category]
    assert flag.phrase and flag.reason is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("no chest pain, just a cough", "negated"),
        ("I don't have any shortness of breath or chest pain", "negated"),
        ("I'm not suicidal, just tired", "negated"),
        ("the heavy bleeding has stopped now", "negated"),
        ("what if I get chest pain?", "hypothetical"),
        ("what are the signs of a stroke", "hypothetical"),
        ("is chest pain a symptom of covid?", "hypothetical"),
        ("how do I know if I'm having a heart attack", "hypothetical"),
        ("I had a stroke in 2015", "historical"),
        ("I tried to kill myself when I was a teenager", "historical"),
        ("my dad died of a heart attack", "historical"),
        ("I had a seizure 3 years ago, can I drive", "historical"),
    ],
)
def test_context_that_does_not_count(detector: RedFlagDetector, text: str, reason: str) -> None:
    check = detector.check(text)
    assert not check.is_emergency
    assert check.category is None
    assert check.ignored, "the ignored flag is kept for transparency"
    assert {f.reason for f in check.ignored} == {reason}


@pytest.mark.parametrize(
    "text",
    [
        "last night I took 25 pills",
        "an hour ago he collapsed",
        "I had a stroke in 2015 and now my face is drooping",
        "I had a heart attack last year and now I have crushing chest pain again",
    ],
)
def test_recent_events_still_count(detector: RedFlagDetector, text: str) -> None:
    check = detector.check(text)
    assert check.is_emergency
    assert any("recent" in f.context for f in check.flags)


def test_past_and_present_in_one_message(detector: RedFlagDetector) -> None:
    check = detector.check("I had a stroke in 2015 and now my face is drooping")
    assert [f.phrase for f in check.flags] == ["face is drooping"]
    assert [(f.phrase, f.reason) for f in check.ignored] == [("stroke", "historical")]


@pytest.mark.parametrize(
    "text",
    ["my dad's face is drooping and he can't talk", "my friend says she wants to kill herself", "an hour ago he collapsed"],
)
def test_someone_else_still_counts(detector: RedFlagDetector, text: str) -> None:
    check = detector.check(text)
    assert check.is_emergency
    assert all("other_person" in f.context for f in check.flags)


def test_own_emergency_is_marked_self(detector: RedFlagDetector) -> None:
    check = detector.check("I think I'm having a heart attack")
    assert check.flags[0].context[0] == "self"


def test_negation_does_not_leak_into_the_next_clause(detector: RedFlagDetector) -> None:
    assert detector.check("no fever but my baby is 3 weeks old and has a temperature of 38.4").is_emergency
    assert detector.check("I don't know what to do, my chest is really tight").is_emergency
    assert detector.check("he isn't breathing and his lips are blue").is_emergency


@pytest.mark.parametrize(
    "text",
    [
        "how do I stop this nosebleed, it won't stop",
        "how do I help my dad, he collapsed",
        "what do I do?? my son is having a seizure",
        "signs of a stroke? my mum's face is drooping right now",
    ],
)
def test_urgent_requests_for_help_are_not_general_questions(detector: RedFlagDetector, text: str) -> None:
    assert detector.check(text).is_emergency


def test_most_severe_category_first(detector: RedFlagDetector) -> None:
    check = detector.check("I took all my sleeping pills because I want to die")
    assert {"overdose_poisoning", "suicide_self_harm"} <= set(check.categories)
    assert check.category == "overdose_poisoning"
    assert check.categories == sorted(check.categories, key=SEVERITY_ORDER.index)


def test_fever_readings_below_38_are_not_fever(detector: RedFlagDetector) -> None:
    assert not detector.check("my baby is 6 weeks old and her temp is 37.5").is_emergency
    assert detector.check("my baby is 6 weeks old and her temp is 38.0").is_emergency
    assert detector.check("my baby is 6 weeks old and her temp is 100.6F").is_emergency
    assert not detector.check("my 8 month old has a temp of 38.5").is_emergency


@pytest.mark.parametrize(
    "text",
    ["", "   ", "hi", "what are your opening hours", "I think I have heat stroke", "I have food poisoning"],
)
def test_ordinary_messages_are_not_emergencies(detector: RedFlagDetector, text: str) -> None:
    assert detector.check(text) == SafetyCheck()


def test_public_types() -> None:
    flag = RedFlag("stroke", LABELS["stroke"], "face is drooping", ("self",))
    with pytest.raises(dataclasses.FrozenInstanceError):
        flag.category = "seizure"  # type: ignore[misc]
    assert flag.reason is None
    assert RedFlag("stroke", "x", "y", ("historical", "self")).reason == "historical"
    assert SafetyCheck().is_emergency is False
    assert SafetyCheck().category is None


def test_get_detector_is_cached_per_pipeline(pipeline_dir: Path, detector: RedFlagDetector) -> None:
    assert get_detector(pipeline_dir) is detector


def test_no_patient_text_in_logs(
    detector: RedFlagDetector, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "my neighbour Zebulon took 40 pills of amitriptyline"
    loguru_records: list[str] = []
    sink = loguru_logger.add(lambda message: loguru_records.append(str(message)), level="TRACE")
    try:
        with caplog.at_level(logging.DEBUG):
            check = detector.check(secret)
    finally:
        loguru_logger.remove(sink)
    assert check.category == "overdose_poisoning"
    logged = " ".join(r.getMessage() for r in caplog.records) + " ".join(loguru_records)
    assert "Zebulon" not in logged and "amitriptyline" not in logged
    assert "overdose_poisoning" in logged  # categories are logged
    assert loguru_records == []  # PyRuSH/medspaCy stay silent


def test_importing_medspacy_does_not_silence_warnings() -> None:
    import bot.safety._medspacy  # noqa: F401

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        warnings.warn("still visible", UserWarning, stacklevel=1)
    assert [str(w.message) for w in caught] == ["still visible"]
    assert not any(
        f[0] == "ignore" and f[1] is None and f[2] is Warning and f[3] is None for f in warnings.filters
    )


# Measured at 1.2 (2026-12-02): the bar leaves room for noise, not for a detector twice as slow.
RATIO_TO_ONE_PARSE = 2.0


def test_fast_enough_for_every_message(detector: RedFlagDetector) -> None:
    """The check costs a small multiple of one pass of the spaCy pipeline it is built on.

    A ratio measured in the same loop, not milliseconds: the machine is shared and noisy
    (bench/ measures absolute cost against stock Rasa side by side).
    """
    texts = [t for ts in EMERGENCIES.values() for t in ts] + [
        "what are your opening hours",
        "I had a stroke in 2015 and now my face is drooping",
        "my 2 year old has a fever of 38.5, she's drinking well, should I worry or just give calpol",
    ]
    checks, parses = [], []
    for _ in range(5):
        for text in texts:
            start = time.perf_counter()
            detector.nlp(text)
            parses.append(time.perf_counter() - start)
            start = time.perf_counter()
            detector.check(text)
            checks.append(time.perf_counter() - start)
    ratio = statistics.median(checks) / statistics.median(parses)
    print(f"check / pipeline pass: {ratio:.2f}")
    assert ratio < RATIO_TO_ONE_PARSE


@pytest.mark.parametrize(
    ("text", "categories"),
    [
        # generic signs leave the guidance to the specific emergency
        ("my son is fitting and not responding", ["seizure"]),
        ("my friend took a load of pills and won't wake up", ["overdose_poisoning"]),
        ("he is having a seizure and his lips are blue", ["seizure"]),
        ("I'm breathless and can't speak", ["breathing_difficulty"]),
        # ...and still count on their own
        ("my lips are turning blue", ["breathing_difficulty"]),
        ("my grandad just collapsed", ["heart_attack"]),
        ("my wife suddenly can't speak", ["stroke"]),
        # collapsed and not breathing is a cardiac arrest first
        ("my boss collapsed and isn't breathing", ["heart_attack", "breathing_difficulty"]),
        # a more specific category goes before the one it explains
        ("I'm 30 weeks pregnant and bleeding heavily", ["pregnancy_emergency", "severe_bleeding"]),
        # intent to take pills is a crisis, not yet an overdose
        ("tonight I'm going to take all my tablets", ["suicide_self_harm"]),
    ],
)
def test_guidance_order(detector: RedFlagDetector, text: str, categories: list[str]) -> None:
    check = detector.check(text)
    assert check.categories == categories
    assert check.category == categories[0]


def test_skipping_the_ruler_changes_no_verdict(detector: RedFlagDetector) -> None:
    """check() parses without the ruler when no pattern can match (bot.nlp.anchors): same verdicts."""
    for row in load_labelled():
        assert detector.check(row["text"]) == detector.check_doc(detector.nlp(row["text"])), row["text"]
