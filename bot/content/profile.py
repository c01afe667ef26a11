"""The clinic profile (data/clinic.yml) as the running services read it: built-in texts, retention.

Read once per process and path, and deliberately not validated: the built-in fallback
texts must still reach a patient when the profile is broken or missing
(`patientbot content validate` reports such a file, and `content build` refuses it).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

# What a fallback text says when the profile lacks a field.
TEXT_DEFAULTS = {
    "clinic_name": "the clinic",
    "clinic_phone": "the clinic's phone number",
    "emergency_number": "your local emergency number",
    "crisis_line": "a crisis line",
}


@lru_cache(maxsize=8)
def _read(path: Path) -> dict[str, Any]:
    """The file's mapping; {} when there is no file. Not YAML: yaml.YAMLError (not cached)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError:
        return {}
    return data if isinstance(data, dict) else {}


def profile_value(path: Path, key: str, default: Any = None) -> Any:
    """One field as written (`default` when the file or the field is missing).

    A file that is not YAML raises yaml.YAMLError: a setting read at start-up (the
    retention limit) must stop the service rather than fall back silently.
    """
    return _read(Path(path)).get(key, default)


def text_fields(path: Path) -> dict[str, str]:
    """The profile's text fields, with defaults, for `str.format_map` on a built-in text.

    Never raises: a built-in text must reach the patient even with a broken profile.
    """
    try:
        data = _read(Path(path))
    except yaml.YAMLError:
        data = {}
    return {**TEXT_DEFAULTS, **{k: v for k, v in data.items() if isinstance(v, str)}}
