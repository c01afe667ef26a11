"""`patientbot eval` runs every system side by side and ends with the agreed JSON line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.paths import ROOT
from bot.training import STOCK_CONFIG_FILE, ensure_model

BIN = Path(sys.executable).parent
FIGURES = {
    "accuracy_in_scope",
    "coverage",
    "precision_answered",
    "oos_wrong_rate",
    "coverage_at_precision_95",
    "one_tap_rate",
    "urgent_tier_rate",
    "suggest_rate_out_of_scope",
    "n_in_scope",
    "n_out_of_scope",
}


@pytest.fixture(scope="session")
def small_stock_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Stock Rasa's config with few epochs: the test checks the machinery, `make eval` the figures."""
    folder = tmp_path_factory.mktemp("stock")
    config = yaml.safe_load(STOCK_CONFIG_FILE.read_text())
    for part in config["pipeline"] + config["policies"]:
        if "epochs" in part:
            part["epochs"] = 2
    small = folder / "stock_small.yml"
    small.write_text(yaml.safe_dump(config))
    return ensure_model("stock_small", small, folder)


def test_eval_reports_every_system_side_by_side(
    model_path: Path, small_stock_model: Path, tmp_path: Path
) -> None:
    result = subprocess.run(
        [
            str(BIN / "patientbot"),
            "eval",
            "--dataset",
            "liveqa_medical",
            "--json",
            "--model",
            str(model_path),
            "--stock-model",
            str(small_stock_model),
            # The machinery of the side-by-side, not the old gate's figures: no second training.
            "--before-model",
            str(model_path),
            "--report-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    last = json.loads(result.stdout.strip().splitlines()[-1])
    assert last["dataset"] == "liveqa_medical"
    assert set(last["systems"]) == {"patientbot", "patientbot_before", "rasa_default", "tfidf"}
    for figures in last["systems"].values():
        assert set(figures) == FIGURES
        assert figures["n_in_scope"] + figures["n_out_of_scope"] == 104
        for key in (
            "accuracy_in_scope",
            "coverage",
            "precision_answered",
            "oos_wrong_rate",
            "coverage_at_precision_95",
            "one_tap_rate",
            "urgent_tier_rate",
            "suggest_rate_out_of_scope",
        ):
            assert 0.0 <= figures[key] <= 1.0
    report = (tmp_path / "liveqa_medical.md").read_text()
    assert "Stock Rasa 3.6" in report and "TF-IDF" in report and "TREC 2017" in report
    assert "before issue 17" in report and "One tap" in report
    png = tmp_path / "liveqa_medical_precision_coverage.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_eval_rejects_unknown_system(model_path: Path) -> None:
    result = subprocess.run(
        [
            str(BIN / "patientbot"),
            "eval",
            "--systems",
            "patientbot,gpt",
            "--model",
            str(model_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 2 and "unknown systems ['gpt']" in result.stderr
