"""A Rasa tokenizer that gives tokens the lemmas of the project's own spaCy pipeline.

Rasa's CountVectorsFeaturizer counts `token.lemma` when a tokenizer provides it,
so "fevers", "feverish" and "fever" can share a feature without any pretrained
model. It runs only the pipeline's tokenizer and lookup lemmatizer, not its
matchers. Whether it earns a place in config.yml is decided by `patientbot eval`
(docs/evaluation.md).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class LemmaTokenizer(Tokenizer):
    """Tokens and lower-case lookup lemmas from build/nlp/patientbot_en."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**Tokenizer.get_default_config(), "pipeline_path": None}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LemmaTokenizer:
        return cls(config)

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__(config)
        from pathlib import Path

        from bot.nlp.pipeline import load_pipeline
        from bot.paths import NLP_PIPELINE_DIR

        nlp = load_pipeline(Path(config["pipeline_path"]) if config.get("pipeline_path") else NLP_PIPELINE_DIR)
        self._make_doc = nlp.make_doc
        self._lemmatize = nlp.get_pipe("lemmatizer")

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        text = message.get(attribute) or ""
        doc = self._lemmatize(self._make_doc(text))
        tokens = [
            Token(t.text, t.idx, lemma=t.lemma_ or t.lower_)
            for t in doc
            if not t.is_space and not (t.is_punct and t.text not in "?")
        ]
        return self._apply_token_pattern(tokens)
