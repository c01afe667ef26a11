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
    "sexual_assault": "Sexual assault",
    "violence_danger": "Violence or immediate danger",
    "infant_unwell": "A very unwell baby",
    "severe_dehydration": "Severe dehydration",
    "hypoglycaemia": "Low blood sugar (hypoglycaemia)",
    "severe_burn": "Severe burn",
    "sudden_confusion": "Sudden confusion",
    "sudden_severe_pain": "Sudden severe pain",
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
#   4. danger from another person now (violence, a sexual assault): the
#      emergency number and a safe place first, then the hotlines;
#   5. emergencies that need the emergency department within the hour (low blood
#      sugar is treated at once with sugar, then the emergency number if needed);
#   6. what needs care within hours (severe pain such as a twisted testicle).
SEVERITY_ORDER: tuple[str, ...] = (
    "heart_attack",
    "stroke",
    "anaphylaxis",
    "breathing_difficulty",
    "severe_bleeding",
    "overdose_poisoning",
    "suicide_self_harm",
    "violence_danger",
    "sexual_assault",
    "seizure",
    "hypoglycaemia",
    "infant_unwell",
    "sepsis",
    "pregnancy_emergency",
    "head_injury",
    "severe_burn",
    "sudden_confusion",
    "severe_dehydration",
    "infant_fever",
    "sudden_severe_pain",
)

assert set(SEVERITY_ORDER) == set(CATEGORIES), "every category needs a severity rank"

SEVERITY_RANK: dict[str, int] = {category: rank for rank, category in enumerate(SEVERITY_ORDER)}

# A more specific category goes first when it explains a more severe one flagged
# in the same message: bleeding in pregnancy needs the maternity guidance, a
# head injury with slurred speech the head-injury guidance, a feverish baby
# under 3 months the infant-fever guidance.
# A baby who is limp and not feeding needs the baby guidance, never the heart-attack
# text; confusion in a person with diabetes the low-sugar guidance (sugar first).
REFINES: dict[str, frozenset[str]] = {
    "pregnancy_emergency": frozenset({"severe_bleeding", "seizure"}),
    "head_injury": frozenset({"stroke"}),
    "infant_fever": frozenset({"sepsis"}),
    "infant_unwell": frozenset({"heart_attack", "breathing_difficulty", "sepsis", "seizure", "infant_fever"}),
    "hypoglycaemia": frozenset({"stroke", "seizure", "sudden_confusion", "overdose_poisoning"}),
    "violence_danger": frozenset({"severe_bleeding", "head_injury"}),
    "severe_dehydration": frozenset({"sepsis"}),
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
