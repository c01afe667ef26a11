"""Build and load PatientBot's spaCy pipeline.

Why a built pipeline: the lemma tables come from spacy-lookups-data, which is
only needed at build time; the saved pipeline carries its own copy, so a
server loads it with no download and no lookups package. Red-flag rules are
compiled into the same pipeline, and a fingerprint of the rule sources is
saved with it, so a pipeline built from older rules is refused at load time
instead of silently missing an emergency.

Components, in order:
    tokenizer        spaCy English, plus splitting units off numbers ("6wks")
    sentencizer      sentence boundaries (ConText scopes modifiers to a sentence)
    lemmatizer       case-insensitive lookup lemmatizer (bot.nlp.components)
    medical_terms    entity ruler: MEDICATION, LAB_TEST, SYMPTOM, CONDITION, BODY_PART
    red_flags        span ruler writing doc.spans["red_flags"] (bot.safety.patterns)
"""

from __future__ import annotations

import functools
import json
import logging
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, cast

from bot import paths

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.pipeline import EntityRuler, Lemmatizer, SpanRuler
    from spacy.tokens import Doc

logger = logging.getLogger(__name__)

PIPELINE_NAME = "patientbot_en"
PIPELINE_VERSION = "1.0.0"
RED_FLAG_SPANS_KEY = "red_flags"
RED_FLAG_PIPE = "red_flags"
MEDICAL_TERMS_PIPE = "medical_terms"
META_KEY = "patientbot"
BUILD_HINT = "run `patientbot nlp build` or `make setup`"


class PipelineNotBuiltError(RuntimeError):
    """The pipeline directory is missing, broken, or built from other rules than the code's."""


def rules_fingerprint() -> str:
    """Fingerprint of everything compiled into the pipeline; changes whenever a rule does."""
    from bot.nlp.patterns import fingerprint
    from bot.nlp.terms import term_phrases
    from bot.nlp.tokenizer import UNIT_SUFFIX
    from bot.safety.patterns import ruler_patterns

    return fingerprint(PIPELINE_VERSION, UNIT_SUFFIX, term_phrases(), ruler_patterns())


def lemma_function(nlp: Language):
    """The lemma of a single rule word, exactly as the pipeline will lemmatize it in a message."""
    table = cast("Lemmatizer", nlp.get_pipe("lemmatizer")).lookups.get_table("lemma_lookup")

    def lemma(word: str) -> str:
        lower = word.lower()
        result = table.get(lower, lower)
        return (result if isinstance(result, str) else result[0]).lower()

    return lemma


def _term_patterns(nlp: Language) -> list[dict]:
    from bot.nlp.terms import term_phrases

    patterns = []
    for label, phrases in term_phrases().items():
        for phrase in phrases:
            doc = nlp(phrase)
            patterns.append({"label": label, "pattern": [{"LEMMA": t.lemma_} for t in doc]})
    return patterns


def _red_flag_patterns(nlp: Language) -> list[dict]:
    from bot.nlp.patterns import compile_rules
    from bot.safety.patterns import ruler_patterns

    lemma = lemma_function(nlp)
    patterns = []
    for label, rules in ruler_patterns().items():
        for pattern in compile_rules(rules, lemma):
            patterns.append({"label": label, "pattern": pattern})
    return patterns


def create_pipeline() -> Language:
    """Assemble the pipeline in memory (tables loaded from spacy-lookups-data)."""
    import spacy

    import bot.nlp.components  # noqa: F401  (registers the lemmatizer factory)
    from bot.nlp.tokenizer import customize_tokenizer

    nlp = spacy.blank("en")
    customize_tokenizer(nlp)
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("patientbot_lemmatizer", name="lemmatizer")
    nlp.initialize()  # loads the lemma tables: the only step that needs spacy-lookups-data

    # Patterns are compiled with the lemmatizer in place and the rulers not yet added.
    term_patterns = _term_patterns(nlp)
    red_flag_patterns = _red_flag_patterns(nlp)

    terms = cast(
        "EntityRuler",
        nlp.add_pipe("entity_ruler", name=MEDICAL_TERMS_PIPE, config={"validate": True}),
    )
    terms.add_patterns(term_patterns)
    flags = cast(
        "SpanRuler",
        nlp.add_pipe(
            "span_ruler",
            name=RED_FLAG_PIPE,
            config={"spans_key": RED_FLAG_SPANS_KEY, "validate": True},
        ),
    )
    flags.add_patterns(red_flag_patterns)

    nlp.meta["name"] = PIPELINE_NAME
    nlp.meta["version"] = PIPELINE_VERSION
    nlp.meta["description"] = "PatientBot tokenizer, lemmas, medical terms and red-flag phrases"
    nlp.meta[META_KEY] = {
        "rules_fingerprint": rules_fingerprint(),
        "red_flag_patterns": len(red_flag_patterns),
        "term_patterns": len(term_patterns),
    }
    return nlp


def build_pipeline(output_dir: Path = paths.NLP_PIPELINE_DIR) -> Path:
    """Build the pipeline and save it to `output_dir`, replacing any previous build.

    Idempotent: the same rules give the same pipeline. The new build is written
    next to the target and swapped in, so a crash never leaves half a pipeline.
    """
    output_dir = Path(output_dir)
    nlp = create_pipeline()
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output_dir.name}-", dir=output_dir.parent))
    try:
        nlp.to_disk(staging)
        if output_dir.exists():
            old = output_dir.with_name(f".{output_dir.name}-old")
            shutil.rmtree(old, ignore_errors=True)
            output_dir.rename(old)
            staging.rename(output_dir)
            shutil.rmtree(old, ignore_errors=True)
        else:
            staging.rename(output_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    clear_cache()
    meta = nlp.meta[META_KEY]
    logger.info(
        "Built NLP pipeline at %s (%d red-flag patterns, %d term patterns)",
        output_dir,
        meta["red_flag_patterns"],
        meta["term_patterns"],
    )
    return output_dir


@functools.lru_cache(maxsize=4)
def _load(path: Path) -> Language:
    import spacy

    import bot.nlp.components  # noqa: F401  (registers the lemmatizer factory)

    meta_file = path / "meta.json"
    if not meta_file.is_file():
        raise PipelineNotBuiltError(f"No NLP pipeline at {path}: {BUILD_HINT}.")
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PipelineNotBuiltError(f"Unreadable NLP pipeline at {path} ({exc}): {BUILD_HINT}.") from exc
    built = (meta.get(META_KEY) or {}).get("rules_fingerprint")
    if built != rules_fingerprint():
        raise PipelineNotBuiltError(
            f"The NLP pipeline at {path} was built from other rules than this code's: "
            "run `patientbot nlp build` to rebuild it."
        )
    try:
        return spacy.load(path)
    except (OSError, ValueError) as exc:
        raise PipelineNotBuiltError(f"Cannot load the NLP pipeline at {path} ({exc}): {BUILD_HINT}.") from exc


def load_pipeline(path: Path = paths.NLP_PIPELINE_DIR) -> Language:
    """Load the built pipeline once per process and path.

    Raises PipelineNotBuiltError, whose message says how to build it, when the
    directory is missing or was built from other rules.
    """
    return _load(Path(path).resolve())


def pipeline_without(nlp: Language, *skipped: str) -> Callable[[str], Doc]:
    """The pipeline with the named components left out, as a text -> Doc function."""
    steps = [nlp.get_pipe(name) for name in nlp.pipe_names if name not in skipped]

    def run(text: str) -> Doc:
        doc = nlp.make_doc(text)
        for step in steps:
            doc = step(doc)
        return doc

    return run


def without_red_flags(nlp: Language) -> Callable[[str], Doc]:
    """The pipeline up to the medical terms, skipping the red-flag ruler.

    For callers that read lemmas and term entities only (the advice guard, which runs
    inside every Rasa parse): the red-flag ruler is about 85% of a full pass (1.1 of
    1.3 ms per message on the benchmark's questions), and its spans would go unused.
    """
    return pipeline_without(nlp, RED_FLAG_PIPE)


def is_current(path: Path = paths.NLP_PIPELINE_DIR) -> bool:
    """Whether `path` holds a pipeline built from the rules in this code (cheap: reads meta.json)."""
    try:
        meta = json.loads((Path(path) / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (meta.get(META_KEY) or {}).get("rules_fingerprint") == rules_fingerprint()


def ensure_pipeline(path: Path = paths.NLP_PIPELINE_DIR) -> Path:
    """Build the pipeline unless an up-to-date one is already there (for `patientbot setup`)."""
    return Path(path) if is_current(path) else build_pipeline(path)


def clear_cache() -> None:
    """Forget loaded pipelines (after a rebuild, or in tests)."""
    _load.cache_clear()
