"""Refusals of the support-groups domain; nothing was changed when one is raised.

Each carries a message for the clinician who caused it (the console shows it
as it is); the console maps them to HTTP statuses, the domain knows none.
"""

from __future__ import annotations


class GroupError(Exception):
    """Base of every refusal by bot.groups."""

    default_message = "The request could not be completed."
    status_code = 400

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)
        self.message = message or self.default_message


class GroupNotFound(GroupError):
    default_message = "No such group."
    status_code = 404


class GroupRemoved(GroupError):
    default_message = "The bot is no longer a member of this group: add it to the group again first."
    status_code = 409


class NotAModerator(GroupError):
    default_message = "Only the group's moderators and admins can do this."
    status_code = 403


class UnknownClinician(GroupError):
    default_message = "Choose moderators among the active clinicians."
    status_code = 422


class AlertNotFound(GroupError):
    default_message = "No such alert in this group."
    status_code = 404
