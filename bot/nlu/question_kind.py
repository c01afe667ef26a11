"""What kind of answer a question asks for: a reason, a place, a person, a time, an amount.

An FAQ answers the kinds of question its example questions ask. "How long is
covid contagious?" and "why is covid so contagious?" share every content word,
but the first asks for a time the answer gives, the second for a reason it never
explains. When a question opens with an interrogative of a kind that none of the
chosen FAQ's example questions opens with, the answer probably does not answer
it, however close the words are; the gate then abstains (bot/nlu/faq_gate.py).

Only the opening interrogative counts: "what to do when you have a fever" asks
"what", and the "who" in "people who have asthma" is not a question word. Yes/no
and "what"/"how" questions carry no kind, because they can ask for anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Words a patient may put before the question itself ("hi, so why ...", "ok but where ...").
_LEAD_IN = frozenset(
    {"hi", "hello", "hey", "ok", "okay", "so", "and", "but", "um", "hmm", "please", "pls", "doctor", "doc", "sorry", "also", "then", "just"}
)
_KINDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("why",), "reason"),
    (("how", "come"), "reason"),
    (("whys",), "reason"),
    (("where",), "place"),
    (("wheres",), "place"),
    (("who",), "person"),
    (("whos",), "person"),
    (("whom",), "person"),
    (("whose",), "person"),
    (("when",), "time"),
    (("whens",), "time"),
    (("how", "much"), "amount"),
    (("how", "many"), "amount"),
)
_WORD = re.compile(r"[a-z]+")


def question_kind(text: str) -> str | None:
    """The kind of answer the question's opening interrogative asks for, or None."""
    words = _WORD.findall(text.lower().replace("'", ""))
    while words and words[0] in _LEAD_IN:
        words = words[1:]
    for opening, kind in _KINDS:
        if tuple(words[: len(opening)]) == opening:
            return kind
    return None


def answered_kinds(example_questions: Iterable[str]) -> frozenset[str]:
    """The kinds an FAQ's example questions ask: the kinds its answer is written to give."""
    return frozenset(kind for kind in map(question_kind, example_questions) if kind is not None)
