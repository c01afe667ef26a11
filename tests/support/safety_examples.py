"""Messages the safety tests share: the safety-net issue's examples, each with its category."""

from __future__ import annotations

# The issue's examples: each flagged with its category, or at least never asked to rephrase.
ISSUE_EXAMPLES = [
    ("my diabetic husband is shaky, sweaty and confused", "hypoglycaemia"),
    ("my son's testicle suddenly really hurts and is swollen", "sudden_severe_pain"),
    ("i've been vomiting for two days and haven't peed since yesterday", "severe_dehydration"),
    ("severe burn on my arm from boiling water, the skin is peeling off", "severe_burn"),
    ("my dad is acting really strange and cant remember who i am suddenly", "sudden_confusion"),
    ("there's a man outside threatening to kill me", "violence_danger"),
    ("someone sexually assaulted me an hour ago", "sexual_assault"),
    ("my partner is hitting me and i'm scared for my life", "violence_danger"),
    ("my 3 week old is limp and won't drink his milk", "infant_unwell"),
]
