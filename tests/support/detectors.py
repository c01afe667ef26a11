"""The safety checks the gateway's tests use.

The gateway calls its detector's `check(text)` and reads `.is_emergency`,
`.category`, `.flags` and `.urgency`: the tests use the real safety net
(bot.safety.net), and `UrgencyWords` where a test needs one sign on cue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

EMERGENCY_TEXT = "I have crushing chest pain right now and can't breathe"


@dataclass(frozen=True)
class Verdict:
    is_emergency: bool
    category: str | None = None
    flags: list[dict[str, Any]] = field(default_factory=list)
    urgency: tuple[str, ...] = ()


class UrgencyWords:
    """Reports a fixed urgency sign for messages containing a word, and nothing else.

    For routing tests of the possibly-urgent tier, which must not depend on where
    the real detectors draw their lines (tests/bot/safety measures those).
    """

    def __init__(self, word: str, sign: str = "time_danger") -> None:
        self.word = word
        self.sign = sign

    def check(self, text: str) -> Verdict:
        return Verdict(False, urgency=(self.sign,) if self.word in text.lower() else ())


def emergency_detector() -> Any:
    """bot.safety's safety net (rules and semantic detector) as the gateway loads it."""
    from bot.safety.net import get_safety_net

    return get_safety_net()
