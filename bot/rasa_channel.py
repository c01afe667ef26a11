"""Rasa's REST channel behind a token: the input channel every PatientBot Rasa server runs.

`rasa run --auth-token` closes Rasa's HTTP API (trackers, models), but not the
input channels: anyone who can reach a Rasa server could still POST to
/webhooks/rest/webhook as any sender id, write into that patient's
conversation, and run custom actions in it. Patients never talk to Rasa
(the gateway owns the channels), so this channel accepts only callers that
present the token the gateway has: the same one as the HTTP API's, as the
`token` query parameter (where Rasa's API reads it too).

credentials.yml names it by module path, with the token from the environment:

    bot.rasa_channel.TokenRestInput:
      token: ${PATIENTBOT_RASA_TOKEN}

It keeps the REST channel's URL and name ("rest"), so the gateway's client and
the trackers' `input_channel` are unchanged. Without a token Rasa does not start.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

MIN_TOKEN_CHARS = 16


class TokenRestInput(RestInput):
    """RestInput whose webhook refuses (401) any request without the token."""

    def __init__(self, token: str) -> None:
        if len(token) < MIN_TOKEN_CHARS:
            raise ValueError(f"the REST channel's token must have at least {MIN_TOKEN_CHARS} characters")
        self._token = token.encode("utf-8")

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TokenRestInput:
        token = (credentials or {}).get("token")
        if not isinstance(token, str) or not token:
            raise ValueError(
                "credentials.yml: bot.rasa_channel.TokenRestInput needs `token` "
                "(token: ${PATIENTBOT_RASA_TOKEN})"
            )
        return cls(token)

    def url_prefix(self) -> str:
        return RestInput.name()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)

        async def check(request: Request) -> HTTPResponse | None:
            if request.method == "GET" and request.path.rstrip("/").endswith("/rest"):
                return None  # the channel's health route says only "ok"
            presented = str(request.args.get("token", "")).encode("utf-8")
            if hmac.compare_digest(presented, self._token):
                return None
            logger.warning("refused %s %s without a valid token", request.method, request.path)
            return response.json({"error": "Not authenticated."}, status=401)

        blueprint.middleware(check, "request")
        return blueprint
