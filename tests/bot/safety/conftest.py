"""A real pipeline, detector and advice guard per test session, built into a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.nlp.pipeline import build_pipeline, load_pipeline
from bot.safety.advice import AdviceGuard
from bot.safety.detector import RedFlagDetector, get_detector

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "safety"


@pytest.fixture(scope="session")
def pipeline_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_pipeline(tmp_path_factory.mktemp("safety-nlp") / "patientbot_en")


@pytest.fixture(scope="session")
def detector(pipeline_dir: Path) -> RedFlagDetector:
    return get_detector(pipeline_dir)


@pytest.fixture(scope="session")
def advice_guard(pipeline_dir: Path) -> AdviceGuard:
    return AdviceGuard(load_pipeline(pipeline_dir))
