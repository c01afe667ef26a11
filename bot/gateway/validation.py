"""Checks on what patients and integrations send, with messages a person can act on.

Every channel (REST, web chat over HTTP or WebSocket, Telegram) goes through
these, so "too long", "empty" and "not UTF-8" mean the same thing everywhere.
"""

from __future__ import annotations

import json
import re
from typing import Any

# C0/C1 control characters other than tab and newline: never meaningful in a chat message.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class InputError(Exception):
    """Input refused; `status_code` is the HTTP status, `detail` tells the sender what to fix."""

    def __init__(self, status_code: int, detail: str) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail


def clean_text(value: Any, max_chars: int, field: str = "text") -> str:
    """The message text, stripped of control characters and surrounding blanks, or InputError."""
    if not isinstance(value, str):
        raise InputError(422, f"'{field}' must be a string.")
    text = _CONTROL.sub("", value.replace("\r\n", "\n")).strip()
    if not text:
        raise InputError(422, "The message is empty: please type some text.")
    if len(text) > max_chars:
        raise InputError(
            413, f"The message is too long: {len(text)} characters; the limit is {max_chars}."
        )
    return text


def decode_utf8(raw: bytes, what: str = "Request body") -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(400, f"{what} is not valid UTF-8 (byte {exc.start}).") from None


def parse_json_object(raw: bytes, max_bytes: int = 64_000) -> dict[str, Any]:
    """A JSON object from a request body: UTF-8, well-formed, an object, not huge."""
    if len(raw) > max_bytes:
        raise InputError(413, f"Request body is too large: the limit is {max_bytes} bytes.")
    text = decode_utf8(raw)
    if not text.strip():
        raise InputError(400, "Request body is empty: send a JSON object.")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            400,
            f"Request body is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.",
        ) from None
    if not isinstance(data, dict):
        raise InputError(422, "Request body must be a JSON object.")
    return data


def parse_button(value: Any) -> tuple[int, int]:
    """A quick-reply press: {"message_id": int, "index": int} -> (message_id, index)."""
    if not isinstance(value, dict):
        raise InputError(422, "'button' must be an object with 'message_id' and 'index'.")
    message_id, index = value.get("message_id"), value.get("index")
    if not (isinstance(message_id, int) and not isinstance(message_id, bool)) or not (
        isinstance(index, int) and not isinstance(index, bool)
    ):
        raise InputError(422, "'button.message_id' and 'button.index' must be integers.")
    if message_id < 1 or index < 0:
        raise InputError(
            422, "'button.message_id' must be positive and 'button.index' not negative."
        )
    return message_id, index
