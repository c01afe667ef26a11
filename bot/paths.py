"""Where things live in a checkout, so that every command finds them from any working directory."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(os.environ.get("PATIENTBOT_ROOT", Path(__file__).resolve().parent.parent))
DATA_DIR = ROOT / "data"
CONTENT_DIR = DATA_DIR / "content"
CLINIC_FILE = DATA_DIR / "clinic.yml"
GENERATED_DIR = DATA_DIR / "generated"
MODELS_DIR = ROOT / "models"
BUILD_DIR = ROOT / "build"
VAR_DIR = ROOT / "var"
NLP_PIPELINE_DIR = BUILD_DIR / "nlp" / "patientbot_en"
EVAL_DIR = ROOT / "eval"
SHARED_EVAL_DIR = Path(os.environ.get("PATIENTBOT_SHARED_EVAL", ROOT.parent / "shared" / "eval"))
