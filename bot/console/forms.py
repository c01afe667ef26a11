"""Reading a console form: a body that is not a readable form is a clear 400, never a 500.

Starlette turns its own multipart errors into a 400 but lets python-multipart's
parse errors (a body that claims to be multipart and is not) escape as a 500.
"""

from __future__ import annotations

from fastapi import Request
from starlette.datastructures import FormData

from bot.console.rendering import ConsoleError

FORM_UNREADABLE = "The form could not be read. Reload the page and try again."


async def read_form(request: Request) -> FormData:
    try:
        return await request.form()
    except ValueError:  # python_multipart.exceptions.FormParserError and its kin
        raise ConsoleError(400, FORM_UNREADABLE) from None


async def form_fields(request: Request) -> dict[str, str]:
    """The form's text fields; {} when the body does not say it is a form."""
    if "form" not in request.headers.get("content-type", ""):
        return {}
    form = await read_form(request)
    return {key: value for key, value in form.items() if isinstance(value, str)}
