"""Does a group message assert a myth (or ask whether it is true), or only quote or mention it?

In a support group the bot answers a myth only when a member states it as true
("the flu jab gave me flu") or asks whether it is ("can you catch flu from the
jab?"). A member quoting it to disagree ("my nan swears the jab gives her flu,
it's just a sore arm nan") or talking about the topic ("got my flu jab today")
must be left alone: a correction there is noise at best, and at worst it
lectures the person who was putting the record straight.

Topic and stance are told apart by two things:

* the shipped sentence encoder (all-MiniLM-L6-v2, bot/nlu/sentence_encoder.py):
  how close the message is to the development set's messages that assert or
  ask about each myth, to those that dispute it or only mention its topic, to
  small talk, to the myth's claim (`CLAIMS` and the FAQ's title) and to what
  the content pack says instead (`FACTS`);
* rules for what the encoder hardly sees: words of disagreement ("debunked",
  "it's a myth", "people who still think", "X does not cause Y", a claim
  reported and then contradicted), negation and questions. A statement with
  words of disagreement is never answered.

A logistic regression turns the signals of the other messages into the
probability that a reply is right. It is fitted on eval/groups/dev.tsv alone,
each development message scored against the others (left out of its own
neighbours, as a new message would be), and the reply threshold is the lowest
out-of-fold probability at which the development set keeps
`TARGET_PRECISION`. The test sets (eval/groups/test*.tsv) are never read here:
`patientbot eval groups` measures on them (docs/groups.md has the figures,
and the targets this does not reach yet).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_predict
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from bot.paths import EVAL_DIR

DEV_FILE = EVAL_DIR / "groups" / "dev.tsv"
NO_MYTH = "none"
REPLY_KINDS = frozenset({"assert", "ask"})
KINDS = frozenset({"assert", "ask", "dispute", "mention", "other"})
# Precision asked of the threshold on the development set: above the 0.95 the issue sets,
# because the development set is small and the test set will not be as kind.
TARGET_PRECISION = 0.97
# Neighbours averaged per myth: one stray example does not carry a myth.
NEIGHBOURS = 2
REGULARISATION_C = 1.0
FOLDS = 5
FEATURES = (
    "claim",
    "dispute",
    "mention",
    "chatter",
    "stated",
    "claim_margin",
    "fact",
    "stated_over_fact",
    "negated_verb_statement",
    "disagreement",
    "negation",
    "question",
    "negated_statement",
)
DISAGREEMENT_COLUMN = FEATURES.index("disagreement")
QUESTION_COLUMN = FEATURES.index("question")

# What each myth says, in a member's words: the claim the watch looks for (with the FAQ's title).
# Statements only, never a dispute; written for the watch, not taken from either evaluation set.
CLAIMS: dict[str, tuple[str, ...]] = {
    "myth_vaccines_autism": (
        "vaccines cause autism",
        "the mmr jab made my child autistic",
        "baby vaccinations are linked to autism",
    ),
    "myth_antibiotics_viruses": (
        "antibiotics cure a cold",
        "antibiotics get rid of the flu",
        "antibiotics kill viruses",
        "you need antibiotics for covid",
    ),
    "myth_covid_just_flu": (
        "covid is just like the flu",
        "covid is no worse than flu",
    ),
    "myth_just_the_flu": (
        "it's just the flu",
        "flu is only a bad cold and not serious",
        "healthy people don't die of flu",
    ),
    "myth_flu_shot_gives_flu": (
        "the flu jab gives you flu",
        "i caught the flu from the flu vaccine",
    ),
    "myth_disinfectant_cures_covid": (
        "drinking bleach cures covid",
        "disinfectant kills the virus inside your body",
        "chlorine dioxide or mms cures covid",
    ),
    "myth_honey_infants": (
        "honey is safe for babies",
        "give a baby honey for a cough",
        "honey on a baby's dummy is fine",
    ),
    "myth_feed_cold_starve_fever": (
        "feed a cold starve a fever",
        "don't eat when you have a fever",
    ),
    "myth_garlic_hot_drinks_cure": (
        "garlic kills the virus",
        "hot drinks kill covid",
        "a hot bath or sauna cures a cold",
        "heat kills the flu virus",
    ),
}

# What the content pack says instead: a message closer to the fact than to the claim is
# putting the record straight.
FACTS: dict[str, tuple[str, ...]] = {
    "myth_vaccines_autism": ("vaccines do not cause autism", "there is no link between the mmr and autism"),
    "myth_antibiotics_viruses": ("antibiotics don't work on viruses like colds and flu", "antibiotics only kill bacteria"),
    "myth_covid_just_flu": ("covid is not just a flu, it is a different and more serious illness",),
    "myth_just_the_flu": ("flu is not just a cold, it can be serious and kill healthy people",),
    "myth_flu_shot_gives_flu": ("the flu jab cannot give you flu, it has no live virus",),
    "myth_disinfectant_cures_covid": ("bleach and disinfectant do not cure covid, they are poison",),
    "myth_honey_infants": ("never give honey to a baby under one, it can cause botulism",),
    "myth_feed_cold_starve_fever": ("don't starve a fever, eat and drink with a cold or a fever",),
    "myth_garlic_hot_drinks_cure": ("garlic, hot drinks and hot baths do not kill viruses",),
}

# Words of disagreement: the writer is putting the record straight, not spreading the myth.
DISAGREEMENT = re.compile(
    r"(?<!\w)(?:myths?|debunk\w*|hoax|rubbish|nonsense|misinformation|fake\w*|fraud\w*|untrue|"
    r"not true|isn'?t true|no (?:link|evidence|proof)|evidence (?:says|shows)|struck off|lost his licen[cs]e|"
    r"old wives'? tale|stop (?:saying|sharing|spreading|posting)|people who (?:still )?(?:say|said|think|believe)|"
    r"anyone who (?:says|said|thinks)|(?:still )?(?:thinks|believes|swears)\b.*\b(?:but|doesn'?t|isn'?t|it'?s just)|"
    r"drives? me|can'?t get through|don'?t listen|nobody listen|do(?:es)? nothing|pointless|"
    r"(?:is|it'?s|was) (?:dangerous|poison|wrong)|told (?:her|him|them) it'?s|gone (?:very )?quiet|"
    r"went mad|(?:was|were) right not to|rolled my eyes|sadly|hasn'?t met|never (?:drink|give|inject)|"
    r"(?:does not|doesn'?t|do not|don'?t|won'?t|will not|can'?t|cannot|isn'?t|is not|aren'?t|are not|not) "
    r"(?:just |really |actually )?(?:cause[ds]?|caused by|cure[sd]?|kill|work|help|give|get rid|a cure|the same|safe|like|"
    r"just an?)|(?:it )?can kill you|only kills? bacteria|no use|(?:can'?t|won'?t|don'?t|doesn'?t) (?:do anything|touch)|"
    r"no \w+ (?:for|before|until|under)|is a no|ignor(?:es|ing)|until they (?:get|have|had)|"
    # a claim reported, then contradicted: "my dad said it was just flu, then he ended up in hospital"
    r"(?:says?|said|saying|thinks?|thought|believes?|swears?|claims?)\b.{3,80}\b(?:but|then|until)\b)(?!\w)",
    re.IGNORECASE,
)
NEGATION = re.compile(
    r"(?<!\w)(?:not|no|never|nothing|nobody|cannot|can'?t|don'?t|doesn'?t|didn'?t|won'?t|isn'?t|aren'?t|wasn'?t|"
    r"wouldn'?t|shouldn'?t)(?!\w)",
    re.IGNORECASE,
)
# A negated verb ("isn't", "does not", "won't"): in a statement, often the myth denied.
NEGATED_VERB = re.compile(
    r"(?<!\w)(?:\w+n'?t|(?:is|are|was|were|does|do|did|can|will|would|could|has|have) not)(?!\w)", re.IGNORECASE
)
QUESTION_START = re.compile(
    r"^(?:genuine question,? |quick question,? |so |honestly,? )?(?:is|are|does|do|did|can|could|should|will|would|"
    r"has|have|anyone know|does anyone know|any(?:one|body) know)\b",
    re.IGNORECASE,
)


class MythWatchDataError(ValueError):
    """A development or test file line that is not `myth<TAB>kind<TAB>text` with a known kind."""


@dataclass(frozen=True)
class LabelledMessage:
    """One group message of an evaluation file, with what the watch should do about it."""

    myth: str  # a myth FAQ id, or "none"
    kind: str  # assert | ask | dispute | mention | other
    text: str
    line: int = 0

    @property
    def wants_reply(self) -> bool:
        return self.kind in REPLY_KINDS and self.myth != NO_MYTH


@dataclass(frozen=True)
class MythVerdict:
    """The myth a message asserts or asks about (None: leave it alone), and how sure the watch is."""

    myth: str | None
    candidate: str
    probability: float


def load_labelled(path: Path) -> list[LabelledMessage]:
    """Rows of a myth-watch TSV file ('#' lines are comments; the first other line is the header)."""
    rows: list[LabelledMessage] = []
    header_seen = False
    with path.open(encoding="utf-8", newline="") as handle:
        for number, raw in enumerate(handle, start=1):
            line = raw.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            if not header_seen:
                header_seen = True
                continue
            fields = next(csv.reader([line], delimiter="\t", quoting=csv.QUOTE_NONE))
            if len(fields) != 3 or fields[1] not in KINDS or not fields[2].strip():
                raise MythWatchDataError(f"{path}:{number}: expected myth, kind ({'|'.join(sorted(KINDS))}), text")
            rows.append(LabelledMessage(fields[0].strip(), fields[1], fields[2].strip(), number))
    return rows


def rule_signals(text: str) -> tuple[float, float, float]:
    """(disagreement, negation, question) as 0/1: what the encoder hardly sees."""
    stripped = text.strip()
    disagreement = float(bool(DISAGREEMENT.search(stripped)))
    negation = float(bool(NEGATION.search(stripped)))
    question = float("?" in stripped or bool(QUESTION_START.match(stripped)))
    return disagreement, negation, question


Encode = Callable[[Sequence[str]], np.ndarray]


class MythWatch:
    """The fitted watch: the development messages' embeddings, the regression and its threshold."""

    def __init__(self, encode: Encode, examples: Sequence[LabelledMessage], claims: dict[str, str]) -> None:
        """`claims`: myth FAQ id -> the claim it answers (the FAQ's title without "Myth:").

        Only myths in `claims` can be replied to: a myth retired from the content pack
        is no longer watched, whatever the development set holds.
        """
        self.myths = sorted(claims)
        known = set(self.myths)
        self.examples = [e for e in examples if e.myth == NO_MYTH or e.myth in known]
        if not any(e.wants_reply for e in self.examples):
            raise MythWatchDataError("the development set has no message to reply to for the myths served")
        self._encode = encode
        claim_texts = [(m, text) for m in self.myths for text in (claims[m], *CLAIMS.get(m, ()))]
        fact_texts = [(m, text) for m in self.myths for text in FACTS.get(m, ())]
        vectors = encode([e.text for e in self.examples] + [t for _m, t in claim_texts] + [t for _m, t in fact_texts])
        ends = np.cumsum([len(self.examples), len(claim_texts)])
        self._vectors = vectors[: ends[0]]
        # Claims and facts side by side; a boolean mask tells which row is which.
        self._claim_vectors = vectors[ends[0]:]
        self._claim_myth = np.array([m for m, _t in claim_texts + fact_texts], dtype=object)
        self._is_fact = np.array([False] * len(claim_texts) + [True] * len(fact_texts))
        self._myth_of = np.array([e.myth for e in self.examples], dtype=object)
        self._replies = np.array([e.wants_reply for e in self.examples], dtype=bool)
        self._kind = np.array([e.kind for e in self.examples], dtype=object)
        features, labels, candidates = self._development_features()
        # Words of disagreement veto a reply (no development message that asserts or asks has
        # them); the regression learns from the rest, where topic and stance must be weighed.
        open_rows = ~np.array([_vetoed(row) for row in features], dtype=bool)
        self.model = _regression()
        # The threshold is chosen on out-of-fold probabilities, as a new message would get them.
        probabilities = np.zeros(len(labels))
        probabilities[open_rows] = cross_val_predict(
            _regression(), features[open_rows], labels[open_rows], cv=FOLDS, method="predict_proba"
        )[:, 1]
        self.model.fit(features[open_rows], labels[open_rows])
        self.threshold = _threshold_for_precision(probabilities, labels, TARGET_PRECISION)
        self.development_probabilities = probabilities
        self.development_candidates = candidates

    # -- signals --------------------------------------------------------------------------

    def _features(self, similarities: np.ndarray, claim_similarities: np.ndarray, text: str,
                  left_out: int | None = None) -> tuple[np.ndarray, str]:
        """The signals of one message for its likeliest myth, and that myth."""
        usable = np.ones(len(self.examples), dtype=bool)
        if left_out is not None:
            usable[left_out] = False
        claim_scores = []
        stated = []
        for myth in self.myths:
            own = similarities[usable & (self._myth_of == myth) & self._replies]
            said = claim_similarities[(self._claim_myth == myth) & ~self._is_fact]
            stated.append(float(said.max()))
            claim_scores.append(_top_mean(np.append(own, said)))
        best = int(np.argmax(claim_scores))
        myth = self.myths[best]
        mine = usable & (self._myth_of == myth)
        dispute = _top_mean(similarities[mine & (self._kind == "dispute")])
        mention = _top_mean(similarities[mine & (self._kind == "mention")])
        chatter = _top_mean(similarities[usable & (self._myth_of == NO_MYTH)])
        disagreement, negation, question = rule_signals(text)
        facts = claim_similarities[(self._claim_myth == myth) & self._is_fact]
        fact = float(facts.max()) if facts.size else 0.0
        negated_verb = float(bool(NEGATED_VERB.search(text)))
        claim = claim_scores[best]
        row = np.array(
            [claim, dispute, mention, chatter, stated[best], claim - max(dispute, mention, chatter),
             fact, stated[best] - fact, negated_verb * (1.0 - question), disagreement, negation, question,
             negation * (1.0 - question)],
            dtype=np.float64,
        )
        return row, myth

    def _development_features(self) -> tuple[np.ndarray, np.ndarray, list[str]]:
        similarities = self._vectors @ self._vectors.T
        claims = self._vectors @ self._claim_vectors.T
        rows, labels, candidates = [], [], []
        for index, example in enumerate(self.examples):
            row, myth = self._features(similarities[index], claims[index], example.text, left_out=index)
            rows.append(row)
            labels.append(int(example.wants_reply and example.myth == myth))
            candidates.append(myth)
        return np.vstack(rows), np.array(labels), candidates

    # -- use ------------------------------------------------------------------------------

    def verdicts(self, texts: Sequence[str]) -> list[MythVerdict]:
        """One verdict per message, the encoder run once over all of them."""
        if not texts:
            return []
        vectors = self._encode(list(texts))
        similarities = vectors @ self._vectors.T
        claims = vectors @ self._claim_vectors.T
        out = []
        for index, text in enumerate(texts):
            row, myth = self._features(similarities[index], claims[index], text)
            vetoed = _vetoed(row)
            probability = 0.0 if vetoed else float(self.model.predict_proba(row[None, :])[0, 1])
            out.append(MythVerdict(myth if probability >= self.threshold else None, myth, probability))
        return out

    def verdict(self, text: str) -> MythVerdict:
        return self.verdicts([text])[0]


def _vetoed(row: np.ndarray) -> bool:
    """A statement with words of disagreement is never answered ("is that a myth?" is a question)."""
    return bool(row[DISAGREEMENT_COLUMN] > 0 and row[QUESTION_COLUMN] == 0)


def _regression() -> Pipeline:
    """Signals on one scale (cosines differ by hundredths, rules by whole units), then the regression."""
    return make_pipeline(StandardScaler(), LogisticRegression(C=REGULARISATION_C, max_iter=1000))


def _top_mean(values: np.ndarray) -> float:
    if values.size == 0:
        return 0.0
    top = np.sort(values)[-NEIGHBOURS:]
    return float(top.mean())


def _threshold_for_precision(probabilities: np.ndarray, labels: np.ndarray, target: float) -> float:
    """The lowest probability whose replies keep `target` precision on these rows (0.5 at least)."""
    best = 1.0
    for candidate in sorted(set(np.round(probabilities, 6).tolist()), reverse=True):
        chosen = probabilities >= candidate
        if not chosen.any():
            continue
        precision = float(labels[chosen].mean())
        if precision >= target:
            best = candidate
    return max(best, 0.5)


def myth_claims(today: object = None) -> dict[str, str]:
    """Myth FAQ id -> its claim, for every myth FAQ the content pack serves today."""
    from datetime import date

    from bot.content.store import get_content_store

    store = get_content_store()
    day = today if isinstance(today, date) else date.today()
    claims = {}
    for entry in store.entries():
        if entry.kind == "faq" and entry.myth and entry.is_served(day):
            claims[entry.id] = re.sub(r"^Myth:\s*", "", entry.title).strip().strip('"')
    return claims


@lru_cache(maxsize=1)
def shared_myth_watch() -> MythWatch:
    """The process's watch, fitted once (a few seconds) on the development set and the shipped encoder."""
    return load_myth_watch()


def load_myth_watch(dev_file: Path = DEV_FILE, encode: Encode | None = None) -> MythWatch:
    """The watch fitted on the development set, with the shipped sentence encoder unless given one."""
    if encode is None:
        from bot.nlu.embedding_model import shared_encoder

        encode = shared_encoder().encode
    return MythWatch(encode, load_labelled(dev_file), myth_claims())
