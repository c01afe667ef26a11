"""Tokenizer adjustments for how patients write numbers with units.

"6wks", "2hrs", "38.5C" or "100.4F" stay single tokens in spaCy's English
tokenizer, which hides the number from patterns. Splitting the unit off lets a
rule see "6" + "wks" and "38.5" + "C".
"""

from __future__ import annotations

from typing import cast

from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.util import compile_suffix_regex

# Units glued to a number: time spans, ages and temperatures.
UNIT_SUFFIX = (
    # after a digit that does not itself follow a letter ("a1c", "b12" stay whole)
    r"(?<=[0-9])(?<![A-Za-z][0-9])(?i:"
    r"wks?|weeks?|w|days?|d|hrs?|hours?|h|mins?|minutes?|yrs?|years?|y|yo|"
    r"mths?|months?|mos?|m|°c|°f|°|c|f|mg|ml|mcg|g|kg|lbs?"
    r")"
)


def customize_tokenizer(nlp: Language) -> None:
    """Add the unit-splitting suffix rule; saved with the pipeline by `nlp.to_disk`."""
    suffixes = list(nlp.Defaults.suffixes or []) + [UNIT_SUFFIX]
    tokenizer = cast(Tokenizer, nlp.tokenizer)  # Language types it as any callable
    tokenizer.suffix_search = compile_suffix_regex(suffixes).search
