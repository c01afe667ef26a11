"""PatientBot's custom actions, served by `rasa run actions --actions actions`.

This package talks to the gateway only over HTTP (actions/clients/gateway.py)
and never imports `bot`: the action server is a separate process and may run
on another host.
"""

from actions.callback import ActionSubmitCallback, ValidateCallbackForm
from actions.feedback import ActionRecordFeedback
from actions.handoff import ActionHandoff
from actions.suggestions import ActionAnswerChosenFAQ, ActionSuggestFAQs

__all__ = [
    "ActionAnswerChosenFAQ",
    "ActionHandoff",
    "ActionRecordFeedback",
    "ActionSubmitCallback",
    "ActionSuggestFAQs",
    "ValidateCallbackForm",
]
