"""Train a Rasa model only when its inputs changed, and say where it is.

The fingerprint covers the config, the domain and every file Rasa trains on,
so `make setup` is a no-op when nothing changed and retrains after any edit
to config, dialogue data or an FAQ. The content sources (data/content/ and
data/clinic.yml) reach the model only through what `patientbot content build`
generates from them (data/generated/), so they are left out: editing emergency
guidance or a system message, which the gateway serves and the model never
sees, does not cost a retraining (minutes of CPU); editing an FAQ or the clinic's
phone number changes the generated answers and does. It also covers the source of
the project's own Rasa components (bot/nlu/), whose training code decides what a
model holds. It is taken before training starts, so an edit made while a model
trains leaves that model stale instead of passing for trained on it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
from pathlib import Path

from bot.paths import DATA_DIR, MODELS_DIR, ROOT

logger = logging.getLogger(__name__)
DOMAIN_FILE = ROOT / "domain.yml"
CONFIG_FILE = ROOT / "config.yml"
STOCK_CONFIG_FILE = ROOT / "eval" / "stock_config.yml"
GATE_BEFORE_CONFIG_FILE = ROOT / "eval" / "configs" / "gate_before_17.yml"
COMPONENTS_DIR = ROOT / "bot" / "nlu"


def training_files(data_dir: Path = DATA_DIR) -> list[Path]:
    """The YAML files under data/ that Rasa trains on: all but the content sources."""
    sources = (data_dir / "content", data_dir / "clinic.yml")
    return sorted(
        path
        for path in data_dir.rglob("*")
        if path.suffix in (".yml", ".yaml")
        and not any(path == source or source in path.parents for source in sources)
    )


def fingerprint(
    config: Path, domain: Path = DOMAIN_FILE, data_dir: Path = DATA_DIR, components_dir: Path = COMPONENTS_DIR
) -> str:
    """A hash of everything a model is built from: config, domain, training data, component code."""
    digest = hashlib.sha256()
    files = [config, domain, *training_files(data_dir), *sorted(components_dir.glob("*.py"))]
    for path in files:
        digest.update(str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def model_path(name: str, out_dir: Path = MODELS_DIR) -> Path:
    return out_dir / f"{name}.tar.gz"


def is_stale(name: str, config: Path, out_dir: Path = MODELS_DIR, data_dir: Path = DATA_DIR) -> bool:
    stamp = out_dir / f"{name}.fingerprint"
    return not (
        model_path(name, out_dir).exists()
        and stamp.exists()
        and stamp.read_text().strip() == fingerprint(config, data_dir=data_dir)
    )


def ensure_model(
    name: str = "patientbot",
    config: Path = CONFIG_FILE,
    out_dir: Path = MODELS_DIR,
    *,
    force: bool = False,
    data_dir: Path = DATA_DIR,
) -> Path:
    """Train `name` with `config` unless an up-to-date model is already there."""
    target = model_path(name, out_dir)
    if not force and not is_stale(name, config, out_dir, data_dir):
        logger.info("model %s is up to date", target)
        return target
    out_dir.mkdir(parents=True, exist_ok=True)
    trained_on = fingerprint(config, data_dir=data_dir)
    print_fn = sys.stderr.write
    print_fn(f"training {name} with {config.relative_to(ROOT) if config.is_relative_to(ROOT) else config} ...\n")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONWARNINGS="ignore")
    command = [
        str(Path(sys.executable).with_name("rasa")),
        "train",
        "--config", str(config),
        "--domain", str(DOMAIN_FILE),
        "--data", str(data_dir),
        "--out", str(out_dir),
        "--fixed-model-name", name,
        "--force",
    ]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0 or not target.exists():
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise RuntimeError(f"rasa train failed for {name} (exit {result.returncode})")
    (out_dir / f"{name}.fingerprint").write_text(trained_on + "\n")
    return target
