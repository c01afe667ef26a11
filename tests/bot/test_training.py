"""bot.training: retrain only when something the model is built from changed."""

from __future__ import annotations

from pathlib import Path

from bot.training import fingerprint, training_files


def _project(tmp_path: Path) -> tuple[Path, Path, Path]:
    data = tmp_path / "data"
    for relative, text in {
        "nlu/conversation.yml": "nlu: []\n",
        "generated/faq.yml": "responses: {}\n",
        "rules.yml": "rules: []\n",
        "clinic.yml": "clinic_phone: '+1 555 0100'\n",
        "content/emergency/stroke.yml": "id: stroke\n",
    }.items():
        path = data / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    config, domain = tmp_path / "config.yml", tmp_path / "domain.yml"
    config.write_text("pipeline: []\n", encoding="utf-8")
    domain.write_text("intents: []\n", encoding="utf-8")
    return data, config, domain


def test_content_sources_are_not_training_files(tmp_path: Path) -> None:
    data, _config, _domain = _project(tmp_path)
    assert [p.relative_to(data).as_posix() for p in training_files(data)] == [
        "generated/faq.yml",
        "nlu/conversation.yml",
        "rules.yml",
    ]


def test_editing_served_only_content_keeps_the_model_and_generated_data_retrains(
    tmp_path: Path,
) -> None:
    data, config, domain = _project(tmp_path)
    before = fingerprint(config, domain, data)

    (data / "content/emergency/stroke.yml").write_text("id: stroke\ntitle: new\n", encoding="utf-8")
    (data / "clinic.yml").write_text("clinic_phone: '+1 555 0199'\n", encoding="utf-8")
    assert fingerprint(config, domain, data) == before

    # What `patientbot content build` writes from an edited FAQ or clinic detail.
    (data / "generated/faq.yml").write_text("responses: {utter_faq/x: []}\n", encoding="utf-8")
    assert fingerprint(config, domain, data) != before
    after_generated = fingerprint(config, domain, data)
    config.write_text("pipeline: [{name: WhitespaceTokenizer}]\n", encoding="utf-8")
    assert fingerprint(config, domain, data) != after_generated


def test_editing_a_component_of_ours_retrains(tmp_path: Path) -> None:
    """The gate's training code decides what a model holds: a change to it makes the model stale."""
    data, config, domain = _project(tmp_path)
    components = tmp_path / "components"
    components.mkdir()
    (components / "faq_gate.py").write_text("KINDS = False\n", encoding="utf-8")
    before = fingerprint(config, domain, data, components)
    (components / "notes.txt").write_text("not code\n", encoding="utf-8")
    assert fingerprint(config, domain, data, components) == before
    (components / "faq_gate.py").write_text("KINDS = True\n", encoding="utf-8")
    assert fingerprint(config, domain, data, components) != before
