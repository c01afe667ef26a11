"""Whether a question is negated: "why is there no vaccine" against "why is there a vaccine".

Sentence embeddings trained on paraphrase pairs barely see a negation: "can you
have the flu without a fever" and "can you have the flu with a fever" come out
close, though one answer says yes and the other no. So the gate compares a
negated question only with an FAQ's negated example questions, and a plain one
only with plain ones (bot/nlu/example_similarity.py): an FAQ whose examples never
ask the negated question has not been shown to answer it.

The cues are words, as patients type them: "not", "no", "never", "without",
and contractions with or without the apostrophe ("don't", "dont").
"""

from __future__ import annotations

import re

_CUES = frozenset(
    {
        "no", "not", "never", "nothing", "none", "nobody", "nowhere", "neither", "nor", "without", "cannot",
        "cant", "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent", "wont", "wouldnt", "shouldnt",
        "couldnt", "havent", "hasnt", "hadnt", "aint", "mustnt", "neednt",
    }
)
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def is_negated(text: str) -> bool:
    """True when a word of the text negates ("not", "no", "without", "can't", "cant")."""
    for word in _WORD.findall(text.lower().replace("\u2019", "'")):
        if word in _CUES or word.endswith("n't") or word.replace("'", "") in _CUES:
            return True
    return False
