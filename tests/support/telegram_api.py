"""A Telegram Bot API stand-in of our own, on loopback, for python-telegram-bot to talk to.

PTB is pointed at it with its base_url setting (PATIENTBOT_TELEGRAM_API_BASE_URL),
so the real PTB code (request building, getUpdates long polling, webhook
set-up, Update parsing) runs in tests. The stand-in serves getMe, getUpdates,
setWebhook, deleteWebhook, getWebhookInfo, sendMessage, sendChatAction,
answerCallbackQuery and setMyCommands; records every call; queues updates for
polling; and in webhook mode posts updates to the webhook PTB registered,
with the secret token PTB gave it (or a forged one).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.support.servers import ServerThread, wait_until

BOT_USER = {
    "id": 700000001,
    "is_bot": True,
    "first_name": "PatientBot",
    "username": "patientbot_test_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
# Parameters PTB sends JSON-encoded inside form fields.
_JSON_FIELDS = {
    "reply_markup",
    "commands",
    "allowed_updates",
    "scope",
    "entities",
    "link_preview_options",
    "reply_parameters",
}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


class TelegramApiStandIn:
    """The stand-in's state and its Starlette app; run it with `start()` / `stop()`."""

    def __init__(self, token: str = "123456:TEST-token") -> None:
        self.token = token
        self.calls: list[Call] = []
        self.webhook_url: str | None = None
        self.webhook_secret: str | None = None
        self._updates: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._update_ids = itertools.count(1000)
        self._message_ids = itertools.count(1)
        self.app = Starlette(
            routes=[Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"])]
        )
        self._server: ServerThread | None = None
        self.base_url = ""

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> str:
        self._server = ServerThread(self.app)
        self.base_url = self._server.start()
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()

    # -- what tests use ----------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def wait_for(
        self, method: str, count: int = 1, timeout: float = 15.0, where: Any = None
    ) -> list[Call]:
        """Wait until `count` calls of `method` (matching `where(call)`) were made; returns them."""

        def found() -> list[Call] | None:
            calls = [c for c in self.calls_to(method) if where is None or where(c)]
            return calls if len(calls) >= count else None

        return wait_until(
            found,
            timeout,
            message=f"expected {count} {method} call(s); got {self.calls_to(method)}",
        )

    def sent_texts(self, chat_id: int) -> list[str]:
        return [
            c.params["text"]
            for c in self.calls_to("sendMessage")
            if int(c.params["chat_id"]) == chat_id
        ]

    def queue_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Make `update` available to getUpdates (polling mode)."""
        with self._lock:
            update = {"update_id": next(self._update_ids), **update}
            self._updates.append(update)
        return update

    def post_to_webhook(
        self, update: dict[str, Any], secret: str | None = "use-registered"
    ) -> httpx.Response:
        """Deliver `update` to the registered webhook as Telegram would (or with a forged secret)."""
        assert self.webhook_url, "no webhook registered"
        update = {"update_id": next(self._update_ids), **update}
        headers = {"Content-Type": "application/json"}
        token = self.webhook_secret if secret == "use-registered" else secret
        if token is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = token
        return httpx.post(self.webhook_url, content=json.dumps(update), headers=headers, timeout=10)

    # -- update builders ---------------------------------------------------------------

    @staticmethod
    def _chat(chat_id: int) -> dict[str, Any]:
        return {"id": chat_id, "type": "private", "first_name": "Pat"}

    def text_update(self, chat_id: int, text: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": {"id": chat_id, "is_bot": False, "first_name": "Pat"},
            "text": text,
        }
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return {"message": message}

    def callback_update(self, chat_id: int, data: str) -> dict[str, Any]:
        return {
            "callback_query": {
                "id": str(next(self._update_ids)),
                "from": {"id": chat_id, "is_bot": False, "first_name": "Pat"},
                "chat_instance": "ci-1",
                "data": data,
                "message": {
                    "message_id": next(self._message_ids),
                    "date": int(time.time()),
                    "chat": self._chat(chat_id),
                    "from": BOT_USER,
                    "text": "(buttons)",
                },
            }
        }

    # -- the Bot API -------------------------------------------------------------------

    async def _params(self, request: Request) -> dict[str, Any]:
        if request.method == "GET":
            raw: dict[str, Any] = dict(request.query_params)
        elif request.headers.get("content-type", "").startswith("application/json"):
            raw = json.loads(await request.body() or b"{}")
        else:
            raw = dict(await request.form())
        params = {}
        for key, value in raw.items():
            if key in _JSON_FIELDS and isinstance(value, str):
                value = json.loads(value)
            params[key] = value
        return params

    async def _endpoint(self, request: Request) -> JSONResponse:
        if request.path_params["token"] != self.token:
            return JSONResponse(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, 401
            )
        method = request.path_params["method"]
        params = await self._params(request)
        if method != "getUpdates":
            with self._lock:
                self.calls.append(Call(method, params))
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return JSONResponse(
                {"ok": False, "error_code": 404, "description": "Not Found: method not found"}, 404
            )
        result = await handler(params)
        return JSONResponse({"ok": True, "result": result})

    async def _api_getMe(self, params: dict[str, Any]) -> Any:  # noqa: N802 - Bot API names
        return BOT_USER

    async def _api_getUpdates(self, params: dict[str, Any]) -> Any:  # noqa: N802
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        deadline = time.monotonic() + min(timeout, 2.0)
        while True:
            with self._lock:
                # Confirming an offset forgets everything before it, as Telegram does.
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                ready = list(self._updates)
            if ready or time.monotonic() >= deadline:
                return ready
            await asyncio.sleep(0.02)

    async def _api_setWebhook(self, params: dict[str, Any]) -> Any:  # noqa: N802
        self.webhook_url = params["url"]
        self.webhook_secret = params.get("secret_token")
        return True

    async def _api_deleteWebhook(self, params: dict[str, Any]) -> Any:  # noqa: N802
        self.webhook_url = None
        self.webhook_secret = None
        return True

    async def _api_getWebhookInfo(self, params: dict[str, Any]) -> Any:  # noqa: N802
        return {
            "url": self.webhook_url or "",
            "has_custom_certificate": False,
            "pending_update_count": 0,
        }

    async def _api_sendMessage(self, params: dict[str, Any]) -> Any:  # noqa: N802
        result: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self._chat(int(params["chat_id"])),
            "from": BOT_USER,
            "text": params.get("text", ""),
        }
        if params.get("reply_markup"):
            result["reply_markup"] = params["reply_markup"]
        return result

    async def _api_sendChatAction(self, params: dict[str, Any]) -> Any:  # noqa: N802
        return True

    async def _api_answerCallbackQuery(self, params: dict[str, Any]) -> Any:  # noqa: N802
        return True

    async def _api_setMyCommands(self, params: dict[str, Any]) -> Any:  # noqa: N802
        return True
