"""One real pipeline per test session, built into a temporary folder (never into build/)."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language

from bot.nlp.pipeline import build_pipeline, load_pipeline


@pytest.fixture(scope="session")
def pipeline_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_pipeline(tmp_path_factory.mktemp("nlp") / "patientbot_en")


@pytest.fixture(scope="session")
def nlp(pipeline_dir: Path) -> Language:
    return load_pipeline(pipeline_dir)
