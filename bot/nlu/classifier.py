"""Run the trained Rasa model in-process over many questions (no server needed)."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from bot.nlu.decision import Decision, decide

logger = logging.getLogger(__name__)


def latest_model(models_dir: Path) -> Path:
    """The newest model archive in a folder, or the file itself."""
    if models_dir.is_file():
        return models_dir
    if models_dir.suffixes[-2:] == [".tar", ".gz"]:
        raise FileNotFoundError(f"no trained model at {models_dir}: run `make setup` or `patientbot train`")
    candidates = sorted(models_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not candidates:
        raise FileNotFoundError(f"no trained model in {models_dir}: run `make setup` or `patientbot train`")
    return candidates[-1]


def _quiet_tensorflow() -> None:
    """Keep Rasa and TensorFlow at WARNING: their DEBUG lines would echo patient text."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    for name in ("rasa", "tensorflow", "absl"):
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        from rasa.utils.log_utils import configure_structlog

        configure_structlog(logging.WARNING)
    except ImportError:  # older Rasa without structlog
        pass


class ModelRunner:
    """A loaded Rasa model that parses text without the HTTP server."""

    def __init__(self, model_path: Path) -> None:
        _quiet_tensorflow()
        from rasa.core.agent import Agent

        self.model_path = model_path
        self._loop = asyncio.new_event_loop()
        self._agent = Agent.load(str(model_path))

    def parse(self, text: str) -> dict[str, Any]:
        return self._loop.run_until_complete(self._agent.parse_message(text))

    def faq_titles(self) -> dict[str, str]:
        """FAQ id -> title, from the model's own responses (what the "did you mean" buttons show)."""
        domain = self._agent.domain
        titles: dict[str, str] = {}
        for name, variants in (domain.responses if domain else {}).items():
            if not name.startswith("utter_faq/"):
                continue
            for variant in variants:
                title = (variant.get("custom") or {}).get("title")
                if isinstance(title, str) and title:
                    titles[name[len("utter_faq/"):]] = title
        return titles

    def close(self) -> None:
        self._loop.close()


class SafetyLayer:
    """The red-flag detector and advice guard, loaded once (optional if not built)."""

    def __init__(self) -> None:
        from bot.safety import needs_clinician_judgement
        from bot.safety.net import get_safety_net

        self._detector = get_safety_net()  # what the gateway checks: rules and semantic detector
        self._needs_clinician = needs_clinician_judgement

    def red_flags(self, text: str) -> tuple[str, ...]:
        check = self._detector.check(text)
        return tuple(sorted({flag.category for flag in check.flags})) if check.is_emergency else ()

    def needs_clinician(self, text: str) -> bool:
        return bool(self._needs_clinician(text))


def classify_texts(
    texts: Iterable[str], runner: ModelRunner, safety: SafetyLayer | None
) -> Iterator[Decision]:
    """One decision per text, in order; empty lines are reported as clarify."""
    titles = runner.faq_titles()
    for text in texts:
        clean = text.strip()
        if not clean:
            yield Decision(text, "clarify", None, "empty", 0.0)
            continue
        parse = runner.parse(clean)
        red_flags = safety.red_flags(clean) if safety else ()
        needs_clinician = safety.needs_clinician(clean) if safety else False
        yield decide(clean, parse, red_flag_categories=red_flags, needs_clinician=needs_clinician, titles=titles)
