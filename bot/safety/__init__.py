"""Patient-safety layer: red-flag emergency detection and the medical-advice guard.

    from bot.safety import get_detector, RedFlag, SafetyCheck, needs_clinician_judgement

    check = get_detector().check(text)
    if check.is_emergency: ...            # check.category, check.flags, check.ignored

The heavy parts (spaCy, medspaCy) load on first use of these names, so
importing bot.safety (or bot.safety.patterns, at pipeline build time) is cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.safety.advice import needs_clinician_judgement
    from bot.safety.detector import RedFlag, RedFlagDetector, SafetyCheck, get_detector

_LAZY = {
    "get_detector": "bot.safety.detector",
    "RedFlag": "bot.safety.detector",
    "RedFlagDetector": "bot.safety.detector",
    "SafetyCheck": "bot.safety.detector",
    "needs_clinician_judgement": "bot.safety.advice",
}

__all__ = ["RedFlag", "RedFlagDetector", "SafetyCheck", "get_detector", "needs_clinician_judgement"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'bot.safety' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
