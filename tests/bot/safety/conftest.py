"""A real pipeline, detector and advice guard per test session, built into a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.nlp.pipeline import build_pipeline, load_pipeline
from bot.safety.advice import AdviceGuard
from bot.safety.detector import RedFlagDetector, get_detector
from bot.safety.net import SafetyNet
from bot.safety.semantic import load_or_fit, training_examples

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


@pytest.fixture(scope="session")
def safety_net(detector: RedFlagDetector, tmp_path_factory: pytest.TempPathFactory) -> SafetyNet:
    """The rules beside a semantic detector fitted afresh on the project's examples."""
    from bot.nlu.embedding_model import shared_encoder

    path = tmp_path_factory.mktemp("semantic") / "semantic_detector.npz"
    semantic = load_or_fit(shared_encoder(), training_examples(), "test-encoder", path)
    return SafetyNet(detector, semantic)
