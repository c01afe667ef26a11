"""Where the console reads and writes the vetted content, as dependencies a test can point elsewhere.

Approving a proposal writes into these files, so a test app overrides them
with a temporary copy and never touches the shipped content.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.content.loader import load_clinic
from bot.paths import CLINIC_FILE, CONTENT_DIR


def content_dir_dep() -> Path:
    return CONTENT_DIR


def clinic_file_dep() -> Path:
    return CLINIC_FILE


def clinic_profile(path: Path) -> dict[str, Any]:
    """The clinic profile as plain data ({} when unreadable: redaction then knows no names)."""
    try:
        return load_clinic(path)
    except Exception:  # noqa: BLE001 - a broken profile is reported by `content validate`
        return {}
