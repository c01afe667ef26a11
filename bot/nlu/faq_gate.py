"""A Rasa NLU component that answers an FAQ only when two different readers agree.

Rasa's FallbackClassifier only looks at the intent confidence. For retrieval
intents that is the confidence of "this is some FAQ", which is high for almost
any health question, including the many we have no answer for. The answer is
chosen by the ResponseSelector, a neural model trained on a few examples per
FAQ, whose mistakes are confident as often as not.

The gate answers only when (1) the intent is `faq`, (2) the weaker of the
intent and answer confidences, scaled by the share of the question's content
words that the chosen FAQ's examples or answer use (bot/nlu/faq_vocabulary.py,
`vocabulary_weight` is the exponent of that share; 0 turns it off), clears the
threshold, (3) with `max_unknown_words: N`, no more than N of the question's
content words are missing from the FAQ's examples and answer, and (4) with
`question_kinds: true`, a question that opens by asking for a reason, place,
person, time or amount ("why ...", "where ...") goes to an FAQ whose example
questions ask that kind too (bot/nlu/question_kind.py), and (5) with
`example_similarity: true`, the question comes close in meaning to one of the
FAQ's example questions of its kind: the confidence is capped at the sentence
embedding's cosine similarity to the closest, comparing a negated question only
with negated examples and a plain one only with plain ones
(bot/nlu/example_similarity.py, negation.py). With `paraphrase_similarity: S`,
a question at least S close to one of the chosen FAQ's examples, and closer to it
than to any other FAQ's, is answered at that similarity even when the classifiers
are less sure: both readers name the same FAQ, and the embedding has seen the
question asked almost that way. The word and kind checks still apply, and Rasa's
FallbackClassifier still wants the intent `faq` above its own threshold.
Otherwise the message
becomes `nlu_fallback` and the patient is asked to rephrase or offered a
clinician instead of getting a guess. `patientbot eval` measures what this buys
against stock Rasa (docs/evaluation.md).

With `require_agreement: true` it also asks a second, independent reader, a
TF-IDF nearest neighbour over the same training examples, and answers only when
both pick the same FAQ. Measured on `own`, that lowered coverage at precision
0.95, so the shipped config leaves it off, and then the neighbour is not run
at all (it cost ~3 ms of every FAQ message).
"""

from __future__ import annotations

import logging
import pickle
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.embedding_model import shared_encoder
from bot.nlu.example_similarity import ExampleSimilarity, Match
from bot.nlu.faq_match import FAQMatch, FAQMatcher
from bot.nlu.faq_vocabulary import FAQVocabulary, LemmaFn, content_words, share_known, spacy_lemmas
from bot.nlu.negation import is_negated
from bot.nlu.question_kind import answered_kinds, question_kind

logger = logging.getLogger(__name__)

FALLBACK_INTENT = "nlu_fallback"
RETRIEVAL_INTENT = "faq"
GATE_KEY = "faq_gate"
_MODEL_FILE = "nearest_neighbour.pkl"
_VOCABULARY_FILE = "faq_vocabulary.pkl"
_KINDS_FILE = "question_kinds.pkl"
_RESPONSE_PREFIX = "utter_faq/"
# Intents whose examples the calibrated matcher learns to refuse.
NEGATIVE_INTENTS = frozenset({"out_of_scope", "personal_advice"})
# (FAQ id, question kind, confidence, what the gate saw) after the checks on words and kinds.
_Checked = tuple[str | None, str | None, float, dict[str, Any]]


def faq_answer_confidence(parse_data: dict[str, Any]) -> tuple[str | None, float, float]:
    """(faq id, confidence, margin over the runner-up) of the ResponseSelector's pick."""
    selectors = parse_data.get("response_selector") or {}
    # A ResponseSelector configured without `retrieval_intent` (stock Rasa) reports as "default".
    selector = selectors.get(RETRIEVAL_INTENT) or selectors.get("default") or {}
    response = selector.get("response") or {}
    key = response.get("intent_response_key") or ""
    faq_id = key.split("/", 1)[1] if "/" in key else None
    ranking = selector.get("ranking") or []
    top = float(response.get("confidence") or 0.0)
    second = float(ranking[1]["confidence"]) if len(ranking) > 1 else 0.0
    return faq_id, top, top - second


def faq_intent_confidence(parse_data: dict[str, Any]) -> float:
    """Confidence that the message is an FAQ at all, even if a fallback replaced the intent."""
    for entry in parse_data.get("intent_ranking") or []:
        if entry.get("name") == RETRIEVAL_INTENT:
            return float(entry.get("confidence") or 0.0)
    intent = parse_data.get("intent") or {}
    return float(intent.get("confidence") or 0.0) if intent.get("name") == RETRIEVAL_INTENT else 0.0


def gated_confidence(parse_data: dict[str, Any]) -> float:
    """One number for "how sure are we of this FAQ answer"; 0 when the two readers disagree."""
    gate = parse_data.get(GATE_KEY)
    if gate is not None:
        return float(gate.get("confidence") or 0.0)
    _faq_id, answer_confidence, _margin = faq_answer_confidence(parse_data)
    return min(faq_intent_confidence(parse_data), answer_confidence)


class NearestNeighbour:
    """TF-IDF (word 1-2 grams + character 2-4 grams) nearest training example."""

    def __init__(self) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import make_union

        self.vectorizer = make_union(
            TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True),
        )
        self.labels: list[str] = []
        self.matrix: Any = None

    def fit(self, texts: list[str], labels: list[str]) -> NearestNeighbour:
        self.labels = list(labels)
        self.matrix = self.vectorizer.fit_transform(texts)
        return self

    def predict(self, texts: list[str]) -> list[tuple[str, float]]:
        if self.matrix is None or not self.labels:
            return [("", 0.0) for _ in texts]
        scores = (self.vectorizer.transform(texts) @ self.matrix.T).toarray() / 2.0
        best = scores.argmax(axis=1)
        return [(self.labels[i], float(np.clip(scores[row, i], 0.0, 1.0))) for row, i in enumerate(best)]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class FAQAnswerGate(GraphComponent):
    """Turns FAQ answers that are unsure or contested into `nlu_fallback`; after the ResponseSelector."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "threshold": 0.5,
            "require_agreement": True,
            "vocabulary_weight": 0.0,
            "max_unknown_words": None,
            "question_kinds": False,
            "example_similarity": False,
            "paraphrase_similarity": None,
            "calibrated": False,
            "answer_at": 0.6,
            "suggest_from": 0.4,
            "suggestions": 3,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        neighbour: NearestNeighbour | None = None,
        vocabulary: FAQVocabulary | None = None,
        kinds: dict[str, frozenset[str]] | None = None,
        similarity: ExampleSimilarity | None = None,
        matcher: FAQMatcher | None = None,
    ) -> None:
        self.threshold = float(config["threshold"])
        self.require_agreement = bool(config["require_agreement"])
        self.vocabulary_weight = float(config.get("vocabulary_weight") or 0.0)
        max_unknown = config.get("max_unknown_words")
        self.max_unknown_words = None if max_unknown is None else int(max_unknown)
        self._model_storage = model_storage
        self._resource = resource
        self.neighbour = neighbour or NearestNeighbour()
        self.vocabulary = vocabulary
        self.check_kinds = bool(config.get("question_kinds"))
        # FAQ id -> the kinds of question (reason, place, ...) its example questions ask.
        self.kinds = kinds or {}
        self.similarity = similarity
        paraphrase = config.get("paraphrase_similarity")
        self.paraphrase_similarity = None if paraphrase is None else float(paraphrase)
        self.calibrated = bool(config.get("calibrated"))
        self.answer_at = float(config.get("answer_at", 0.6))
        self.suggest_from = float(config.get("suggest_from", 0.4))
        self.max_suggestions = int(config.get("suggestions", 3))
        self.matcher = matcher
        # The 90 MB sentence encoder loads only when a check that needs it is on.
        self._encoder = shared_encoder() if config.get("example_similarity") or self.calibrated else None
        # The spaCy pipeline loads only when a check that needs it is on.
        uses_vocabulary = self.vocabulary_weight > 0 or self.max_unknown_words is not None or self.calibrated
        self._lemmas: LemmaFn | None = spacy_lemmas() if uses_vocabulary else None

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> FAQAnswerGate:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> FAQAnswerGate:
        neighbour, vocabulary, kinds, similarity, matcher = None, None, None, None, None
        try:
            with model_storage.read_from(resource) as directory:
                neighbour = pickle.loads((directory / _MODEL_FILE).read_bytes())
                if (directory / _VOCABULARY_FILE).exists():
                    vocabulary = pickle.loads((directory / _VOCABULARY_FILE).read_bytes())
                if (directory / _KINDS_FILE).exists():
                    kinds = pickle.loads((directory / _KINDS_FILE).read_bytes())
                similarity = ExampleSimilarity.load(directory)
                matcher = FAQMatcher.load(directory)
        except (ValueError, FileNotFoundError):
            logger.warning("FAQAnswerGate has no trained data; every FAQ answer will need agreement it cannot get")
        return cls(config, model_storage, resource, neighbour, vocabulary, kinds, similarity, matcher)

    def train(self, training_data: TrainingData) -> Resource:
        texts, labels = [], []
        for example in training_data.intent_examples:
            if example.get("intent") != RETRIEVAL_INTENT:
                continue
            key = example.get("intent_response_key") or ""
            if "/" in key and example.get("text"):
                texts.append(example.get("text"))
                labels.append(key.split("/", 1)[1])
        if texts:
            self.neighbour.fit(texts, labels)
        examples_by_faq: dict[str, list[str]] = {}
        for text, faq_id in zip(texts, labels):
            examples_by_faq.setdefault(faq_id, []).append(text)
        self.kinds = {faq_id: answered_kinds(examples) for faq_id, examples in examples_by_faq.items()}
        if self._lemmas is not None:
            texts_by_faq = {faq_id: list(examples) for faq_id, examples in examples_by_faq.items()}
            for name, variants in (training_data.responses or {}).items():
                if name.startswith(_RESPONSE_PREFIX):
                    faq_id = name[len(_RESPONSE_PREFIX):]
                    texts_by_faq.setdefault(faq_id, []).extend(v.get("text") or "" for v in variants)
            self.vocabulary = FAQVocabulary.build(texts_by_faq, self._lemmas)
        if self._encoder is not None and not self.calibrated:
            self.similarity = ExampleSimilarity.build(examples_by_faq, self._encoder)
        if self.calibrated and self._encoder is not None and self._lemmas is not None:
            self.matcher = FAQMatcher.fit(
                examples_by_faq, _answers(training_data), _negatives(training_data), self._encoder, self._lemmas
            )
        with self._model_storage.write_to(self._resource) as directory:
            (directory / _MODEL_FILE).write_bytes(pickle.dumps(self.neighbour))
            if self.vocabulary is not None:
                (directory / _VOCABULARY_FILE).write_bytes(pickle.dumps(self.vocabulary))
            (directory / _KINDS_FILE).write_bytes(pickle.dumps(self.kinds))
            if self.similarity is not None:
                self.similarity.save(directory)
            if self.matcher is not None:
                self.matcher.save(directory)
        return self._resource

    def _unknown_words(self, faq_id: str | None, text: str) -> tuple[float, set[str]] | None:
        """(share of the question's content words the FAQ uses, the others); None when the check is off."""
        if self._lemmas is None or self.vocabulary is None or faq_id is None:
            return None
        words = content_words(text, self._lemmas)
        unknown = self.vocabulary.unknown_words(faq_id, words)
        return share_known(words, unknown), unknown

    def _word_checks(self, message: Message) -> _Checked:
        """(FAQ id, question kind, confidence, what the gate saw) after the checks on words and kinds."""
        intent = message.get("intent") or {}
        text = message.get("text") or ""
        parse = {"intent": intent, "response_selector": message.get("response_selector")}
        faq_id, answer_confidence, _margin = faq_answer_confidence(parse)
        confidence = min(float(intent.get("confidence") or 0.0), answer_confidence)
        gate: dict[str, Any] = {"faq_id": faq_id, "confidence": confidence}
        vocabulary = self._unknown_words(faq_id, text)
        if vocabulary is not None:
            known, unknown = vocabulary
            confidence *= known**self.vocabulary_weight
            if self.max_unknown_words is not None and len(unknown) > self.max_unknown_words:
                confidence = 0.0
            gate |= {"confidence": confidence, "known_words": round(known, 4), "unknown_words": len(unknown)}
        kind = question_kind(text)
        if kind is not None and self.check_kinds:
            answers_kind = faq_id is not None and kind in self.kinds.get(faq_id, frozenset())
            if not answers_kind:
                confidence = 0.0
            gate |= {"confidence": confidence, "question_kind": kind, "faq_answers_kind": answers_kind}
        return faq_id, kind, confidence, gate

    def _closeness(
        self, candidates: list[Message], checked: list[_Checked], negations: list[bool]
    ) -> list[Match | None]:
        """Each question's match with the chosen FAQ's closest example; None where not measured.

        The similarity only vouches for an answer the other checks let through, so the
        encoder (about 10 ms a message) does not run for a question they refused.
        """
        if self._encoder is None:
            return [None] * len(candidates)
        measured = [i for i, (_faq, _kind, confidence, _gate) in enumerate(checked) if confidence > 0.0]
        vectors: Any = self._encoder.encode([candidates[i].get("text") or "" for i in measured]) if measured else []
        by_index = dict(zip(measured, vectors))
        matches: list[Match | None] = []
        for index, (faq_id, kind, _confidence, _gate) in enumerate(checked):
            if index not in by_index:
                matches.append(None)
            elif self.similarity is None:
                # A model trained without the check (no embeddings stored) cannot vouch for any answer.
                matches.append(Match(0.0, False))
            else:
                matches.append(self.similarity.match(by_index[index], faq_id, kind, negations[index]))
        return matches

    def _is_paraphrase(self, match: Match) -> bool:
        """A near paraphrase of an example of the chosen FAQ, and of no other FAQ's."""
        return (
            self.paraphrase_similarity is not None
            and match.nearest_of_all
            and match.similarity >= self.paraphrase_similarity
        )

    def process(self, messages: list[Message]) -> list[Message]:
        if self.calibrated:
            return self._decide_calibrated(messages)
        candidates = [m for m in messages if (m.get("intent") or {}).get("name") == RETRIEVAL_INTENT]
        if not candidates:
            return messages
        neighbours = (
            self.neighbour.predict([m.get("text") or "" for m in candidates])
            if self.require_agreement
            else [None] * len(candidates)
        )
        checked = [self._word_checks(message) for message in candidates]
        negations = [is_negated(message.get("text") or "") for message in candidates]
        matches = self._closeness(candidates, checked, negations)
        for message, neighbour, (faq_id, kind, confidence, gate), match, negated in zip(
            candidates, neighbours, checked, matches, negations
        ):
            if match is not None:
                paraphrase = self._is_paraphrase(match)
                # Capped at the similarity; a near paraphrase vouches for the answer by itself.
                confidence = match.similarity if paraphrase else min(confidence, match.similarity)
                gate |= {
                    "confidence": confidence,
                    "example_similarity": round(match.similarity, 4),
                    "paraphrase": paraphrase,
                    "question_kind": kind,
                    "negated": negated,
                }
            if neighbour is not None:
                neighbour_faq, similarity = neighbour
                agree = faq_id is not None and faq_id == neighbour_faq
                if not agree:
                    confidence = 0.0
                gate |= {
                    "confidence": confidence,
                    "agree": agree,
                    "neighbour_faq": neighbour_faq,
                    "neighbour_similarity": round(similarity, 4),
                }
            message.set(GATE_KEY, gate, add_to_output=True)
            if confidence < self.threshold:
                message.set("intent", {"name": FALLBACK_INTENT, "confidence": 1.0 - confidence}, add_to_output=True)
        return messages


    def _decide_calibrated(self, messages: list[Message]) -> list[Message]:
        """Answer when the matcher's probability clears `answer_at`; otherwise offer what is plausible.

        Runs after Rasa's FallbackClassifier, so it looks past a fallback to the
        classifier's own top intent: a question DIET reads as an FAQ is decided here,
        whatever the intent's confidence, and any other intent is left alone.
        """
        candidates = [m for m in messages if _classifier_intent(m) == RETRIEVAL_INTENT]
        if not candidates or self.matcher is None or self._encoder is None or self._lemmas is None:
            for message in candidates:
                _refuse(message, 0.0)
            return messages
        vectors = self._encoder.encode([m.get("text") or "" for m in candidates])
        for message, vector in zip(candidates, vectors):
            match = self.matcher.match(vector, message.get("text") or "", self._lemmas)
            # A question asking for a kind of answer (a reason, a place, a time...) that none of the
            # FAQ's examples asks is offered, never answered: the answer is not written to give it.
            answered = match.probability >= self.answer_at and match.signals.get("kind_answered") == 1.0
            suggestions = [] if answered else self._suggestions(match)
            gate = {
                "faq_id": match.faq_id,
                "confidence": round(match.probability, 4),
                "answered": answered,
                "suggestions": suggestions,
                "signals": match.signals,
            }
            message.set(GATE_KEY, gate, add_to_output=True)
            if answered:
                _answer(message, match)
            else:
                _refuse(message, match.probability)
        return messages

    def _suggestions(self, match: FAQMatch) -> list[str]:
        """The FAQs worth offering as "did you mean", best first: those close enough to be plausible."""
        return [faq_id for faq_id, closeness in match.ranking[: self.max_suggestions] if closeness >= self.suggest_from]


def _classifier_intent(message: Message) -> str | None:
    """The classifier's own top intent, looking past a fallback that replaced it."""
    for entry in message.get("intent_ranking") or []:
        if entry.get("name") != FALLBACK_INTENT:
            return entry.get("name")
    return (message.get("intent") or {}).get("name")


def _answer(message: Message, match: FAQMatch) -> None:
    """The FAQ intent at the matcher's probability, answered with the matcher's FAQ (Rasa's utter_faq)."""
    message.set("intent", {"name": RETRIEVAL_INTENT, "confidence": match.probability}, add_to_output=True)
    selectors = dict(message.get("response_selector") or {})
    selector = dict(selectors.get(RETRIEVAL_INTENT) or {})
    selector["response"] = {
        "intent_response_key": f"{RETRIEVAL_INTENT}/{match.faq_id}",
        "utter_action": f"{_RESPONSE_PREFIX}{match.faq_id}",
        "confidence": match.probability,
        "id": None,
        "responses": [],
    }
    selectors[RETRIEVAL_INTENT] = selector
    message.set("response_selector", selectors, add_to_output=True)


def _refuse(message: Message, probability: float) -> None:
    message.set("intent", {"name": FALLBACK_INTENT, "confidence": 1.0 - probability}, add_to_output=True)


def _answers(training_data: TrainingData) -> dict[str, str]:
    """Each FAQ's answer text, from the `utter_faq/<id>` responses."""
    answers: dict[str, str] = {}
    for name, variants in (training_data.responses or {}).items():
        if name.startswith(_RESPONSE_PREFIX):
            answers[name[len(_RESPONSE_PREFIX):]] = " ".join(v.get("text") or "" for v in variants)
    return answers


def _negatives(training_data: TrainingData) -> list[str]:
    """Examples of intents no FAQ answers: questions the matcher must learn to refuse."""
    return [
        example.get("text")
        for example in training_data.intent_examples
        if example.get("intent") in NEGATIVE_INTENTS and example.get("text")
    ]


def top_intent(parse_data: dict[str, Any]) -> str | None:
    """The classifier's own top intent, looking past any fallback that replaced it."""
    for entry in parse_data.get("intent_ranking") or []:
        if entry.get("name") != FALLBACK_INTENT:
            return entry.get("name")
    return (parse_data.get("intent") or {}).get("name")


def faq_candidate(parse_data: dict[str, Any]) -> tuple[str | None, float]:
    """The FAQ the model would answer with and its gated confidence, even if it abstained.

    Evaluation moves a threshold over this confidence to draw precision against coverage.
    """
    if top_intent(parse_data) != RETRIEVAL_INTENT:
        return None, 0.0
    faq_id, _confidence, _margin = faq_answer_confidence(parse_data)
    gate = parse_data.get(GATE_KEY) or {}
    # The calibrated gate answers with its own likeliest FAQ, which may not be the ResponseSelector's.
    return gate.get("faq_id") or faq_id, gated_confidence(parse_data)
