"""JSON schemas of the message bodies the REST API and the web chat read by hand.

They mirror bot.gateway.validation and the channels' own checks, so that a body
valid by the schema is accepted and one that is not is refused: the fuzz tests
(tests/bot/fuzz) hold the two to that. Written as plain JSON Schema because a
pydantic 1 model cannot say "text or a button, not both" nor "some visible
character".
"""

from __future__ import annotations

from bot.apidoc import JsonSchema
from bot.gateway.validation import MAX_ID

# The default of settings.max_message_chars: what the document promises.
MAX_TEXT_CHARS = 2000
MAX_EXTERNAL_ID_CHARS = 128

# At least one character that is neither blank nor a control character (which
# clean_text removes).
_VISIBLE = r"[^\s\x00-\x1f\x7f-\x9f]"
# No control character at all, and one visible (bot.gateway.validation.is_clean_id).
_CLEAN_ID = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"

TEXT: JsonSchema = {
    "type": "string",
    "minLength": 1,
    "maxLength": MAX_TEXT_CHARS,
    "pattern": _VISIBLE,
    "description": (
        "What the patient typed: 1 to 2,000 characters once control characters and "
        "surrounding blanks are removed (413 above the limit)."
    ),
}

BUTTON_REF: JsonSchema = {
    "title": "ButtonRef",
    "type": "object",
    "properties": {
        "message_id": {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_ID,
            "description": "Id of the message that offered the quick replies.",
        },
        "index": {
            "type": "integer",
            "minimum": 0,
            "maximum": MAX_ID,
            "description": "Position of the pressed button in that message.",
        },
    },
    "required": ["message_id", "index"],
}


def _either(common: JsonSchema, text_extra: JsonSchema, button_extra: JsonSchema) -> list[JsonSchema]:
    """Two shapes: typed text, or a pressed quick reply; nothing else alongside."""
    return [
        {
            "title": "Typed text",
            "type": "object",
            "properties": {**common, "text": TEXT, **text_extra},
            "required": ["text"],
            "additionalProperties": False,
        },
        {
            "title": "Pressed quick reply",
            "type": "object",
            "properties": {**common, "button": BUTTON_REF, **button_extra},
            "required": ["button"],
            "additionalProperties": False,
        },
    ]


_REST_COMMON: JsonSchema = {
    "channel": {
        "type": "string",
        "enum": ["rest", "telegram"],
        "default": "rest",
        "description": (
            "The patient's channel: 'rest' for your own front end, 'telegram' to act for a "
            "Telegram chat."
        ),
    },
    "external_id": {
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_EXTERNAL_ID_CHARS,
        "pattern": _CLEAN_ID,
        "description": (
            "Your id for the patient on that channel: 1 to 128 characters, no control characters."
        ),
    },
}

_NULL: JsonSchema = {"type": "null"}

REST_MESSAGE: JsonSchema = {
    "title": "PostMessage",
    "description": "A patient's message: typed `text`, or the quick reply they pressed.",
    "oneOf": [
        {**shape, "required": ["external_id", *shape["required"]]}
        for shape in _either(_REST_COMMON, {"button": _NULL}, {"text": _NULL})
    ],
}

WEBCHAT_MESSAGE: JsonSchema = {
    "title": "WebChatMessage",
    "description": "What the patient typed, or the quick reply they pressed.",
    "oneOf": _either(
        {},
        {"type": {"type": "string", "enum": ["message"]}},
        {"type": {"type": "string", "enum": ["button"]}},
    ),
}
