"""OpenAPI pieces shared by every router that reads its own request bodies.

The gateway's routes parse bodies by hand (so that a bad body gets one clear
sentence and the right status, and so that a secret is checked before a body is
read), which FastAPI cannot see. These helpers put into /openapi.json what those
routes really accept and answer, so that a client generated from it is right:

- `json_body` documents the request body, inlined (pydantic 1 writes nested
  models as ``#/definitions/...``, which OpenAPI cannot resolve).
- `errors` documents refusals with the `ErrorOut` schema and a description each.

Kept outside bot.gateway and bot.handoff so that both can use it without
importing each other.
"""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel

JsonSchema = dict[str, Any]
_DEFINITIONS = "#/definitions/"


def _null_where_none(schema: JsonSchema, model: type[BaseModel]) -> None:
    """pydantic 1 writes an Optional field as its type alone; say that null is allowed too."""
    properties = schema.get("properties", {})
    for model_field in model.__fields__.values():
        prop = properties.get(model_field.alias)
        if not model_field.allow_none or prop is None or "anyOf" in prop:
            continue
        outer = {key: prop.pop(key) for key in ("title", "description", "default") if key in prop}
        properties[model_field.alias] = {**outer, "anyOf": [prop, {"type": "null"}]}


class OutModel(BaseModel):
    """A response model whose fields that may be None say so (pydantic 1 leaves null out)."""

    class Config:
        schema_extra = _null_where_none


class ErrorOut(BaseModel):
    """Every refusal: one sentence that tells the caller what to fix."""

    detail: str


def inline_schema(model: type[BaseModel]) -> JsonSchema:
    """The model's JSON schema with its nested models inlined (no ``definitions`` left)."""
    schema = model.schema()
    definitions: dict[str, JsonSchema] = schema.pop("definitions", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(_DEFINITIONS):
                return resolve(copy.deepcopy(definitions[ref[len(_DEFINITIONS) :]]))
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    resolved: JsonSchema = resolve(schema)
    return resolved


def json_body(schema: JsonSchema | type[BaseModel]) -> dict[str, Any]:
    """`openapi_extra` for a route that reads a required JSON body itself."""
    if isinstance(schema, type) and issubclass(schema, BaseModel):
        schema = inline_schema(schema)
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": schema}},
        }
    }


def errors(described: dict[int, str], model: type[BaseModel] = ErrorOut) -> dict[int | str, Any]:
    """`responses=` entries for refusals: status -> description, all with `model`'s schema."""
    return {status: {"model": model, "description": text} for status, text in described.items()}
