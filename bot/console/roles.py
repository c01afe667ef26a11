"""Role checks for console pages that only some clinicians may open, as dependencies.

The role is the clinician's `role` column (bot.handoff.models.ROLES), read with
the session on every request, so a demoted admin loses access at once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Depends

from bot.console.auth import ConsoleUser, csrf_checked_user, current_user
from bot.console.rendering import ConsoleError

ADMINS_ONLY = "Only admins can open this page."


async def admin_user(user: ConsoleUser = Depends(current_user)) -> ConsoleUser:
    """The current user if they are an admin; 403 for anyone else, the login page for nobody."""
    if user.role != "admin":
        raise ConsoleError(403, ADMINS_ONLY)
    return user


def admin_changing(action: str) -> Callable[..., Awaitable[ConsoleUser]]:
    """A dependency for a change only admins may make: the CSRF token first, then the role.

    The refusal names what was refused ("Only admins can send bulletins.").
    """

    async def dependency(user: ConsoleUser = Depends(csrf_checked_user)) -> ConsoleUser:
        if user.role != "admin":
            raise ConsoleError(403, f"Only admins can {action}.")
        return user

    return dependency
