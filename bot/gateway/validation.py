"""Checks on what patients and integrations send, with messages a person can act on.

Every channel (REST, web chat over HTTP or WebSocket, Telegram) goes through
these, so "too long", "empty" and "not UTF-8" mean the same thing everywhere.
"""

from __future__ import annotations

import json
import re
from typing import Any, TypeGuard

# C0/C1 control characters other than tab and newline: never meaningful in a chat message.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Any control character, tab and newline included: never part of an id (PostgreSQL
# refuses NUL in text outright, which would be a 500).
_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Largest value of the databases' INTEGER columns: a larger message id is refused here,
# not by the database driver (an overflow there would be a 500).
MAX_ID = 2**31 - 1


class InputError(Exception):
    """Input refused; `status_code` is the HTTP status, `detail` tells the sender what to fix."""

    def __init__(self, status_code: int, detail: str) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail


def is_clean_id(value: Any, max_chars: int) -> TypeGuard[str]:
    """A string id: 1 to `max_chars` characters, not all blank, no control characters."""
    return (
        isinstance(value, str)
        and bool(value.strip())
        and len(value) <= max_chars
        and not _ANY_CONTROL.search(value)
    )


def visible_text(value: str) -> str:
    """`value` as it is stored and shown: no control characters, no surrounding blanks."""
    return _CONTROL.sub("", value.replace("\r\n", "\n")).strip()


def clean_text(value: Any, max_chars: int, field: str = "text") -> str:
    """The message text, stripped of control characters and surrounding blanks, or InputError."""
    if not isinstance(value, str):
        raise InputError(422, f"'{field}' must be a string.")
    text = visible_text(value)
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


def refuse_unknown_fields(data: dict[str, Any], allowed: tuple[str, ...]) -> None:
    """422 for a field the body's schema does not have (a misspelt one would be ignored)."""
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        names = ", ".join(f"'{name}'" for name in allowed)
        raise InputError(422, f"Unknown field '{unknown[0]}': the fields are {names}.")


def _whole_number(value: Any) -> int | None:
    """An int, or a float with no fraction (JSON's 3.0 is the integer 3); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def parse_button(value: Any) -> tuple[int, int]:
    """A quick-reply press: {"message_id": int, "index": int} -> (message_id, index)."""
    if not isinstance(value, dict):
        raise InputError(422, "'button' must be an object with 'message_id' and 'index'.")
    message_id, index = _whole_number(value.get("message_id")), _whole_number(value.get("index"))
    if message_id is None or index is None:
        raise InputError(422, "'button.message_id' and 'button.index' must be integers.")
    if message_id < 1 or index < 0:
        raise InputError(
            422, "'button.message_id' must be positive and 'button.index' not negative."
        )
    if message_id > MAX_ID or index > MAX_ID:
        raise InputError(422, f"'button.message_id' and 'button.index' must be at most {MAX_ID}.")
    return message_id, index
