"""PatientBot's own spaCy pipeline: tokenizer, lemmas and medical-term rules, built offline.

Import cost matters (`patientbot --help` must stay instant), so spaCy is only
imported when a pipeline is built or loaded.
"""

from __future__ import annotations

from bot.nlp.pipeline import (
    PipelineNotBuiltError,
    build_pipeline,
    ensure_pipeline,
    is_current,
    load_pipeline,
)

__all__ = ["PipelineNotBuiltError", "build_pipeline", "ensure_pipeline", "is_current", "load_pipeline"]
