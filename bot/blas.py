"""Tell OpenBLAS which CPU it runs on when its own detection would fall back to the slowest code.

numpy 1.23 (the version Rasa 3.6 and TensorFlow 2.12 allow) ships OpenBLAS
0.3.20, whose run-time CPU detection treats an Intel model it does not know as
a Pentium 4 ("Prescott": no AVX at all; OpenMathLib/OpenBLAS#4267, fixed only
in 0.3.25). On this project's Xeon machines that made every matrix product
2.3 times slower, and with it the sentence encoder that the FAQ gate runs on
each FAQ question (bot/nlu/sentence_encoder.py): 26 ms instead of 10.

OpenBLAS reads OPENBLAS_CORETYPE once, when the library loads, so it must be in
the environment before numpy is imported: `patientbot` sets it first thing (and
every server it starts inherits it), the Makefile exports it, and the test
suite's conftest sets it for the servers the tests start. A value already set
is left alone. The core is chosen from the instruction sets the kernel reports
as usable (/proc/cpuinfo), so it is never one the CPU cannot run; anywhere
else (another OS, an ARM machine) nothing is set and OpenBLAS decides.

Run as a script (stdlib only, no venv needed) it prints the core it would choose.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, MutableMapping
from pathlib import Path

ENV_VAR = "OPENBLAS_CORETYPE"
CPUINFO = Path("/proc/cpuinfo")
# Best first: the OpenBLAS x86-64 core whose kernels need exactly these instruction sets.
# Not "Cooperlake": numpy 1.23's OpenBLAS 0.3.20 gets float64 matrix products wrong with
# it (errors of order 100 on a 3000x384 @ 384x21 product, where SkylakeX is exact to
# 1e-13), which silently broke every float64 fit, scikit-learn's included. A CPU with
# avx512_bf16 runs the SkylakeX kernels (tests/bot/test_blas.py checks the products).
_CORES: tuple[tuple[frozenset[str], str], ...] = (
    (frozenset({"avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"}), "SkylakeX"),
    (frozenset({"avx2", "fma"}), "Haswell"),
    (frozenset({"avx"}), "Sandybridge"),
)


def cpu_flags(cpuinfo: Path = CPUINFO) -> frozenset[str]:
    """The instruction sets of the first CPU that the kernel lists, or none where there is no such file."""
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return frozenset()
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name.strip() == "flags":
            return frozenset(value.split())
    return frozenset()


def openblas_core(flags: Iterable[str]) -> str | None:
    """The fastest OpenBLAS core these instruction sets can run, or None for a CPU it has no core for."""
    available = frozenset(flags)
    for needed, core in _CORES:
        if needed <= available:
            return core
    return None


def configure_openblas(environ: MutableMapping[str, str] = os.environ, cpuinfo: Path = CPUINFO) -> str | None:
    """Set OPENBLAS_CORETYPE unless it is set already; the value in force afterwards, if any."""
    if environ.get(ENV_VAR):
        return environ[ENV_VAR]
    core = openblas_core(cpu_flags(cpuinfo))
    if core is not None:
        environ[ENV_VAR] = core
    return core


if __name__ == "__main__":
    print(openblas_core(cpu_flags()) or "")
