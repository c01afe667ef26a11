"""Telegram's webhook: ``POST /telegram/webhook``, where Telegram posts each update.

The secret-token header is checked before the body is read (403 otherwise). An
update is then checked for the fields the handlers read (chat ids, texts, button
data) before python-telegram-bot parses it, because PTB's parser raises on wrong
shapes and its handlers run later, where a bad field would only show up as a
failed handler: a malformed or forged update gets a 4xx here and is never queued.
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from bot.gateway.deps import get_gateway

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's updates are a few kilobytes; this bounds what a caller can make us read.
MAX_UPDATE_BYTES = 1_000_000
# Telegram's ids fit in 52 bits; a larger number is no id of theirs (and no database's).
_MAX_ID = 2**63 - 1
_MESSAGE_KEYS = ("message", "edited_message", "channel_post", "edited_channel_post")

router = APIRouter()


class InvalidUpdate(ValueError):
    """The body is JSON but not a Telegram update we can handle; the message says why."""


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) <= _MAX_ID


def _message_problem(message: Any, where: str) -> str | None:
    if not isinstance(message, dict):
        return f"'{where}' must be an object."
    chat = message.get("chat")
    if not isinstance(chat, dict) or not _is_id(chat.get("id")):
        return f"'{where}.chat.id' must be an integer."
    text = message.get("text")
    if text is not None and not isinstance(text, str):
        return f"'{where}.text' must be a string."
    return None


def shape_problem(data: dict[str, Any]) -> str | None:
    """Why `data` is not an update the handlers can read, or None when it is."""
    if not _is_id(data.get("update_id")):
        return "'update_id' must be an integer."
    for key in _MESSAGE_KEYS:
        if data.get(key) is not None:
            problem = _message_problem(data[key], key)
            if problem:
                return problem
    query = data.get("callback_query")
    if query is None:
        return None
    if not isinstance(query, dict):
        return "'callback_query' must be an object."
    if query.get("data") is not None and not isinstance(query["data"], str):
        return "'callback_query.data' must be a string."
    if query.get("message") is not None:
        return _message_problem(query["message"], "callback_query.message")
    return None


async def _read_at_most(request: Request, limit: int) -> bytes | None:
    """The body, or None as soon as it grows past `limit` (the rest is never read)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _detail(text: str, status_code: int) -> JSONResponse:
    return JSONResponse({"detail": text}, status_code=status_code)


@router.post(WEBHOOK_PATH, include_in_schema=False)
async def telegram_webhook(request: Request) -> Response:
    gateway = get_gateway(request.app)
    channel = gateway.telegram
    secret = gateway.settings.telegram_webhook_secret
    if channel is None or channel.mode != "webhook" or secret is None:
        return _detail("Telegram webhook is not enabled.", 404)
    presented = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(presented.encode(), secret.get_secret_value().encode()):
        logger.warning("refused a Telegram update with a wrong secret token")
        return _detail("Forbidden.", 403)
    body = await _read_at_most(request, MAX_UPDATE_BYTES)
    if body is None:
        return _detail(f"Update is too large: the limit is {MAX_UPDATE_BYTES} bytes.", 413)
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return _detail("Update is not JSON.", 400)
    if not isinstance(data, dict):
        return _detail("Update must be a JSON object.", 400)
    try:
        await channel.process_webhook_update(data)
    except InvalidUpdate as exc:
        logger.warning("refused a malformed Telegram update")
        return _detail(str(exc), 400)
    return Response(status_code=200)
