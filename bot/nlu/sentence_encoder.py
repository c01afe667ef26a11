"""Sentence embeddings from all-MiniLM-L6-v2, run with numpy alone.

The model (sentence-transformers/all-MiniLM-L6-v2, Apache-2.0) is trained on a
billion question and paraphrase pairs to put questions that ask the same thing
close together. Its weights come from a registry package (see
bot/nlu/embedding_model.py); PyTorch, a multi-GB framework, is not needed to
run six small BERT layers, so the forward pass is written here in numpy. The
tokenizer is BERT's uncased WordPiece, as the model's tokenizer.json defines
it. tests/bot/nlu/test_sentence_encoder.py checks both against reference
figures computed once with the upstream sentence-transformers library.
"""

from __future__ import annotations

import json
import struct
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy.special import erf
from threadpoolctl import ThreadpoolController

MAX_TOKENS = 256
_MAX_WORD_CHARS = 100
_LAYER_NORM_EPS = 1e-12
_HEADS = 12
_SAFETENSORS_DTYPES = {"F32": "<f4", "I64": "<i8"}


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_chinese(code: int) -> bool:
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2A6DF
        or 0x2A700 <= code <= 0x2B73F
        or 0x2B740 <= code <= 0x2B81F
        or 0x2B820 <= code <= 0x2CEAF
        or 0xF900 <= code <= 0xFAFF
        or 0x2F800 <= code <= 0x2FA1F
    )


def _normalise(text: str) -> str:
    """BERT's normaliser: drop control characters, space out CJK, lowercase, strip accents."""
    out = []
    for char in text:
        code = ord(char)
        if code == 0 or code == 0xFFFD:
            continue
        category = unicodedata.category(char)
        if char in "\t\n\r" or category == "Zs":
            out.append(" ")
        elif category.startswith("C"):
            continue
        elif _is_chinese(code):
            out.append(f" {char} ")
        else:
            out.append(char)
    lowered = "".join(out).lower()
    return "".join(c for c in unicodedata.normalize("NFD", lowered) if unicodedata.category(c) != "Mn")


def _pre_tokenise(text: str) -> list[str]:
    """Split on whitespace, and make every punctuation character a word of its own."""
    words: list[str] = []
    for chunk in text.split():
        current = ""
        for char in chunk:
            if _is_punctuation(char):
                if current:
                    words.append(current)
                    current = ""
                words.append(char)
            else:
                current += char
        if current:
            words.append(current)
    return words


class WordPieceTokenizer:
    """BERT's uncased WordPiece: greedy longest match against the model's vocabulary."""

    def __init__(self, vocab: dict[str, int]) -> None:
        self.vocab = vocab
        self.unknown = vocab["[UNK]"]
        self.cls = vocab["[CLS]"]
        self.sep = vocab["[SEP]"]

    @classmethod
    def from_file(cls, tokenizer_json: Path) -> WordPieceTokenizer:
        data = json.loads(tokenizer_json.read_text(encoding="utf-8"))
        return cls(dict(data["model"]["vocab"]))

    def _word_ids(self, word: str) -> list[int]:
        if len(word) > _MAX_WORD_CHARS:
            return [self.unknown]
        ids: list[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            found = None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    found = self.vocab[piece]
                    break
                end -= 1
            if found is None:
                return [self.unknown]
            ids.append(found)
            start = end
        return ids

    def encode(self, text: str, max_tokens: int = MAX_TOKENS) -> list[int]:
        """[CLS] word pieces [SEP], cut to `max_tokens` in all."""
        ids: list[int] = []
        for word in _pre_tokenise(_normalise(text)):
            ids.extend(self._word_ids(word))
        return [self.cls, *ids[: max_tokens - 2], self.sep]


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """The tensors of a .safetensors file (an 8-byte header size, a JSON header, raw little-endian data)."""
    raw = path.read_bytes()
    (header_size,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + header_size])
    base = 8 + header_size
    tensors = {}
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        dtype = _SAFETENSORS_DTYPES.get(spec["dtype"])
        if dtype is None:
            raise ValueError(f"{path.name}: tensor {name} has unsupported dtype {spec['dtype']}")
        begin, end = spec["data_offsets"]
        tensors[name] = np.frombuffer(raw[base + begin : base + end], dtype=dtype).reshape(spec["shape"])
    return tensors


@lru_cache(maxsize=1)
def _blas_threads() -> ThreadpoolController:
    """Finding the loaded BLAS libraries costs about 1 ms (`threadpool_limits` does it on every call): once."""
    return ThreadpoolController()


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + _LAYER_NORM_EPS) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))


class SentenceEncoder:
    """all-MiniLM-L6-v2: BERT, mean pooling over the tokens, unit length."""

    def __init__(self, tokenizer: WordPieceTokenizer, tensors: dict[str, np.ndarray]) -> None:
        self.tokenizer = tokenizer
        # Copied out of the file's buffer, which is not aligned for BLAS.
        self.w = {name: np.array(t, dtype=np.float32) for name, t in tensors.items() if t.dtype.kind == "f"}
        self.layers = sum(1 for name in self.w if name.endswith("attention.self.query.weight"))

    @classmethod
    def from_directory(cls, directory: Path) -> SentenceEncoder:
        return cls(
            WordPieceTokenizer.from_file(directory / "tokenizer.json"),
            read_safetensors(directory / "model.safetensors"),
        )

    def _linear(self, x: np.ndarray, name: str) -> np.ndarray:
        # weight (out, in) @ tokens (in, n): for a message's few tokens, reading the weights is
        # the cost, and BLAS reads them fastest as the left operand in their stored order.
        weight = self.w[f"{name}.weight"]
        columns = weight @ x.reshape(-1, x.shape[-1]).T
        return (columns.T + self.w[f"{name}.bias"]).reshape(*x.shape[:-1], weight.shape[0])

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        batch, length = ids.shape
        w = self.w
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length][None, :, :]
            + w["embeddings.token_type_embeddings.weight"][0][None, None, :]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        hidden = x.shape[-1]
        head = hidden // _HEADS
        # Padding positions get -inf-like scores so that no token attends to them.
        attention_bias = (1.0 - mask[:, None, None, :]) * -1e9
        for i in range(self.layers):
            p = f"encoder.layer.{i}"

            def heads(t: np.ndarray) -> np.ndarray:
                return t.reshape(batch, length, _HEADS, head).transpose(0, 2, 1, 3)

            q = heads(self._linear(x, f"{p}.attention.self.query"))
            k = heads(self._linear(x, f"{p}.attention.self.key"))
            v = heads(self._linear(x, f"{p}.attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(head) + attention_bias
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, hidden)
            x = _layer_norm(
                x + self._linear(context, f"{p}.attention.output.dense"),
                w[f"{p}.attention.output.LayerNorm.weight"],
                w[f"{p}.attention.output.LayerNorm.bias"],
            )
            inner = _gelu(self._linear(x, f"{p}.intermediate.dense"))
            x = _layer_norm(
                x + self._linear(inner, f"{p}.output.dense"),
                w[f"{p}.output.LayerNorm.weight"],
                w[f"{p}.output.LayerNorm.bias"],
            )
        return x

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """One unit-length 384-dimensional row per text."""
        # One BLAS thread: at a message's size a second one only spins, burning the other core
        # that the Rasa servers and the gateway share.
        with _blas_threads().limit(limits=1, user_api="blas"):
            return self._encode(texts, batch_size)

    def _encode(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        rows = []
        for start in range(0, len(texts), batch_size):
            encoded = [self.tokenizer.encode(t) for t in texts[start : start + batch_size]]
            length = max(len(ids) for ids in encoded)
            ids = np.zeros((len(encoded), length), dtype=np.int64)
            mask = np.zeros((len(encoded), length), dtype=np.float32)
            for row, token_ids in enumerate(encoded):
                ids[row, : len(token_ids)] = token_ids
                mask[row, : len(token_ids)] = 1.0
            tokens = self._forward(ids, mask)
            pooled = (tokens * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
            rows.append(pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12))
        if not rows:
            return np.zeros((0, 384), dtype=np.float32)
        return np.vstack(rows).astype(np.float32)
