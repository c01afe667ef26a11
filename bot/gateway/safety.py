"""The gateway's view of the red-flag detector (bot.safety), checked before Rasa on every message.

The detector is owned by the safety module; this adapter only turns its result
into JSON-able data we can store and show a clinician, and keeps a detector
crash from silencing the patient (the message is still routed, and the error
logged loudly).
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.safety.language import guess_language

logger = logging.getLogger(__name__)


class Detector(Protocol):
    def check(self, text: str) -> Any: ...


@dataclass(frozen=True)
class SafetyVerdict:
    is_emergency: bool
    category: str | None = None
    flags: list[Any] = field(default_factory=list)
    language: str = "en"  # of the message, for the emergency guidance (bot.safety.language)
    # Signs of urgency (bot.safety.urgency): if the bot cannot understand the message,
    # it is not asked to rephrase but treated as possibly urgent.
    urgency: tuple[str, ...] = ()

    @property
    def possibly_urgent(self) -> bool:
        return not self.is_emergency and bool(self.urgency)


NOT_EMERGENCY = SafetyVerdict(is_emergency=False)


def _jsonable(flag: Any) -> Any:
    if isinstance(flag, (str, int, float, bool, dict)) or flag is None:
        return flag
    if dataclasses.is_dataclass(flag) and not isinstance(flag, type):
        return {k: _jsonable(v) for k, v in dataclasses.asdict(flag).items()}
    if isinstance(flag, (list, tuple)):
        return [_jsonable(item) for item in flag]
    return str(flag)


def load_detector() -> Detector:
    """bot.safety's safety net (rules and semantic detector), loaded and warmed at start-up.

    It fails closed: if the spaCy pipeline or the sentence encoder is missing the
    gateway does not start (the error says to run `make setup`), because a health
    bot that cannot see red flags must not talk to patients.
    """
    from bot.safety.net import get_safety_net

    detector = get_safety_net()
    detector.check("warm-up")
    return detector


class SafetyCheck:
    """Runs the detector on patient text; never raises."""

    def __init__(self, detector: Detector | None) -> None:
        self.detector = detector

    @property
    def available(self) -> bool:
        return self.detector is not None

    def check(self, text: str) -> SafetyVerdict:
        if self.detector is None or not text.strip():
            return NOT_EMERGENCY
        try:
            result = self.detector.check(text)
        except Exception as exc:  # noqa: BLE001 - a detector bug must not drop the message
            # The type only: the exception's message could quote the patient's text.
            logger.error(
                "red-flag detector failed (%s); message routed without a verdict",
                type(exc).__name__,
            )
            return NOT_EMERGENCY
        flags = [_jsonable(flag) for flag in (getattr(result, "flags", None) or [])]
        is_emergency = bool(getattr(result, "is_emergency", False))
        return SafetyVerdict(
            is_emergency=is_emergency,
            category=getattr(result, "category", None),
            flags=flags,
            language=guess_language(text) if is_emergency else "en",
            urgency=tuple(getattr(result, "urgency", None) or ()),
        )
