"""Red-flag categories: ids, human-readable labels, and the order of severity.

The id doubles as the name of the emergency guidance file
(data/content/emergency/<id>.yml), so ids never change once published.
"""

from __future__ import annotations

from collections.abc import Iterable

LABELS: dict[str, str] = {
    "heart_attack": "Heart attack or cardiac arrest signs",
    "stroke": "Stroke signs (FAST)",
    "breathing_difficulty": "Severe difficulty breathing",
    "severe_bleeding": "Severe bleeding",
    "anaphylaxis": "Severe allergic reaction (anaphylaxis)",
    "suicide_self_harm": "Suicidal thoughts or self-harm",
    "overdose_poisoning": "Overdose or poisoning",
    "seizure": "Seizure",
    "head_injury": "Head injury with danger signs",
    "infant_fever": "Fever in a baby under 3 months",
    "pregnancy_emergency": "Pregnancy emergency",
    "sepsis": "Possible sepsis",
}

CATEGORIES: tuple[str, ...] = tuple(LABELS)

# Severity order, most severe first. "Severe" here means how fast the first
# message must send the patient to emergency help, because `SafetyCheck.category`
# picks the one guidance text shown first when several flags fire (the clinician
# alert always carries every flag):
#   1. minutes matter and an ambulance is the only right answer: cardiac arrest
#      or heart attack, stroke, airway and breathing, catastrophic bleeding;
#   2. a substance already in the body (overdose/poisoning): emergency services
#      or poison control now, even when the intent was self-harm;
#   3. suicidal thoughts or self-harm: the crisis line and, if in immediate
#      danger, the emergency number; it ranks below (1) and (2) only because
#      their guidance already says "call {emergency_number} now";
#   4. emergencies that need the emergency department within the hour.
SEVERITY_ORDER: tuple[str, ...] = (
    "heart_attack",
    "stroke",
    "anaphylaxis",
    "breathing_difficulty",
    "severe_bleeding",
    "overdose_poisoning",
    "suicide_self_harm",
    "seizure",
    "sepsis",
    "pregnancy_emergency",
    "head_injury",
    "infant_fever",
)

assert set(SEVERITY_ORDER) == set(CATEGORIES), "every category needs a severity rank"

SEVERITY_RANK: dict[str, int] = {category: rank for rank, category in enumerate(SEVERITY_ORDER)}

# A more specific category goes first when it explains a more severe one flagged
# in the same message: bleeding in pregnancy needs the maternity guidance, a
# head injury with slurred speech the head-injury guidance, a feverish baby
# under 3 months the infant-fever guidance.
REFINES: dict[str, frozenset[str]] = {
    "pregnancy_emergency": frozenset({"severe_bleeding", "seizure"}),
    "head_injury": frozenset({"stroke"}),
    "infant_fever": frozenset({"sepsis"}),
}


def rank(categories: Iterable[str]) -> list[str]:
    """Categories in the order their guidance should be shown: severity, then REFINES."""
    ordered = sorted(set(categories), key=SEVERITY_RANK.__getitem__)
    for specific, generic in REFINES.items():
        if specific in ordered:
            first_generic = min((ordered.index(g) for g in generic if g in ordered), default=None)
            if first_generic is not None and first_generic < ordered.index(specific):
                ordered.remove(specific)
                ordered.insert(first_generic, specific)
    return ordered
