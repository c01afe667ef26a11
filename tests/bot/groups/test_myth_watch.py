"""The myth watch with the shipped sentence encoder, fitted on eval/groups/dev.tsv as in production."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.groups.evaluation import TEST_FILES, evaluate_groups, load_emergencies
from bot.groups.myth_watch import (
    DEV_FILE,
    MythWatch,
    MythWatchDataError,
    load_labelled,
    myth_claims,
    rule_signals,
    shared_myth_watch,
)
from bot.nlu.embedding_model import shared_encoder
from tests.support.detectors import emergency_detector


@pytest.fixture(scope="module")
def watch() -> MythWatch:
    return shared_myth_watch()


def test_evaluation_files_parse_and_the_test_set_is_not_the_development_set() -> None:
    dev, test = load_labelled(DEV_FILE), [row for path in TEST_FILES for row in load_labelled(path)]
    assert len(dev) >= 300 and len(test) >= 240
    assert not {row.text.lower() for row in dev} & {row.text.lower() for row in test}
    assert len({row.text.lower() for row in test}) == len(test)  # no message in two test sets
    served = set(myth_claims())
    assert {row.myth for row in dev + test} - {"none"} <= served
    assert sum(row.wants_reply for row in test) >= 100
    assert sum(row.kind == "dispute" for row in test) >= 30
    assert len(load_emergencies()) >= 25


def test_a_malformed_row_is_reported_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("myth\tkind\ttext\nmyth_honey_infants\tshouting\thoney is fine\n", encoding="utf-8")
    with pytest.raises(MythWatchDataError, match=r"bad\.tsv:2"):
        load_labelled(bad)


def test_rule_signals() -> None:
    assert rule_signals("the vaccines cause autism thing was debunked years ago") == (1.0, 0.0, 0.0)
    assert rule_signals("does the flu jab give you flu?") == (0.0, 0.0, 1.0)
    assert rule_signals("antibiotics won't help a cold") == (1.0, 1.0, 0.0)


def test_asserting_or_asking_gets_the_myth_quoting_to_disagree_or_mentioning_does_not(watch: MythWatch) -> None:
    replies = watch.verdicts([
        "the flu jab gives you the flu, that's why i never have it",
        "can babies have honey?",
        "no honey for babies under 1, it can cause botulism",
        "got my flu jab at the chemist this morning",
        "good morning everyone",
    ])
    assert [v.myth for v in replies] == ["myth_flu_shot_gives_flu", "myth_honey_infants", None, None, None]
    assert all(0.0 <= v.probability <= 1.0 for v in replies)
    # The threshold was chosen for the development set's out-of-fold precision.
    assert 0.5 <= watch.threshold < 1.0


def test_a_myth_the_content_pack_no_longer_serves_is_not_watched() -> None:
    claims = {k: v for k, v in myth_claims().items() if k != "myth_honey_infants"}
    watch = MythWatch(shared_encoder().encode, load_labelled(DEV_FILE), claims)
    assert "myth_honey_infants" not in watch.myths
    assert watch.verdict("honey is fine for babies as long as it's organic").myth is None


def test_the_measured_figures(watch: MythWatch) -> None:
    """What `patientbot eval groups` prints, computed the same way (docs/groups.md has the figures)."""
    result = evaluate_groups(watch, emergency_detector())
    for path in TEST_FILES:
        figures = result[path.stem]
        assert figures["n"] == len(load_labelled(path))
        assert figures["replies"] == figures["correct_replies"] + sum(figures["false_alarms_by_kind"].values())
        assert 0.0 <= figures["precision"] <= 1.0 and 0.0 <= figures["recall"] <= 1.0
    assert result["all_test"]["n"] == sum(result[path.stem]["n"] for path in TEST_FILES)
    # Every group-style emergency and crisis message is caught by the gateway's safety net.
    assert result["red_flags"]["recall"] == 1.0, result["red_flags"]["missed"]
