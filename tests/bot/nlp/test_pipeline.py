"""The built spaCy pipeline: saved, reloaded, lemmatized, matched, and refused when stale."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from spacy.language import Language

from bot.cli import main
from bot.nlp.patterns import PatternSyntaxError, compile_pattern, compile_rules, expand_rule
from bot.nlp.pipeline import (
    META_KEY,
    RED_FLAG_SPANS_KEY,
    PipelineNotBuiltError,
    build_pipeline,
    clear_cache,
    ensure_pipeline,
    is_current,
    load_pipeline,
    rules_fingerprint,
)

ROOT = Path(__file__).resolve().parents[3]


def test_build_saves_every_component_and_the_rules_fingerprint(pipeline_dir: Path) -> None:
    meta = json.loads((pipeline_dir / "meta.json").read_text(encoding="utf-8"))
    assert meta["pipeline"] == ["sentencizer", "lemmatizer", "medical_terms", "red_flags"]
    assert meta[META_KEY]["rules_fingerprint"] == rules_fingerprint()
    assert meta[META_KEY]["red_flag_patterns"] > 300
    # the lemma tables travel with the pipeline
    assert (pipeline_dir / "lemmatizer" / "lookups" / "lookups.bin").stat().st_size > 100_000


def test_loaded_pipeline_is_cached(pipeline_dir: Path, nlp: Language) -> None:
    assert load_pipeline(pipeline_dir) is nlp


def test_lemmas_ignore_case(nlp: Language) -> None:
    doc = nlp("She TOOK 25 Pills and was Bleeding, her lips are going blue")
    assert [t.lemma_ for t in doc][:6] == ["she", "take", "25", "pill", "and", "be"]
    assert doc[6].lemma_ == "bleed"
    assert [t.lemma_ for t in doc[-4:]] == ["lip", "be", "go", "blue"]


def test_tokenizer_splits_units_but_not_test_names(nlp: Language) -> None:
    assert [t.text for t in nlp("6wks old, temp 38.5C or 101F")] == [
        "6", "wks", "old", ",", "temp", "38.5", "C", "or", "101", "F",
    ]
    assert [t.text for t in nlp("my a1c and b12")] == ["my", "a1c", "and", "b12"]


def test_medical_terms_are_entities(nlp: Language) -> None:
    doc = nlp("should I stop my Metformin? my blood pressure and potassium are high")
    ents = {(e.text, e.label_) for e in doc.ents}
    assert ("Metformin", "MEDICATION") in ents
    assert ("blood pressure", "LAB_TEST") in ents
    assert ("potassium", "LAB_TEST") in ents


def test_red_flag_rules_match_on_lemmas(nlp: Language) -> None:
    doc = nlp("My dad's face DROOPED and he is slurring")
    spans = {(s.text, s.label_) for s in doc.spans[RED_FLAG_SPANS_KEY]}
    assert ("face DROOPED", "stroke") in spans
    assert ("slurring", "stroke") in spans
    # exclusions are spans of their own, applied by the detector
    doc = nlp("I think I have heat stroke")
    labels = {s.label_ for s in doc.spans[RED_FLAG_SPANS_KEY]}
    assert {"stroke", "NOT:stroke"} <= labels


def test_build_is_idempotent_and_replaces_in_one_step(tmp_path: Path) -> None:
    target = tmp_path / "pipe"
    build_pipeline(target)
    first = (target / "meta.json").read_text(encoding="utf-8")
    build_pipeline(target)
    assert (target / "meta.json").read_text(encoding="utf-8") == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]  # no staging leftovers
    clear_cache()
    doc = load_pipeline(target)("took a whole bottle of tylenol")
    assert [s.label_ for s in doc.spans[RED_FLAG_SPANS_KEY]] == ["overdose_poisoning"] * len(
        doc.spans[RED_FLAG_SPANS_KEY]
    )
    assert len(doc.spans[RED_FLAG_SPANS_KEY]) >= 1


def test_missing_pipeline_says_how_to_build_it(tmp_path: Path) -> None:
    with pytest.raises(PipelineNotBuiltError, match="patientbot nlp build"):
        load_pipeline(tmp_path / "nothing-here")


def test_pipeline_built_from_other_rules_is_refused(pipeline_dir: Path, tmp_path: Path) -> None:
    stale = tmp_path / "stale"
    shutil.copytree(pipeline_dir, stale)
    meta = json.loads((stale / "meta.json").read_text(encoding="utf-8"))
    meta[META_KEY]["rules_fingerprint"] = "0" * 16
    (stale / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    assert is_current(pipeline_dir) and not is_current(stale)
    with pytest.raises(PipelineNotBuiltError, match="other rules"):
        load_pipeline(stale)
    assert ensure_pipeline(stale) == stale  # rebuilt in place
    assert is_current(stale)


def test_loading_needs_no_lookups_package(pipeline_dir: Path) -> None:
    """The lemma tables are read from the saved pipeline, with spacy-lookups-data made unimportable."""
    script = textwrap.dedent(
        """
        import sys

        class Block:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] == "spacy_lookups_data":
                    raise ImportError("blocked")
                return None

        sys.meta_path.insert(0, Block())
        from bot.nlp.pipeline import load_pipeline
        nlp = load_pipeline(sys.argv[1])
        print(" ".join(t.lemma_ for t in nlp("Swallowed pills")))
        import spacy
        blank = spacy.blank("en")
        blank.add_pipe("lemmatizer", config={"mode": "lookup"})
        try:
            blank.initialize()
            print("tables-still-importable")
        except ImportError:
            print("tables-blocked")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(pipeline_dir)],
        capture_output=True, text=True, cwd=ROOT, timeout=300, check=True,
    )
    lines = result.stdout.split()
    assert lines[:2] == ["swallow", "pill"]
    assert lines[-1] == "tables-blocked"  # proves the block worked


def test_cli_builds_into_the_given_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "cli-pipe"
    assert main(["nlp", "build", "--output", str(target)]) == 0
    assert (target / "meta.json").is_file()
    assert str(target) in capsys.readouterr().out


def test_cli_nlp_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["nlp", "build", "--help"])
    assert exit_info.value.code == 0
    assert "--output DIR" in capsys.readouterr().out


# ---------------------------------------------------------------- rule notation


def test_notation_compiles_lemmas_exact_words_macros_and_optional_tokens() -> None:
    pattern = compile_pattern("bleeding =non-stop? _ @NOT", str.upper)
    assert pattern[0] == {"LEMMA": "BLEEDING"}
    assert pattern[1] == {"LOWER": "non-stop", "OP": "?"}
    assert "NOT_IN" in pattern[2]["NORM"]  # the filler never swallows a negation
    assert pattern[3] == {"NORM": {"IN": ["not", "never", "no"]}}


def test_notation_expands_mixed_alternatives() -> None:
    assert expand_rule("my @LAB|result|=bp") == ["my @LAB", "my result", "my =bp"]
    assert len(compile_rules(["my @LAB|result"], str.lower)) == 2


def test_notation_rejects_unknown_macros() -> None:
    with pytest.raises(PatternSyntaxError, match="unknown macro"):
        compile_pattern("@NOPE pain", str.lower)
    with pytest.raises(PatternSyntaxError):
        compile_pattern("_?", str.lower)
