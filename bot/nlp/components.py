"""Custom pipeline components, registered with spaCy when this module is imported.

The saved pipeline names the factory "patientbot_lemmatizer", so anything that
loads it must import this module first; `bot.nlp.pipeline.load_pipeline` does.
spaCy resolves factory signatures at runtime, so this module does not use
`from __future__ import annotations`.
"""

from spacy.language import Language
from spacy.pipeline import Lemmatizer
from spacy.tokens import Token


class PatientLemmatizer(Lemmatizer):
    """Lookup lemmatizer that ignores case.

    spaCy's lookup table is keyed by the exact token text, so "Took" or
    "BLEEDING" would keep their surface form and slip past lemma patterns.
    Patients type in every case; lemmas here are always lower case, and a
    word missing from the table lemmatizes to its lower-case form.
    """

    def lookup_lemmatize(self, token: Token) -> list[str]:
        table = self.lookups.get_table("lemma_lookup", {})
        lower = token.lower_
        result = table.get(lower)
        if result is None:
            result = table.get(token.text, lower)
        if isinstance(result, str):
            return [result.lower()]
        return [str(r).lower() for r in result]


@Language.factory(
    "patientbot_lemmatizer",
    assigns=["token.lemma"],
    default_config={"mode": "lookup", "overwrite": True},
)
def make_patient_lemmatizer(nlp: Language, name: str, mode: str, overwrite: bool) -> PatientLemmatizer:
    """Factory for the case-insensitive lookup lemmatizer (no trainable model)."""
    return PatientLemmatizer(nlp.vocab, None, name, mode=mode, overwrite=overwrite)
