"""The red-flag detector the routing tests use.

The gateway calls `bot.safety.get_detector().check(text)` and reads
`.is_emergency`, `.category` and `.flags`. When bot.safety is installed the tests
use it; until then this small phrase detector with the same interface lets the
gateway's emergency path (vetted text at once, emergency handoff) be tested.
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


class PhraseDetector:
    PHRASES = {"crushing chest pain": "heart_attack", "want to end it all": "suicide_self_harm"}

    def check(self, text: str) -> Verdict:
        lowered = text.lower()
        for phrase, category in self.PHRASES.items():
            if phrase in lowered:
                return Verdict(True, category, [{"category": category, "phrase": phrase}])
        return Verdict(False)


def emergency_detector() -> Any:
    """bot.safety's detector when it exists, else the phrase detector above."""
    try:
        from bot.safety import get_detector
    except ImportError:
        return PhraseDetector()
    return get_detector()
