"""What the gateway's own routes answer, for OpenAPI, and one HTTP detail Starlette gets wrong.

`HealthOut` documents GET /health (the route builds its JSON by hand). The 405
handler fixes the ``Allow`` header: Starlette lists only the methods of the first
route whose path matches, so ``OPTIONS /webchat/api/messages`` said "GET" though
POST is served there too, and a client that trusts ``Allow`` is misled.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import Response
from pydantic import Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from bot.apidoc import OutModel


class HealthOut(OutModel):
    status: Literal["ok", "degraded", "down"]
    database: bool
    rasa: bool
    rasa_waiting: int = Field(..., description="Messages waiting for a Rasa server with room.")
    safety: bool
    telegram: str = Field(..., description="off, webhook, polling, or error.")
    services: dict[str, dict[str, Any]] | None = Field(
        None, description="Under `patientbot run`: each supervised child's state and restarts."
    )


HEALTH_RESPONSES: dict[int | str, Any] = {
    503: {"model": HealthOut, "description": "The database is unreachable."}
}


def allowed_methods(app: FastAPI, scope: dict[str, Any]) -> list[str]:
    """Every method some route serves at this request's path."""
    methods: set[str] = set()
    for route in app.router.routes:
        route_methods = getattr(route, "methods", None)
        if route_methods and route.matches(scope)[0] is not Match.NONE:
            methods |= set(route_methods)
    return sorted(methods)


def install_allow_header(app: FastAPI) -> None:
    """Answer 405 with an ``Allow`` header that lists all the path's methods."""

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 405:
            methods = allowed_methods(app, dict(request.scope))
            if methods:
                exc.headers = {**(exc.headers or {}), "Allow": ", ".join(methods)}
        return await http_exception_handler(request, exc)
