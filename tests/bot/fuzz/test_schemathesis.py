"""schemathesis against the gateway's own /openapi.json: web chat, REST API, handoff API, console API.

Three runs, each `--checks all` with a bounded number of examples per operation
(tests/bot/fuzz/support.py; PATIENTBOT_FUZZ_MAX_EXAMPLES and PATIENTBOT_FUZZ_SEED
change them), on SQLite and on PostgreSQL:

- with valid credentials, half of the ids drawn from seeded rows so that cases
  get past "no such conversation": 0 failures, 0 responses 5xx;
- with none, and with forged or revoked ones: besides the same, no operation
  that needs credentials answers 2xx, and not one row is added or removed.

In every run a refused request (4xx) must leave every table's row count as it was.
"""

from __future__ import annotations

import httpx
import pytest

from bot.console import security
from tests.bot.fuzz.conftest import Seeded
from tests.bot.fuzz.support import (
    FuzzReport,
    WatchedGateway,
    operations_needing_credentials,
    row_counts,
    run_schemathesis,
)
from tests.support.fixtures import SECRETS

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

WEB_CHAT_TOKEN = "A" * 43  # well formed: a web chat token is whatever the browser was given


def _valid_credentials(seeded: Seeded) -> dict[str, str]:
    """A value for each security scheme of the document."""
    return {
        "APIKeyHeader": seeded.api_key,
        "HTTPBearer": seeded.api_key,
        "HandoffSecret": SECRETS["handoff_secret"],
        "WebChatSession": WEB_CHAT_TOKEN,
        "ConsoleSession": seeded.console_cookie,
    }


def _forged_credentials(seeded: Seeded) -> dict[str, str]:
    return {
        "APIKeyHeader": seeded.revoked_key,
        "HTTPBearer": "pbk_" + "f" * 43,
        "HandoffSecret": SECRETS["handoff_secret"][:-1] + "?",
        "WebChatSession": WEB_CHAT_TOKEN[:-1] + "!",  # one character off the format
        # A session for the seeded clinician, signed with another secret.
        "ConsoleSession": security.issue_session("not-the-secret-at-all", 1),
    }


def _assert_clean(report: FuzzReport, gateway: WatchedGateway) -> None:
    assert report.cases > 0 and not report.errors, report.errors
    assert not report.failures, f"{report.summary()}\n\n" + "\n\n".join(report.failures)
    assert not report.server_errors(), report.server_errors()
    assert not gateway.watch.refused_but_stored, gateway.watch.refused_but_stored


def test_valid_credentials_all_checks_pass(gateway: WatchedGateway, seeded: Seeded) -> None:
    report = run_schemathesis(
        gateway.url,
        credentials=_valid_credentials(seeded),
        dictionaries={
            "senders": list(seeded.senders),
            "external_ids": [seeded.rest_external_id],
            "offers": [seeded.offer_message_id],
            "conversations": [seeded.rest_conversation_id],
            "handoffs": [seeded.handoff_id],
        },
        bindings={
            "body.sender_id": "senders",
            "body.external_id": "external_ids",
            "body.button.message_id": "offers",
            "path.conversation_id": "conversations",
            "path.handoff_id": "handoffs",
        },
    )
    print(f"schemathesis, valid credentials: {report.summary()}")
    _assert_clean(report, gateway)
    # The seeded rows were reached: real answers, not only refusals.
    for operation in ("POST /api/v1/messages", "POST /webchat/api/messages", "POST /api/handoffs"):
        assert any(label == operation and status < 300 for label, status in report.statuses)


@pytest.mark.parametrize("credentials", ["none", "forged"])
def test_without_valid_credentials_nothing_is_accepted_or_stored(
    gateway: WatchedGateway, seeded: Seeded, credentials: str
) -> None:
    spec = httpx.get(f"{gateway.url}/openapi.json", timeout=20).json()
    guarded = operations_needing_credentials(spec)
    assert len(guarded) >= 8  # web chat, REST, handoff and console operations
    rows_before = row_counts(gateway.watch.engine)

    given = _forged_credentials(seeded) if credentials == "forged" else {}
    report = run_schemathesis(gateway.url, credentials=given)

    print(f"schemathesis, {credentials} credentials: {report.summary()}")
    _assert_clean(report, gateway)
    assert not report.accepted(guarded), report.accepted(guarded)
    assert any(status == 401 for _label, status in report.statuses)
    assert row_counts(gateway.watch.engine) == rows_before
