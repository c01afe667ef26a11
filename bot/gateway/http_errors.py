"""One mapping from the handoff domain's errors to HTTP statuses, shared by the handoff API and the console."""

from __future__ import annotations

from bot.handoff import errors

_STATUS: dict[type[errors.HandoffError], int] = {
    errors.HandoffNotFound: 404,
    errors.ConversationNotFound: 404,
    errors.ClinicianNotFound: 404,
    errors.QueueEmpty: 404,
    errors.AlreadyClaimed: 409,
    errors.HandoffClosed: 409,
    errors.HandoffAlreadyOpen: 409,
    errors.UsernameTaken: 409,
    errors.RatingAlreadyRecorded: 409,
    errors.NotClaimedByYou: 403,
    errors.ClinicianDisabled: 403,
    errors.InvalidInput: 422,
}


def status_for(error: errors.HandoffError) -> int:
    """The most specific status for `error` (subclasses inherit their parent's)."""
    for cls in type(error).__mro__:
        if cls in _STATUS:
            return _STATUS[cls]
    return 400
