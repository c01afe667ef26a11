"""A small Rasa assistant trained from the content files, so a test can retrain it in seconds.

The shipped model takes minutes to train; this one answers a few FAQs with
Rasa's KeywordIntentClassifier (an example question appearing in the
message is that FAQ's intent) and says it did not understand anything else
(custom `not_understood`, as the shipped ask-to-rephrase does). Its training
data comes from what `patientbot content build` generated (the FAQs' training
examples and their vetted answers with `faq_id` and `rest_point`), so an
approved proposal reaches it the way it reaches the shipped model: content
files -> build -> training data -> retrain when stale (bot.training's own
fingerprint) -> a model file Rasa's PUT /model can load.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import yaml

from bot.proposals.rollout import Trained
from bot.training import fingerprint
from tests.support.rasa_process import RASA_ENV, rasa_executable

CONFIG = """recipe: default.v1
language: en
assistant_id: patientbot-faq-tests
pipeline:
  - name: WhitespaceTokenizer
  - name: KeywordIntentClassifier
  - name: FallbackClassifier
    threshold: 0.5
policies:
  - name: RulePolicy
    core_fallback_threshold: 0.3
    enable_fallback_prediction: false
"""


def intent_of(faq_id: str) -> str:
    return f"faq_{faq_id}"


def write_project(project: Path, generated_faq_data: Path, faq_ids: list[str]) -> None:
    """config, domain and data for `faq_ids`, from the generated data/generated/faq.yml."""
    document = yaml.safe_load(generated_faq_data.read_text(encoding="utf-8"))
    examples = {item["intent"].removeprefix("faq/"): item["examples"] for item in document["nlu"]}
    responses: dict[str, Any] = {
        "utter_default": [{"text": "Sorry, I did not understand that.", "custom": {"not_understood": True}}],
    }
    nlu, rules = [], [{"rule": "fallback", "steps": [{"intent": "nlu_fallback"}, {"action": "utter_default"}]}]
    for faq_id in faq_ids:
        answer = document["responses"][f"utter_faq/{faq_id}"][0]
        responses[f"utter_{intent_of(faq_id)}"] = [
            {"text": answer["text"], "custom": {"faq_id": faq_id, "rest_point": True}}
        ]
        nlu.append({"intent": intent_of(faq_id), "examples": examples[faq_id]})
        rules.append({"rule": faq_id, "steps": [{"intent": intent_of(faq_id)}, {"action": f"utter_{intent_of(faq_id)}"}]})
    (project / "data").mkdir(parents=True, exist_ok=True)
    (project / "config.yml").write_text(CONFIG, encoding="utf-8")
    domain = {
        "version": "3.1",
        "intents": [*(intent_of(f) for f in faq_ids), "nlu_fallback"],
        "responses": responses,
        "session_config": {"session_expiration_time": 60, "carry_over_slots_to_new_session": False},
    }
    (project / "domain.yml").write_text(yaml.safe_dump(domain, sort_keys=False), encoding="utf-8")
    (project / "data" / "nlu.yml").write_text(yaml.safe_dump({"version": "3.1", "nlu": nlu}, sort_keys=False), encoding="utf-8")
    (project / "data" / "rules.yml").write_text(yaml.safe_dump({"version": "3.1", "rules": rules}, sort_keys=False), encoding="utf-8")


def retrain_if_stale(project: Path) -> Trained:
    """`rasa train` in `project` only when its config, domain or data changed since the last training."""
    config, domain, data = project / "config.yml", project / "domain.yml", project / "data"
    # The model is named after what it was trained on: same inputs, same file, no training.
    name = "faq-" + fingerprint(config, domain=domain, data_dir=data)[:12]
    model = project / "models" / f"{name}.tar.gz"
    if model.exists():
        return Trained(model, False)
    subprocess.run(
        [rasa_executable(), "train", "--fixed-model-name", name, "--out", "models", "--quiet"],
        cwd=project, env={**os.environ, **RASA_ENV}, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        timeout=600,
    )
    return Trained(model, True)
