"""Does the chosen FAQ speak to what the patient asked about? Its words against the question's.

The ResponseSelector picks the FAQ nearest to a question, also when the
question asks about something the FAQ never mentions ("can covid spread through
mosquitoes?" lands on "How COVID-19 spreads" with high confidence, though that
answer says nothing about mosquitoes). So the gate also asks how many of the
question's content words (lemmas, stop words left out) occur in the FAQ's
example questions or its answer. A question about words the answer never uses is
one it probably does not answer; the gate scales its confidence by that share,
and with `max_unknown_words: 0` it abstains on any question with a word the FAQ
never uses ("how quickly can you get dehydrated?" is not answered by an answer
that never speaks of speed). A misspelling counts as known: a word of five letters
or more one edit (a letter added, dropped, changed or two swapped) from a known
word, because patients type "childern" and "vacine".
Measured with `patientbot eval` (docs/evaluation.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from spacy.lang.en.stop_words import STOP_WORDS

MIN_WORD_LENGTH = 3
MIN_TYPO_LENGTH = 5
LemmaFn = Callable[[str], list[str]]


def spacy_lemmas(pipeline_path: Path | None = None) -> LemmaFn:
    """Lower-case lookup lemmas of the alphabetic tokens of a text (the project's spaCy pipeline)."""
    from bot.nlp.pipeline import load_pipeline
    from bot.paths import NLP_PIPELINE_DIR

    nlp = load_pipeline(pipeline_path or NLP_PIPELINE_DIR)
    make_doc, lemmatizer = nlp.make_doc, nlp.get_pipe("lemmatizer")

    def lemmas(text: str) -> list[str]:
        return [(t.lemma_ or t.lower_).lower() for t in lemmatizer(make_doc(text)) if t.is_alpha]

    return lemmas


def content_words(text: str, lemmas: LemmaFn) -> set[str]:
    """The lemmas that carry meaning: no stop words, nothing shorter than three letters."""
    return {
        word
        for word in lemmas(text)
        if len(word) >= MIN_WORD_LENGTH and word not in STOP_WORDS
    }


class FAQVocabulary:
    """Every FAQ's content words, from its example questions and its answer."""

    def __init__(self, words: dict[str, frozenset[str]]) -> None:
        self.words = words

    @classmethod
    def build(cls, texts_by_faq: Mapping[str, Iterable[str]], lemmas: LemmaFn) -> FAQVocabulary:
        return cls(
            {
                faq_id: frozenset(word for text in texts for word in content_words(text, lemmas))
                for faq_id, texts in texts_by_faq.items()
            }
        )

    def unknown_words(self, faq_id: str, question_words: set[str]) -> set[str]:
        """The question's content words that the FAQ never uses, even misspelt."""
        known = self.words.get(faq_id, frozenset())
        return {word for word in question_words if not is_known(word, known)}

    def known_share(self, faq_id: str, question_words: set[str]) -> float:
        """Share of the question's content words the FAQ uses; 1.0 for a question with none."""
        return share_known(question_words, self.unknown_words(faq_id, question_words))


def share_known(question_words: set[str], unknown: set[str]) -> float:
    """Share of the question's content words not among `unknown`; 1.0 for a question with none."""
    if not question_words:
        return 1.0
    return (len(question_words) - len(unknown)) / len(question_words)


def is_known(word: str, known: frozenset[str]) -> bool:
    """True when the word, or a misspelling of it one edit away (five letters or more), is known."""
    if word in known:
        return True
    if len(word) < MIN_TYPO_LENGTH:
        return False
    return any(abs(len(other) - len(word)) <= 1 and one_edit_apart(word, other) for other in known)


def one_edit_apart(a: str, b: str) -> bool:
    """True when b is a with at most one letter added, dropped or changed, or two neighbours swapped."""
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
        if len(diff) <= 1:
            return True
        first, second = diff[0], diff[-1]
        return len(diff) == 2 and second == first + 1 and a[first] == b[second] and a[second] == b[first]
    shorter, longer = (a, b) if len(a) < len(b) else (b, a)
    if len(longer) - len(shorter) != 1:
        return False
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))
