"""A small HTTP server that speaks Rasa's REST webhook protocol only to fail: slow or erroring.

Used ONLY for the "Rasa is down / slow / broken" cases, which a real Rasa server
cannot be made to show on demand. Every conversation that should succeed talks
to a real `rasa run` (the `rasa_server_url` / `mini_rasa_url` fixtures).
"""

from __future__ import annotations

import asyncio
import threading

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from tests.support.servers import ServerThread


class FailingRasa:
    """mode "slow": answers after `delay_s` (past the gateway's timeout); mode "error": HTTP 500."""

    def __init__(self, mode: str = "slow", delay_s: float = 2.0) -> None:
        self.mode = mode
        self.delay_s = delay_s
        self.requests = 0
        self._lock = threading.Lock()
        app = Starlette(
            routes=[
                Route("/", self._root),
                Route("/webhooks/rest/webhook", self._webhook, methods=["POST"]),
            ]
        )
        self._server = ServerThread(app)
        self.url = ""

    async def _root(self, request: Request) -> PlainTextResponse:
        return PlainTextResponse("Hello from a failing stand-in")

    async def _webhook(self, request: Request) -> JSONResponse:
        with self._lock:
            self.requests += 1
        if self.mode == "slow":
            await asyncio.sleep(self.delay_s)
            return JSONResponse([])
        return JSONResponse({"error": "internal"}, status_code=500)

    def __enter__(self) -> FailingRasa:
        self.url = self._server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.stop()
