"""Templates, error pages and the route class that gives every console response its headers.

Jinja2 autoescaping is on for every template: patient text is always shown as
text (a `<script>` a patient typed is displayed, never run), and the CSP
forbids inline script as a second line of defence.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import JSONResponse

from bot.console.security import SECURITY_HEADERS
from bot.gateway.http_errors import status_for
from bot.handoff.errors import HandoffError

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
_env = Environment(
    loader=FileSystemLoader(str(HERE / "templates")),
    autoescape=select_autoescape(["html"], default_for_string=True, default=True),
)


def _clock(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def _iso(value: datetime | None) -> str:
    return value.isoformat() + "Z" if value else ""


_env.filters["clock"] = _clock
_env.filters["iso"] = _iso
templates = Jinja2Templates(env=_env)


class ConsoleError(Exception):
    """A refusal with a status and a message for the clinician; nothing was changed."""

    def __init__(self, status_code: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.headers = headers or {}


class LoginRequired(Exception):
    """No valid session: pages redirect to the login form, everything else gets 401."""


LOGIN_REQUIRED_MESSAGE = "Your session has expired or you are not logged in. Log in again."


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "") or request.url.path.startswith(
        "/console/api/"
    )


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def error_response(request: Request, status_code: int, message: str) -> Response:
    if wants_json(request):
        return JSONResponse({"detail": message}, status_code=status_code)
    user = getattr(request.state, "console_user", None)
    return render(request, "error.html", {"message": message, "user": user}, status_code)


class ConsoleRoute(APIRoute):
    """Adds the security headers and turns refusals into a clear page (or JSON) with their status."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                response = await handler(request)
            except LoginRequired:
                if request.method == "GET" and not wants_json(request) and not request.url.path.endswith("/events"):
                    response = RedirectResponse("/console/login", status_code=303)
                else:
                    response = error_response(request, 401, LOGIN_REQUIRED_MESSAGE)
            except ConsoleError as error:
                response = error_response(request, error.status_code, error.message)
                response.headers.update(error.headers)
            except HandoffError as error:
                response = error_response(request, status_for(error), error.message)
            except RequestValidationError:
                response = error_response(request, 422, "Invalid input: check the form and try again.")
            except HTTPException as error:
                detail = error.detail if isinstance(error.detail, str) else "Invalid request."
                response = error_response(request, error.status_code, detail)
            for key, value in SECURITY_HEADERS.items():
                response.headers.setdefault(key, value)
            return response

        return route
