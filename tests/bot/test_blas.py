"""OpenBLAS is told the CPU's core only when it is not told already, and only a core the CPU can run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bot.blas import ENV_VAR, configure_openblas, cpu_flags, openblas_core

SKYLAKE_FLAGS = "fpu sse sse2 avx avx2 fma avx512f avx512cd avx512bw avx512dq avx512vl"


def _cpuinfo(tmp_path: Path, flags: str) -> Path:
    path = tmp_path / "cpuinfo"
    path.write_text(f"processor\t: 0\nmodel name\t: Xeon\nflags\t\t: {flags}\n\nprocessor\t: 1\nflags\t\t: sse\n")
    return path


def test_the_first_cpus_flags_are_read(tmp_path: Path) -> None:
    assert cpu_flags(_cpuinfo(tmp_path, SKYLAKE_FLAGS)) == frozenset(SKYLAKE_FLAGS.split())
    assert cpu_flags(tmp_path / "missing") == frozenset()


def test_the_fastest_core_the_instruction_sets_allow() -> None:
    assert openblas_core(SKYLAKE_FLAGS.split() + ["avx512_bf16"]) == "SkylakeX"
    assert openblas_core(SKYLAKE_FLAGS.split()) == "SkylakeX"
    # AVX-512 without the byte/word instructions is not enough for SkylakeX's kernels.
    assert openblas_core(["avx", "avx2", "fma", "avx512f"]) == "Haswell"
    assert openblas_core(["sse", "avx"]) == "Sandybridge"
    assert openblas_core(["sse", "sse2"]) is None


def test_a_value_already_set_is_left_alone(tmp_path: Path) -> None:
    environ = {ENV_VAR: "Haswell"}
    assert configure_openblas(environ, _cpuinfo(tmp_path, SKYLAKE_FLAGS)) == "Haswell"
    assert environ == {ENV_VAR: "Haswell"}


def test_nothing_is_set_where_no_core_fits(tmp_path: Path) -> None:
    environ: dict[str, str] = {}
    assert configure_openblas(environ, tmp_path / "missing") is None
    assert configure_openblas(environ, _cpuinfo(tmp_path, "sse sse2")) is None
    assert environ == {}


def test_numpys_openblas_runs_the_chosen_core() -> None:
    environ = {key: value for key, value in os.environ.items() if key != ENV_VAR}
    core = configure_openblas(environ)
    probe = (
        "import json, numpy; from threadpoolctl import threadpool_info; "
        "print(json.dumps([i.get('architecture') for i in threadpool_info() if i['internal_api'] == 'openblas']))"
    )
    result = subprocess.run([sys.executable, "-c", probe], env=environ, capture_output=True, text=True, check=True)
    architectures = json.loads(result.stdout)
    assert architectures, "numpy should load its bundled OpenBLAS"
    if core is None:
        assert ENV_VAR not in environ
    else:
        assert {architecture.lower() for architecture in architectures} == {core.lower()}


def test_matrix_products_are_right_on_the_chosen_core() -> None:
    """float64 and float32 products agree with a plain sum of products (Cooperlake's did not)."""
    import numpy as np

    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((3000, 384)), rng.standard_normal((384, 21))
    reference = np.einsum("ij,jk->ik", a, b)
    assert np.abs(a @ b - reference).max() < 1e-9
    assert np.abs(a.astype(np.float32) @ b.astype(np.float32) - reference).max() < 1e-3
