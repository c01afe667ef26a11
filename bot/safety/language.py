"""Which language a patient wrote in, for the emergency guidance only: English or Spanish.

The red-flag rules cover Spanish (bot.safety.patterns), and a patient who writes
in Spanish should get the guidance in Spanish. A full language identifier is not
needed for that choice and would be one more model to ship: common function words
and Spanish-only letters decide, and English wins a tie, because the English
guidance is the complete set.
"""

from __future__ import annotations

import re

_WORDS = re.compile(r"[a-záéíóúüñ]+")
_SPANISH_LETTERS = re.compile(r"[áéíóúüñ¿¡]")
# Frequent words that are unambiguous between the two languages ("no", "me",
# "a" and "he" are in both, so they count for neither).
_SPANISH = frozenset(
    [
        "el",
        "la",
        "los",
        "las",
        "del",
        "que",
        "y",
        "en",
        "un",
        "una",
        "por",
        "para",
        "con",
        "mi",
        "mis",
        "su",
        "sus",
        "es",
        "está",
        "esta",
        "estoy",
        "tengo",
        "tiene",
        "tienen",
        "hay",
        "muy",
        "mucho",
        "mucha",
        "pero",
        "como",
        "cómo",
        "qué",
        "cuando",
        "cuándo",
        "dónde",
        "ayuda",
        "ayúdenme",
        "duele",
        "dolor",
        "hijo",
        "hija",
        "esposo",
        "esposa",
        "madre",
        "mamá",
        "padre",
        "papá",
        "abuela",
        "abuelo",
        "puedo",
        "puede",
        "quiero",
        "creo",
        "se",
        "le",
        "lo",
        "al",
        "ya",
        "ahora",
        "desde",
        "hace",
        "después",
        "porque",
    ]
)
_ENGLISH = frozenset(
    [
        "the",
        "an",
        "of",
        "and",
        "to",
        "in",
        "is",
        "it",
        "i",
        "my",
        "you",
        "she",
        "we",
        "they",
        "not",
        "have",
        "has",
        "with",
        "for",
        "on",
        "at",
        "this",
        "that",
        "are",
        "was",
        "be",
        "can",
        "do",
        "does",
        "pain",
        "help",
        "what",
        "when",
        "where",
        "how",
        "im",
        "i'm",
        "his",
        "her",
    ]
)


def guess_language(text: str) -> str:
    """ "es" when the message reads as Spanish, otherwise "en"."""
    lowered = text.lower()
    words = _WORDS.findall(lowered)
    spanish = sum(word in _SPANISH for word in words) + len(_SPANISH_LETTERS.findall(lowered))
    english = sum(word in _ENGLISH for word in words)
    return "es" if spanish > english else "en"
