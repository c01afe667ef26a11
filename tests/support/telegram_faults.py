"""The Bot API stand-in with Telegram's refusals: 429 flood control, 403 blocked users, 502.

For the bulletin sender's tests: which chats blocked the bot, which sendMessage
calls (by number) get a 429 with retry_after or a 502 Bad Gateway, and the
messages that Telegram really accepted per chat (to prove nobody got one twice).
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from tests.support.telegram_api import TelegramApiStandIn


class FaultyTelegramApi(TelegramApiStandIn):
    def __init__(
        self,
        *,
        blocked: set[int] = frozenset(),  # type: ignore[assignment]
        too_many_at: set[int] = frozenset(),  # type: ignore[assignment]
        bad_gateway_at: set[int] = frozenset(),  # type: ignore[assignment]
        retry_after: int = 1,
    ) -> None:
        super().__init__()
        self.blocked = set(blocked)
        self.too_many_at = set(too_many_at)
        self.bad_gateway_at = set(bad_gateway_at)
        self.retry_after = retry_after
        self.attempts = 0
        self.refused: Counter[int] = Counter()  # HTTP status -> how many
        self.delivered: Counter[int] = Counter()  # chat id -> messages accepted
        self.accepted_at: list[float] = []

    async def _endpoint(self, request: Request) -> JSONResponse:
        if request.path_params["method"] != "sendMessage":
            return await super()._endpoint(request)
        params = await self._params(request)
        chat = int(params["chat_id"])
        with self._lock:
            self.attempts += 1
            number = self.attempts
        refusal = self._refusal(number, chat)
        if refusal is not None:
            status, body = refusal
            with self._lock:
                self.refused[status] += 1
            return JSONResponse({"ok": False, "error_code": status, **body}, status)
        # Starlette caches the body, so the stand-in reads the same form again.
        response = await super()._endpoint(request)
        with self._lock:
            self.delivered[chat] += 1
            self.accepted_at.append(time.monotonic())
        return response

    def _refusal(self, number: int, chat: int) -> tuple[int, dict[str, Any]] | None:
        if number in self.too_many_at:
            return 429, {
                "description": f"Too Many Requests: retry after {self.retry_after}",
                "parameters": {"retry_after": self.retry_after},
            }
        if number in self.bad_gateway_at:
            return 502, {"description": "Bad Gateway"}
        if chat in self.blocked:
            return 403, {"description": "Forbidden: bot was blocked by the user"}
        return None

    def busiest_second(self) -> int:
        """The most messages accepted within any one second (the overall rate Telegram saw)."""
        times = sorted(self.accepted_at)
        best, start = 0, 0
        for end, at in enumerate(times):
            while at - times[start] >= 1.0:
                start += 1
            best = max(best, end - start + 1)
        return best
