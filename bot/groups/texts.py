"""What the bot says in a group and to its moderators.

Members get vetted content only (data/content/system/group_*.yml, FAQ answers,
emergency guidance), with a short fixed fallback built from the clinic profile
if the content cannot be served, as the gateway does for its own messages. A
moderator's alert names the group, the kind of red flag and where to look,
never the member's words: Telegram is a third party, and the words are in the
console for those allowed to see them.
"""

from __future__ import annotations

import logging

from bot.content.profile import text_fields
from bot.paths import CLINIC_FILE

logger = logging.getLogger(__name__)

# The member's way to the clinic in private: the bot's own chat, opened by this payload.
DEEP_LINK_PAYLOAD = "from_group"
_FALLBACKS = {
    "group_welcome": (
        "Welcome! I'm the {clinic_name} assistant, not a doctor. Please do not share personal health "
        "details here. This group is not for emergencies: call {emergency_number}. To reach the clinic "
        "privately, call {clinic_phone} or start a private chat with me."
    ),
    "group_private_offer": (
        "That sounds like a question about your own health: please ask it in a private chat with me, "
        "or call {clinic_name} on {clinic_phone}. If it is urgent, call {emergency_number}."
    ),
    "group_not_answered": (
        "Sorry, I don't have a checked answer for that. Start a private chat with me to talk to our team. "
        "In an emergency call {emergency_number}."
    ),
    "group_myth_note": "A friendly note, as this comes up often. Here is what our clinicians have checked:",
}


def deep_link(bot_username: str) -> str:
    """t.me link that opens a private chat with the bot and sends /start (no member data in it)."""
    return f"https://t.me/{bot_username}?start={DEEP_LINK_PAYLOAD}"


def group_text(message_id: str) -> str:
    """A vetted group message, or its built-in fallback (logged) when content cannot serve it."""
    try:
        from bot.content.store import get_content_store

        return get_content_store().system(message_id).text
    except Exception:  # noqa: BLE001 - a member must never be met with silence
        logger.exception("group message %r not served from content; using built-in text", message_id)
        return _FALLBACKS[message_id].format_map(text_fields(CLINIC_FILE))


def with_private_link(text: str, bot_username: str) -> str:
    return f"{text}\n\nPrivate chat: {deep_link(bot_username)}"


def myth_reply(answer_text: str) -> str:
    """The polite note, then the vetted myth answer with its sources."""
    return f"{group_text('group_myth_note')}\n\n{answer_text}"


def message_link(telegram_chat_id: str, message_id: int | None) -> str | None:
    """Link to a message for members of a supergroup (t.me/c/...); basic groups have none."""
    if message_id is None or not telegram_chat_id.startswith("-100"):
        return None
    return f"https://t.me/c/{telegram_chat_id[4:]}/{message_id}"


def moderator_alert(*, group_title: str, category_label: str, console_link: str, message_link: str | None) -> str:
    """The alert to a group's on-duty moderators: what and where, never the member's words."""
    lines = [
        f"PatientBot: possible emergency in the group \u201c{group_title}\u201d ({category_label}).",
        "The emergency guidance was posted in the group.",
        f"Open the console: {console_link}",
    ]
    if message_link:
        lines.append(f"The message in the group: {message_link}")
    return "\n".join(lines)


def setup_note(clinic_name: str) -> str:
    """Posted once when the bot joins a group in which it cannot read every message."""
    return (
        f"Hello, I'm the {clinic_name} assistant. To spot emergencies and health myths I need to read every "
        "message here: please make me an administrator of this group (I need no other rights). Until the "
        "clinic links this group to its moderators, I only respond to emergencies."
    )
