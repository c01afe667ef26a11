"""One evaluation run: every system on one dataset, the figures side by side."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.evaluation.datasets import load_dataset
from bot.evaluation.metrics import summarise
from bot.evaluation.report import markdown, plot
from bot.evaluation.systems import (
    STOCK_FALLBACK_THRESHOLD,
    TFIDF_SHIPPED_THRESHOLD,
    TfidfBaseline,
    patientbot_predictions,
    stock_predictions,
)
from bot.nlu.classifier import ModelRunner, SafetyLayer

# patientbot_before: the FAQ gate before issue 17 (eval/configs/gate_before_17.yml), for comparison.
SYSTEMS = ("patientbot", "patientbot_before", "rasa_default", "tfidf")


def evaluate(
    dataset: str,
    *,
    patientbot_model: Path,
    stock_model: Path | None,
    systems: tuple[str, ...] = SYSTEMS,
    patientbot_threshold: float | None = None,
    runners: dict[str, ModelRunner] | None = None,
    before_model: Path | None = None,
) -> dict[str, Any]:
    items = load_dataset(dataset)
    runners = runners if runners is not None else {}
    figures: dict[str, Any] = {}
    if "patientbot" in systems:
        runner = runners.get("patientbot") or ModelRunner(patientbot_model)
        runners["patientbot"] = runner
        predictions = patientbot_predictions(items, runner, SafetyLayer())
        figures["patientbot"] = summarise(items, predictions) | {"threshold": patientbot_threshold}
    if "patientbot_before" in systems and before_model is not None:
        runner = runners.get("patientbot_before") or ModelRunner(before_model)
        runners["patientbot_before"] = runner
        figures["patientbot_before"] = summarise(items, patientbot_predictions(items, runner, SafetyLayer()))
    if "rasa_default" in systems and stock_model is not None:
        runner = runners.get("rasa_default") or ModelRunner(stock_model)
        runners["rasa_default"] = runner
        figures["rasa_default"] = summarise(items, stock_predictions(items, runner)) | {
            "threshold": STOCK_FALLBACK_THRESHOLD
        }
    if "tfidf" in systems:
        figures["tfidf"] = summarise(items, TfidfBaseline().predict(items)) | {"threshold": TFIDF_SHIPPED_THRESHOLD}
    return {"dataset": dataset, "n_questions": len(items), "systems": figures}


def write_report(result: dict[str, Any], out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    md_path = out_dir / f"{result['dataset']}.md"
    png_path = out_dir / f"{result['dataset']}_precision_coverage.png"
    plot(result, png_path)
    md_path.write_text(markdown(result) + f"\n![precision against coverage]({png_path.name})\n", encoding="utf-8")
    return md_path, png_path


def compact(result: dict[str, Any]) -> dict[str, Any]:
    """The one-line JSON the issue specifies (no curves or confusions)."""
    keys = ("accuracy_in_scope", "coverage", "precision_answered", "oos_wrong_rate",
            "coverage_at_precision_95", "one_tap_rate", "urgent_tier_rate", "suggest_rate_out_of_scope", "n_in_scope",
            "n_out_of_scope")
    return {
        "dataset": result["dataset"],
        "systems": {name: {k: f[k] for k in keys} for name, f in result["systems"].items()},
    }
