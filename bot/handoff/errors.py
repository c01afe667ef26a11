"""Domain errors of the handoff queue.

Each error carries a message written for the person who caused it (a clinician
in the console, the action server's log), so the HTTP layers can pass it on
as-is. The HTTP status each maps to lives in `bot.gateway.http_errors`, not
here, so the domain stays usable from the CLI and background workers.
"""

from __future__ import annotations


class HandoffError(Exception):
    """Base of every refusal by the handoff domain; nothing was changed when it is raised."""

    default_message = "The request could not be completed."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)
        self.message = message or self.default_message


class HandoffNotFound(HandoffError):
    default_message = "No such handoff."


class ConversationNotFound(HandoffError):
    default_message = "No such conversation."


class ClinicianNotFound(HandoffError):
    default_message = "No such clinician."


class AlreadyClaimed(HandoffError):
    default_message = "This handoff has already been claimed by another clinician."


class HandoffClosed(HandoffError):
    default_message = "This handoff is closed (resolved, cancelled or expired)."


class NotClaimedByYou(HandoffError):
    default_message = "Only the clinician who claimed this handoff can do that; claim it first."


class ClinicianDisabled(HandoffError):
    default_message = "This clinician account is disabled."


class HandoffAlreadyOpen(HandoffError):
    """A conversation has at most one open handoff; `handoff_id` names the open one."""

    default_message = "A handoff is already open for this conversation."

    def __init__(self, handoff_id: str, message: str | None = None) -> None:
        super().__init__(message)
        self.handoff_id = handoff_id


class QueueEmpty(HandoffError):
    default_message = "Nobody is waiting in the queue."


class InvalidInput(HandoffError):
    """A value outside what the domain accepts (priority, rating, empty note...)."""

    default_message = "Invalid input."


class UsernameTaken(HandoffError):
    default_message = "That username is already taken."


class RatingAlreadyRecorded(HandoffError):
    default_message = "This handoff has already been rated."
