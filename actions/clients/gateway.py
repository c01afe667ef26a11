"""A small client for the gateway's handoff API (docs/architecture.md), with timeouts and one retry.

The action server runs in its own process and talks to the gateway only over
HTTP with the shared secret, so it never imports `bot`. Retrying is safe: a
second POST /api/handoffs for the same conversation gets 409 and the open
handoff, never a duplicate.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from typing import Any

import requests

logger = logging.getLogger(__name__)

DEFAULT_URL = "http://127.0.0.1:8000"
DEFAULT_TIMEOUT_S = 5.0
SECRET_HEADER = "X-PatientBot-Secret"


class GatewayError(Exception):
    """The gateway could not do what we asked; the message is for logs, never for patients."""


class GatewayUnavailable(GatewayError):
    """Nothing answered, it timed out, or it kept failing with a server error."""


class GatewayRejected(GatewayError):
    """The gateway refused the request (wrong secret, unknown conversation, invalid body)."""

    def __init__(self, status_code: int, detail: Any) -> None:
        super().__init__(f"gateway refused the request with HTTP {status_code}")
        self.status_code = status_code
        self.detail = detail


@dataclass(frozen=True)
class HandoffTicket:
    handoff_id: str
    status: str
    queue_position: int
    expected_wait_minutes: int
    clinician_available: bool
    already_open: bool = False


class GatewayClient:
    def __init__(
        self,
        base_url: str,
        secret: str,
        timeout: float = DEFAULT_TIMEOUT_S,
        *,
        retries: int = 1,
        backoff_s: float = 0.3,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.secret = secret
        self.timeout = timeout
        self.retries = retries
        self.backoff_s = backoff_s

    @classmethod
    def from_env(cls) -> GatewayClient:
        """Configured by PATIENTBOT_GATEWAY_URL, PATIENTBOT_HANDOFF_SECRET, PATIENTBOT_GATEWAY_TIMEOUT_S."""
        secret = os.environ.get("PATIENTBOT_HANDOFF_SECRET", "")
        if not secret:
            logger.error("PATIENTBOT_HANDOFF_SECRET is not set: the gateway will refuse every request")
        try:
            timeout = float(os.environ.get("PATIENTBOT_GATEWAY_TIMEOUT_S", DEFAULT_TIMEOUT_S))
        except ValueError:
            logger.error("PATIENTBOT_GATEWAY_TIMEOUT_S is not a number; using %s", DEFAULT_TIMEOUT_S)
            timeout = DEFAULT_TIMEOUT_S
        return cls(os.environ.get("PATIENTBOT_GATEWAY_URL", DEFAULT_URL), secret, timeout)

    def _post(self, path: str, body: dict[str, Any]) -> requests.Response:
        url = f"{self.base_url}{path}"
        headers = {SECRET_HEADER: self.secret}
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                response = requests.post(url, json=body, headers=headers, timeout=self.timeout)
            except (requests.ConnectionError, requests.Timeout) as exc:
                if last:
                    raise GatewayUnavailable(f"POST {path}: {type(exc).__name__}") from exc
            else:
                if response.status_code < 500:
                    return response
                if last:
                    raise GatewayUnavailable(f"POST {path}: HTTP {response.status_code}")
            time.sleep(self.backoff_s)
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _detail(response: requests.Response) -> Any:
        try:
            return response.json().get("detail")
        except (ValueError, AttributeError):
            return None

    def open_handoff(
        self,
        *,
        sender_id: str,
        reason: str,
        priority: str,
        summary: dict[str, Any],
        callback: dict[str, Any] | None = None,
    ) -> HandoffTicket:
        body = {
            "sender_id": sender_id,
            "reason": reason,
            "priority": priority,
            "summary": summary,
            "callback": callback,
        }
        response = self._post("/api/handoffs", body)
        if response.status_code not in (200, 201, 409):
            raise GatewayRejected(response.status_code, self._detail(response))
        try:
            data = response.json()
            return HandoffTicket(
                handoff_id=str(data["handoff_id"]),
                status=str(data["status"]),
                queue_position=int(data["queue_position"]),
                expected_wait_minutes=int(data["expected_wait_minutes"]),
                clinician_available=bool(data["clinician_available"]),
                already_open=response.status_code == 409,
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise GatewayError("the gateway's answer to POST /api/handoffs was malformed") from exc

    def record_feedback(self, *, sender_id: str, faq_id: str, helpful: bool) -> None:
        body = {"sender_id": sender_id, "faq_id": faq_id, "helpful": helpful}
        response = self._post("/api/feedback", body)
        if response.status_code != 201:
            raise GatewayRejected(response.status_code, self._detail(response))
