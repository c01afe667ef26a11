"""The gate's vocabulary check: an answer that never uses the question's words is not confident."""

from __future__ import annotations

from bot.nlu.faq_vocabulary import FAQVocabulary, content_words, one_edit_apart, spacy_lemmas
from tests.bot.nlu.gate_support import incoming, trained_gate


def test_content_words_are_lemmas_without_stop_words_or_short_tokens() -> None:
    lemmas = spacy_lemmas()
    assert content_words("Can COVID spread through mosquitoes?", lemmas) == {
        "covid", "spread", "mosquito"
    }
    assert content_words("is it for me?", lemmas) == set()


def test_known_share_counts_the_question_words_the_faq_uses() -> None:
    vocabulary = FAQVocabulary({"covid_spread": frozenset({"covid", "spread", "droplet"})})
    assert vocabulary.known_share("covid_spread", {"covid", "spread"}) == 1.0
    assert vocabulary.known_share("covid_spread", {"covid", "spread", "mosquito"}) == 2 / 3
    assert vocabulary.known_share("covid_spread", set()) == 1.0  # nothing to check against
    assert vocabulary.known_share("unknown_faq", {"covid"}) == 0.0


def test_the_gate_scales_its_confidence_by_the_share_and_learns_words_from_answers() -> None:
    config = {"threshold": 0.5, "require_agreement": False, "vocabulary_weight": 1.0}
    loaded = trained_gate(
        config,
        "covid_spread",
        ["how does covid spread", "can i catch covid from someone"],
        "COVID-19 spreads through droplets and aerosols when people breathe.",
    )
    covered = incoming("does covid spread by droplets", "covid_spread")  # "droplet" comes from the answer
    uncovered = incoming("can mosquitoes or ticks carry covid", "covid_spread")
    loaded.process([covered, uncovered])
    assert covered.get("intent")["name"] == "faq"
    assert covered.get("faq_gate")["known_words"] == 1.0
    assert covered.get("faq_gate")["confidence"] == 0.9
    assert uncovered.get("intent")["name"] == "nlu_fallback"
    assert uncovered.get("faq_gate")["known_words"] == 0.25  # covid of mosquito, tick, carry, covid
    assert round(uncovered.get("faq_gate")["confidence"], 3) == round(0.9 * 0.25, 3)


def test_a_misspelt_word_counts_as_known_but_a_new_word_does_not() -> None:
    vocabulary = FAQVocabulary({"covid_children": frozenset({"child", "children", "vaccine", "covid"})})
    assert vocabulary.unknown_words("covid_children", {"childern", "vacine", "covid"}) == set()
    assert vocabulary.unknown_words("covid_children", {"grommet", "covid"}) == {"grommet"}
    assert vocabulary.unknown_words("covid_children", {"cvid"}) == {"cvid"}  # under five letters: exact only
    assert vocabulary.known_share("covid_children", {"childern", "grommet"}) == 0.5


def test_one_edit_apart() -> None:
    assert one_edit_apart("vaccine", "vacine") and one_edit_apart("vacine", "vaccine")
    assert one_edit_apart("children", "childern")  # two neighbours swapped
    assert one_edit_apart("fever", "fevor")
    assert not one_edit_apart("fever", "never_")
    assert not one_edit_apart("children", "chidlren_")
    assert not one_edit_apart("sanitizer", "sanitiser_x")


def test_the_gate_abstains_on_a_word_the_faq_never_uses() -> None:
    config = {"threshold": 0.5, "require_agreement": False, "vocabulary_weight": 0.0, "max_unknown_words": 0}
    loaded = trained_gate(
        config,
        "dehydration",
        ["signs of dehydration", "how do i know if im dehydrated"],
        "Signs of dehydration are thirst, dark urine and feeling dizzy. Drink water.",
    )
    typo = incoming("signs of dehydraton", "dehydration")
    speed = incoming("how quickly can you get dehydrated", "dehydration")
    loaded.process([typo, speed])
    assert typo.get("intent")["name"] == "faq"
    assert typo.get("faq_gate")["unknown_words"] == 0
    assert speed.get("intent")["name"] == "nlu_fallback"
    assert speed.get("faq_gate")["unknown_words"] == 1  # "quickly"
    assert speed.get("faq_gate")["confidence"] == 0.0
