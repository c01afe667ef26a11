"""A small text notation for lemma-based token patterns, compiled to spaCy Matcher patterns.

Rules are written as readable strings so that a clinician can review them, and
compiled against the pipeline's own lemmatizer, so "bleeding" in a rule also
matches "bleeds", "bled" and "BLEEDING" in a message.

Notation (tokens separated by spaces):
    word          the token's lemma equals lemma(word)
    a|b|c         any of these lemmas
    =word, =a|b   the lower-cased text, exactly (no lemmatization)
    @MACRO        a predefined token (see MACROS), e.g. @NOT or @BIGNUM
    @MED|pill|=x  mixed forms: expanded into one rule per kind (compile_rules)
    _             one filler token: anything but a negation or a sentence break
    x?            the token is optional (works on every form above)

Multi-token macros are written once here, e.g. "@CANT" is "can/could + not".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from typing import Any

TokenPattern = dict[str, Any]
Pattern = list[TokenPattern]

# Norms that turn a statement around: "n't", "nt" and "not" all have NORM "not".
NEGATION_NORMS = ["not", "no", "never", "nothing", "none", "nobody", "neither", "nor", "without"]
SENTENCE_BREAKS = [".", "!", "?", ";", "but", "however", "although", "though"]

_NUMBER_WORDS_10_PLUS = (
    "ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|"
    "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|dozen|dozens|hundreds"
)
_NUMBER_WORDS_1_12 = "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"

MACROS: dict[str, Pattern] = {
    # negation cue ("not", "n't", "nt", "never", "no")
    "NOT": [{"NORM": {"IN": ["not", "never", "no"]}}],
    # "can't", "cant", "cannot", "couldn't", "can not", "unable to"
    "CANT": [{"LOWER": {"IN": ["ca", "can", "could", "cud", "cant", "cnt"]}}, {"NORM": "not"}],
    # subject pronouns and people, for "he|she is having ..."
    "SOMEONE": [
        {
            "LOWER": {
                "IN": [
                    "i", "im", "he", "she", "they", "we", "you", "u", "hes", "shes",
                    "someone", "somebody",
                ]
            }
        }
    ],
    "REFLEXIVE": [
        {
            "LOWER": {
                "IN": [
                    "myself", "myslef", "meself", "mysef", "himself", "herself", "themselves",
                    "themself", "yourself", "ourselves",
                ]
            }
        }
    ],
    # possessive or article before a body part: "my chest", "his face", "the arm"
    "POSS": [
        {
            "LOWER": {
                "IN": [
                    "my", "his", "her", "their", "our", "your", "ur", "the", "a", "one", "its",
                    "mine", "baby", "babys", "son", "sons", "daughter", "daughters", "mums",
                    "moms", "dads",
                ]
            }
        }
    ],
    "NUM": [{"LIKE_NUM": True}],
    # 10 or more of something ("took 25 pills", "thirty tablets")
    "BIGNUM": [
        {"LOWER": {"REGEX": rf"^(?:[1-9][0-9]{{1,3}}|{_NUMBER_WORDS_10_PLUS})$"}}
    ],
    # an age in weeks below 13 (under 3 months)
    "UNDER13": [
        {"LOWER": {"REGEX": rf"^(?:[1-9]|1[0-2]|[1-9][.,]5|{_NUMBER_WORDS_1_12}|a|few|couple)$"}}
    ],
    # an age in months below 3
    "UNDER3": [{"LOWER": {"REGEX": r"^(?:1|2|1[.,]5|2[.,]5|one|two|a|couple)$"}}],
    # a body temperature that is a fever: 38.0-42.9 C or 100.4-106.9 F
    "FEVER_C": [{"LOWER": {"REGEX": r"^(?:3[89]|4[0-2])(?:[.,][0-9]{1,2})?$"}}],
    # a bare reading with a decimal, read as Celsius ("temp 38.5")
    "FEVER_C_DEC": [{"LOWER": {"REGEX": r"^(?:3[89]|4[01])[.,][0-9]$"}}],
    "FEVER_F": [{"LOWER": {"REGEX": r"^(?:100[.,][4-9][0-9]?|10[1-6](?:[.,][0-9]{1,2})?)$"}}],
    # a blood sugar reading of a hypo: 1.0-3.9 mmol/L or 20-59 mg/dL ("my sugar is 2.8", "reads 45")
    "SUGAR_LOW": [{"LOWER": {"REGEX": r"^(?:[1-3](?:[.,][0-9])?|[2-5][0-9])$"}}],
    # a four-digit year of the past: 1950-2029
    "YEAR": [{"LOWER": {"REGEX": r"^(?:19[5-9][0-9]|20[0-2][0-9])$"}}],
    # an adult age ("at 50", "aged 64")
    "AGE": [{"LOWER": {"REGEX": r"^(?:[2-9][0-9])$"}}],
    # a word that looks like a medicine name (co-codamol, amitriptyline, zopiclone, sertraline...)
    "DRUG": [
        {
            "LOWER": {
                "REGEX": r"^[a-z]{3,}(?:amol|odamol|profen|amine|azepam|azolam|oxetine|aline|opram|"
                r"zapine|apine|idone|odone|adol|amadol|eine|pril|sartan|olol|dipine|statin|"
                r"formin|cillin|mycin|cycline|zole|prazole|lone|solone|sone|pam|lam|clone|iclone|"
                r"barb|ital|oxin|arin|afil|tine|xine|ipine|ide|yl)$"
            }
        }
    ],
    # entities from the pipeline's medical_terms ruler (one token of the entity)
    "MED": [{"ENT_TYPE": "MEDICATION"}],
    "LAB": [{"ENT_TYPE": "LAB_TEST"}],
    "COND": [{"ENT_TYPE": "CONDITION"}],
    "SYMPT": [{"ENT_TYPE": "SYMPTOM"}],
    "PUNCT": [{"IS_PUNCT": True}],
    "ANY": [{}],
}

_FILLER: TokenPattern = {
    "NORM": {"NOT_IN": NEGATION_NORMS},
    "LOWER": {"NOT_IN": SENTENCE_BREAKS},
}

LemmaFn = Callable[[str], str]


class PatternSyntaxError(ValueError):
    """A rule string that the notation cannot express; raised at build time, never at runtime."""


def _compile_token(spec: str, lemma: LemmaFn) -> Pattern:
    optional = spec.endswith("?") and len(spec) > 1
    if optional:
        spec = spec[:-1]
    if spec == "_":
        tokens: Pattern = [dict(_FILLER)]
    elif spec.startswith("@"):
        name = spec[1:]
        if name not in MACROS:
            raise PatternSyntaxError(f"unknown macro @{name}")
        tokens = [dict(t) for t in MACROS[name]]
    elif spec.startswith("="):
        words = [w.lstrip("=").lower() for w in spec[1:].split("|") if w.lstrip("=")]
        if any("@" in w for w in words):
            raise PatternSyntaxError(f"cannot mix exact and macro forms in {spec!r}")
        tokens = [{"LOWER": words[0]} if len(words) == 1 else {"LOWER": {"IN": words}}]
    else:
        if "|=" in spec or "|@" in spec or spec.startswith("@"):
            raise PatternSyntaxError(f"cannot mix lemma, exact and macro forms in {spec!r}")
        lemmas = sorted({lemma(w) for w in spec.split("|") if w})
        if not lemmas:
            raise PatternSyntaxError(f"empty token in {spec!r}")
        tokens = [{"LEMMA": lemmas[0]} if len(lemmas) == 1 else {"LEMMA": {"IN": lemmas}}]
    if optional:
        for token in tokens:
            token["OP"] = "?"
    return tokens


def compile_pattern(rule: str, lemma: LemmaFn) -> Pattern:
    """Turn one rule string into a spaCy token pattern, lemmatizing words with `lemma`."""
    pattern: Pattern = []
    for spec in rule.split():
        pattern.extend(_compile_token(spec, lemma))
    if not pattern or all(t.get("OP") == "?" for t in pattern):
        raise PatternSyntaxError(f"rule {rule!r} can match nothing or everything")
    return pattern


def _split_mixed(spec: str) -> list[str]:
    """'@LAB|result|=bp?' -> ['@LAB?', 'result?', '=bp?']: one token spec per kind of test.

    A spaCy token pattern cannot say "entity MEDICATION or lemma 'pill'", so a
    token with mixed alternatives becomes several rules. A spec that starts
    with "=" is exact for all its words.
    """
    optional = "?" if spec.endswith("?") and len(spec) > 1 else ""
    body = spec[:-1] if optional else spec
    alts = [a for a in body.split("|") if a]
    if len(alts) < 2 or spec == "_":
        return [spec]
    macros = [a for a in alts if a.startswith("@")]
    if body.startswith("="):
        exact, lemmas = [a.lstrip("=") for a in alts if not a.startswith("@")], []
    else:
        exact = [a.lstrip("=") for a in alts if a.startswith("=")]
        lemmas = [a for a in alts if not a.startswith(("=", "@"))]
    out = [m + optional for m in macros]
    if lemmas:
        out.append("|".join(lemmas) + optional)
    if exact:
        out.append("=" + "|".join(exact) + optional)
    return out


def expand_rule(rule: str) -> list[str]:
    """All the plain rules a rule with mixed alternatives stands for."""
    variants: list[list[str]] = [[]]
    for spec in rule.split():
        variants = [v + [s] for v in variants for s in _split_mixed(spec)]
    return [" ".join(v) for v in variants]


def compile_rules(rules: Iterable[str], lemma: LemmaFn) -> list[Pattern]:
    """Compile many rule strings (expanding mixed alternatives); duplicates are dropped."""
    seen: set[str] = set()
    out: list[Pattern] = []
    for rule in rules:
        for variant in expand_rule(rule):
            pattern = compile_pattern(variant, lemma)
            key = json.dumps(pattern, sort_keys=True)
            if key not in seen:
                seen.add(key)
                out.append(pattern)
    return out


def fingerprint(*parts: Any) -> str:
    """A stable hash of rule sources, stored in the built pipeline to detect stale builds."""
    blob = json.dumps(
        [parts, MACROS, NEGATION_NORMS, SENTENCE_BREAKS], sort_keys=True, default=str
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]
