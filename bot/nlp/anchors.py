"""A sound, cheap test of whether any red-flag pattern could match a message.

Why: the red-flag span ruler is about 85% of a full pass of the pipeline (1.1 of
1.3 ms per message on the benchmark's questions, `make bench` profile), and the
gateway runs it on every message a patient types. Most messages ("what are
your opening hours?", "thanks") cannot match any pattern, because every pattern
needs words that are not in them.

How: each pattern is reduced to its required tokens (no `OP`, or `+`), and
each of those to the set of values that would satisfy its positive constraints
(`LEMMA`/`LOWER`/`NORM`/`ORTH`/`TEXT` equal to or `IN` a list, `REGEX`,
`LIKE_NUM`). A pattern can only match a Doc that holds, for every required
token, at least one token with one of those values. Order, adjacency, optional
tokens and negative constraints (`NOT_IN`, `OP: "!"`) are ignored, which only
makes the test weaker, never wrong: when it says no, the ruler would have found
nothing. When it says yes (or a pattern cannot be reduced, such as a phrase
pattern), the ruler runs as before.

The values are compared exactly as spaCy's Matcher compares them: the token's
attribute string for equality and sets, `re.search` for `REGEX`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

# Matcher attribute -> the Token attribute holding its string.
_STRING_ATTRS = {"LEMMA": "lemma_", "LOWER": "lower_", "NORM": "norm_", "ORTH": "orth_", "TEXT": "text"}
# Operators under which a pattern token must be present at least once.
_REQUIRED_OPS = {None, "1", "+"}

Feature = tuple[Any, ...]
Requirement = frozenset[Feature]  # any one of them satisfies the pattern token


class RedFlagAnchors:
    """Which Docs could match at least one of a span ruler's token patterns."""

    def __init__(self, requirements: list[list[Requirement]], always: bool) -> None:
        self._always = always
        self._regexes: dict[tuple[str, str], re.Pattern[str]] = {}
        # Each pattern is indexed under one of its requirements (the one with fewest
        # values): only patterns whose indexed requirement the Doc meets are checked.
        self._index: dict[Feature, list[list[Requirement]]] = defaultdict(list)
        for pattern in requirements:
            for requirement in pattern:
                for feature in requirement:
                    if feature[0] == "REGEX":
                        self._regexes[(feature[1], feature[2])] = re.compile(feature[2])
            for feature in min(pattern, key=len):
                self._index[feature].append(pattern)
        self.pattern_count = len(requirements)

    @classmethod
    def from_patterns(cls, patterns: Iterable[Mapping[str, Any]]) -> RedFlagAnchors:
        """From the ruler's patterns (`SpanRuler.patterns`: dicts with a "pattern" key)."""
        requirements: list[list[Requirement]] = []
        always = False
        for entry in patterns:
            pattern = entry["pattern"]
            reduced = (
                [r for token in pattern if (r := _requirement(token)) is not None]
                if isinstance(pattern, list)
                else []
            )
            if not reduced:
                always = True  # a phrase pattern, or no token we can reduce: never skip
                continue
            requirements.append(reduced)
        return cls(requirements, always)

    def may_match(self, doc: Doc) -> bool:
        """False only if no pattern can match `doc`; True otherwise."""
        if self._always:
            return True
        features = self._features(doc)
        for feature in features:
            for pattern in self._index.get(feature, ()):
                if all(not requirement.isdisjoint(features) for requirement in pattern):
                    return True
        return False

    def _features(self, doc: Doc) -> set[Feature]:
        features: set[Feature] = set()
        for token in doc:
            for attr, name in _STRING_ATTRS.items():
                features.add((attr, getattr(token, name)))
            features.add(("LIKE_NUM", token.like_num))
            for (attr, source), regex in self._regexes.items():
                if regex.search(_string(token, attr)):
                    features.add(("REGEX", attr, source))
        return features


def _string(token: Token, attr: str) -> str:
    return str(getattr(token, _STRING_ATTRS[attr]))


def _requirement(token: Mapping[str, Any]) -> Requirement | None:
    """The values one of which a required pattern token needs; None if it is optional or unreducible."""
    if token.get("OP") not in _REQUIRED_OPS:
        return None
    best: set[Feature] | None = None
    for key, value in token.items():
        attr = key.upper()
        options: set[Feature] | None = None
        if attr in _STRING_ATTRS:
            if isinstance(value, str):
                options = {(attr, value)}
            elif isinstance(value, Mapping) and set(value) == {"IN"}:
                options = {(attr, str(v)) for v in value["IN"]}
            elif isinstance(value, Mapping) and set(value) == {"REGEX"}:
                options = {("REGEX", attr, str(value["REGEX"]))}
        elif attr == "LIKE_NUM" and isinstance(value, bool):
            options = {("LIKE_NUM", value)}
        # Every positive constraint must hold, so any one of them is a necessary condition:
        # keep the one with the fewest values (it rules out the most Docs).
        if options and (best is None or len(options) < len(best)):
            best = options
    return frozenset(best) if best else None
