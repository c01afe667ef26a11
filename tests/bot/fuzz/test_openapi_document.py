"""The gateway's /openapi.json is one a clinic can generate a correct client from.

Valid OpenAPI 3.1; every $ref resolves; every operation that reads a body says
what the body is; every operation lists the refusals its code can answer, each
with the `{"detail": ...}` error schema. The table below is read off the routes:
a new route, or a new refusal, is added to it with the route.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from schemathesis.core.result import Err

from bot.events.memory import InProcessBus
from bot.gateway.app import create_app
from tests.support.fixtures import make_settings

# Operation -> the statuses other than its main 2xx that its code can answer.
REFUSALS: dict[str, set[int]] = {
    "POST /webchat/api/session": set(),
    "GET /webchat/api/messages": {401, 422},
    "POST /webchat/api/messages": {400, 401, 404, 413, 422},
    "DELETE /webchat/api/conversation": {401, 503},
    "GET /webchat/api/bulletins/topics": {401},
    "POST /webchat/api/bulletins/topics": {400, 401, 413, 422},
    "GET /webchat/api/bulletins/unseen": {401},
    "POST /api/v1/messages": {400, 401, 404, 413, 422},
    "GET /api/v1/conversations/{conversation_id}/messages": {401, 404, 422},
    "POST /api/handoffs": {200, 401, 404, 409, 413, 422},
    "POST /api/feedback": {401, 404, 413, 422},
    "GET /console/api/handoffs/{handoff_id}": {401, 404},
    "GET /health": {503},
}
# POSTs that read no body.
BODILESS = {"POST /webchat/api/session"}


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    database = tmp_path_factory.mktemp("openapi") / "unused.db"  # the document needs no database
    app = create_app(make_settings(f"sqlite:///{database}"), detector=None, bus=InProcessBus())
    return app.openapi()


def _operations(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        f"{method.upper()} {path}": operation
        for path, item in spec["paths"].items()
        for method, operation in item.items()
    }


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for item in node for ref in _refs(item)]
    return []


def _resolve(spec: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), f"{ref} points outside the document"
    node: Any = spec
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and part in node, f"{ref} does not resolve"
        node = node[part]
    return node


def _schema(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    return _resolve(spec, schema["$ref"]) if "$ref" in schema else schema


def test_the_document_is_valid_openapi_and_schemathesis_reads_every_operation(
    spec: dict[str, Any],
) -> None:
    schema = schemathesis.openapi.from_dict(spec)
    schema.validate()  # against the OpenAPI meta-schema
    broken = [result.err() for result in schema.get_all_operations() if isinstance(result, Err)]
    assert not broken


def test_every_reference_resolves(spec: dict[str, Any]) -> None:
    refs = _refs(spec)
    assert refs  # response and error models are components
    for ref in refs:
        assert isinstance(_resolve(spec, ref), dict)
    assert "definitions" not in str(refs)


def test_the_table_covers_every_operation(spec: dict[str, Any]) -> None:
    assert set(_operations(spec)) == set(REFUSALS)


def test_every_operation_that_reads_a_body_describes_it(spec: dict[str, Any]) -> None:
    for label, operation in _operations(spec).items():
        if not label.startswith(("POST", "PUT", "PATCH")) or label in BODILESS:
            continue
        body = operation.get("requestBody")
        assert body and body["required"], f"{label} has no requestBody"
        schema = body["content"]["application/json"]["schema"]
        assert "definitions" not in schema
        assert schema.get("properties") or schema.get("oneOf"), f"{label}: empty body schema"


def test_every_operation_documents_its_refusals_with_the_error_schema(
    spec: dict[str, Any],
) -> None:
    for label, operation in _operations(spec).items():
        documented = {int(status) for status in operation["responses"]}
        missing = REFUSALS[label] - documented
        assert not missing, f"{label} does not document {sorted(missing)}"
        if operation.get("security"):
            assert 401 in documented, f"{label} needs credentials but does not document 401"
        for status, response in operation["responses"].items():
            if int(status) < 400 or (label, status) == ("GET /health", "503"):
                continue  # /health's 503 is its own report, with the database down
            schema = _schema(spec, response["content"]["application/json"]["schema"])
            assert "detail" in schema["properties"], f"{label} {status}: no error schema"
            assert response["description"], f"{label} {status}: no description"


def test_credentials_are_security_schemes(spec: dict[str, Any]) -> None:
    schemes = spec["components"]["securitySchemes"]
    assert {name: scheme["name"] for name, scheme in schemes.items() if scheme["type"] == "apiKey"} == {
        "APIKeyHeader": "X-API-Key",
        "HandoffSecret": "X-PatientBot-Secret",
        "WebChatSession": "X-PatientBot-Session",
        "ConsoleSession": "pb_console",
    }
    assert schemes["HTTPBearer"]["scheme"] == "bearer"
