"""A Rasa NLU component: a question about the patient's own case becomes `personal_advice`.

DIET learns `personal_advice` from examples, and a question it has not seen the
like of ("my potassium came back at 6.1, is that bad?") can still land on an FAQ
or on the fallback. The medical-advice guard (bot/safety/advice.py: rules for
the patient's own results, dose changes, medicines and diagnoses) does not
depend on examples, so it runs last in the pipeline and has the final word:
whatever the classifiers said, such a question gets the honest refusal and the
clinician offer (data/rules.yml), never an FAQ answer. Small talk and an
explicit request for a human keep their intents.

It is in the model, not in the gateway, so that what `rasa shell`, `rasa test`,
`patientbot classify` and `patientbot eval` see is what patients get. The
classifiers' own intent ranking is left as it was, for the clinician's view of
what the bot saw; `advice_guard` in the parse result says the guard decided.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.decision import KEEP_INTENT_FOR_ADVICE

PERSONAL_ADVICE_INTENT = "personal_advice"
ADVICE_GUARD_KEY = "advice_guard"
NeedsClinician = Callable[[str], bool]


def _shipped_guard() -> NeedsClinician:
    from bot.safety.advice import get_advice_guard

    return get_advice_guard().needs_clinician


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class PersonalAdviceGuard(GraphComponent):
    """Sets the intent to `personal_advice` when the advice guard finds one; after the FallbackClassifier."""

    def __init__(self, needs_clinician: NeedsClinician | None = None) -> None:
        # The spaCy pipeline loads with the model, not on the first patient's message.
        self._needs_clinician = needs_clinician or _shipped_guard()

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> PersonalAdviceGuard:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = (message.get("intent") or {}).get("name")
            if intent in KEEP_INTENT_FOR_ADVICE or not self._needs_clinician(message.get("text") or ""):
                continue
            message.set(ADVICE_GUARD_KEY, {"replaced_intent": intent}, add_to_output=True)
            message.set("intent", {"name": PERSONAL_ADVICE_INTENT, "confidence": 1.0}, add_to_output=True)
        return messages
