"""Console sessions, CSRF tokens and the headers every console response carries.

Sessions are signed cookies (itsdangerous, keyed by settings.session_secret):
HttpOnly, SameSite=Strict, Secure when settings.secure_cookies, scoped to
/console, valid for one shift (SESSION_MAX_AGE_S). A cookie is checked against
the database on every request: a disabled clinician, or a session issued before
the clinician's last logout, is refused. So logging out ends the session on the
server too, not just in one browser.

CSRF: every state-changing request carries a token derived from the session id
(HMAC), in a form field or the X-CSRF-Token header. The login form, which has
no session yet, uses a double-submit nonce cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SESSION_COOKIE = "pb_console"
LOGIN_COOKIE = "pb_console_login"
COOKIE_PATH = "/console"
SESSION_MAX_AGE_S = 8 * 3600
LOGIN_NONCE_MAX_AGE_S = 3600
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
        "object-src 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
}


@dataclass(frozen=True)
class SessionClaims:
    clinician_id: int
    session_id: str
    issued_at: float


def _serializer(secret: str, salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=salt)


def issue_session(secret: str, clinician_id: int) -> str:
    claims = {"cid": clinician_id, "sid": secrets.token_urlsafe(18), "iat": time.time()}
    return _serializer(secret, "patientbot.console.session").dumps(claims)


def read_session(secret: str, cookie: str | None) -> SessionClaims | None:
    """The claims of a valid, unexpired cookie; None for anything else."""
    if not cookie:
        return None
    try:
        data: Any = _serializer(secret, "patientbot.console.session").loads(
            cookie, max_age=SESSION_MAX_AGE_S
        )
        return SessionClaims(int(data["cid"]), str(data["sid"]), float(data["iat"]))
    except (BadSignature, SignatureExpired, KeyError, TypeError, ValueError):
        return None


def _mac(secret: str, purpose: str, value: str) -> str:
    return hmac.new(secret.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def csrf_token(secret: str, session_id: str) -> str:
    return _mac(secret, "csrf", session_id)


def csrf_valid(secret: str, session_id: str, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(csrf_token(secret, session_id), str(token))


def new_login_nonce() -> str:
    return secrets.token_urlsafe(18)


def login_token(secret: str, nonce: str) -> str:
    return _mac(secret, "login", nonce)


def login_token_valid(secret: str, nonce: str | None, token: str | None) -> bool:
    return bool(nonce) and bool(token) and hmac.compare_digest(login_token(secret, str(nonce)), str(token))
