"""Fuzzing the console's forms: login and reply, with forged sessions, CSRF tokens and odd bodies.

Hypothesis draws each part of a request (login nonce cookie, CSRF token, session
cookie, the fields, how the body is encoded) and checks what the gateway answers:
never a 5xx; a request without a valid CSRF token (or session, for a reply) is
refused with 400, 401 or 403 and stores nothing; any other refusal stores
nothing either, except the audit row of a failed login, which is the point of it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.console import security
from bot.console.canned import CANNED_REPLIES
from bot.db.session import make_engine, make_session_factory, unit_of_work
from bot.handoff import service
from tests.bot.console.conftest import csrf_of
from tests.bot.fuzz.conftest import Seeded
from tests.bot.fuzz.support import WatchedGateway, fuzz_settings
from tests.support.fixtures import SECRETS
from tests.support.handoff import PASSWORD

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

SESSION_SECRET = SECRETS["session_secret"]
_field = st.none() | st.text(max_size=60) | st.text(max_size=2100)
ENCODINGS = st.sampled_from(["form", "form", "multipart", "json", "garbage"])


def _mostly(good: str, *bad: str) -> st.SearchStrategy[str]:
    """`good` half of the time: enough requests get past one check to meet the next."""
    return st.sampled_from([good] * len(bad) + list(bad))


def _send(client: httpx.Client, path: str, fields: dict[str, Any], encoding: str, **kw: Any) -> int:
    present = {k: v for k, v in fields.items() if v is not None}
    if encoding == "form":
        response = client.post(path, data=present, **kw)
    elif encoding == "multipart":
        files = {k: (None, v) for k, v in present.items()}
        response = client.post(path, files=files or {"_": (None, "")}, **kw)
    elif encoding == "json":
        response = client.post(path, json=present, **kw)
    else:  # bytes that claim to be a form
        headers = {**kw.pop("headers", {}), "Content-Type": "multipart/form-data; boundary=x"}
        response = client.post(path, content=secrets.token_bytes(64), headers=headers, **kw)
    return response.status_code


@dataclass(frozen=True)
class Login:
    nonce: str  # valid | missing | forged
    token: str  # valid | missing | random | other_nonce
    username: str | None
    password: str | None
    encoding: str

    @property
    def csrf_ok(self) -> bool:
        return self.nonce == self.token == "valid" and self.encoding in ("form", "multipart")


LOGINS = st.builds(
    Login,
    nonce=_mostly("valid", "missing", "forged"),
    token=_mostly("valid", "missing", "random", "other_nonce"),
    username=st.just("fuzzer") | _field,
    password=st.just(PASSWORD) | _field,
    encoding=ENCODINGS,
)


def _login_request(base_url: str, attempt: Login) -> int:
    with httpx.Client(base_url=base_url, timeout=20) as client:
        token = csrf_of(client.get("/console/login").text)
        if attempt.nonce != "valid":
            client.cookies.clear()
            if attempt.nonce == "forged":
                client.cookies.set(security.LOGIN_COOKIE, security.new_login_nonce())
        fields = {"username": attempt.username, "password": attempt.password}
        fields[security.CSRF_FIELD] = {
            "valid": token,
            "missing": None,
            "random": secrets.token_hex(32),
            "other_nonce": security.login_token(SESSION_SECRET, security.new_login_nonce()),
        }[attempt.token]
        return _send(client, "/console/login", fields, attempt.encoding)


def test_login_form(gateway: WatchedGateway, seeded: Seeded) -> None:
    seen: dict[int, int] = {}

    @fuzz_settings(80)
    @given(attempt=LOGINS)
    def login(attempt: Login) -> None:
        status = _login_request(gateway.url, attempt)
        seen[status] = seen.get(status, 0) + 1
        assert status < 500
        if attempt.csrf_ok:
            assert status in (303, 401, 422, 429)
        else:
            assert status in (400, 403)

    login()
    print(f"console login fuzz, statuses: {sorted(seen.items())}")
    assert {303, 401, 403} <= set(seen)  # logged in, and refused
    assert not gateway.watch.refused_but_stored, gateway.watch.refused_but_stored


@dataclass(frozen=True)
class Reply:
    session: str  # valid | missing | forged
    csrf: str  # valid | missing | random
    csrf_in: str  # field | header
    target: str  # mine | unknown | odd
    odd_id: str
    text: str | None
    canned_id: str | None
    encoding: str
    json_answer: bool

    @property
    def csrf_ok(self) -> bool:
        in_body = self.csrf_in == "field" and self.encoding in ("form", "multipart")
        return self.csrf == "valid" and (self.csrf_in == "header" or in_body)


REPLIES = st.builds(
    Reply,
    session=_mostly("valid", "missing", "forged"),
    csrf=_mostly("valid", "missing", "random"),
    csrf_in=st.sampled_from(["field", "header"]),
    target=_mostly("mine", "unknown", "odd"),
    odd_id=st.text(min_size=1, max_size=40),
    text=st.just("  ") | _field,
    canned_id=st.none() | st.sampled_from([c.id for c in CANNED_REPLIES]) | st.text(max_size=20),
    encoding=ENCODINGS,
    json_answer=st.booleans(),
)


def _claim(database_url: str, seeded: Seeded) -> None:
    engine = make_engine(database_url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            service.claim(session=session, handoff_id=seeded.handoff_id, clinician_id=seeded.clinician_id)
    finally:
        engine.dispose()


def _reply_request(base_url: str, seeded: Seeded, attempt: Reply) -> int:
    cookie = {
        "valid": seeded.console_cookie,
        "missing": None,
        "forged": security.issue_session("not-the-secret-at-all", seeded.clinician_id),
    }[attempt.session]
    session_id = security.read_session(SESSION_SECRET, seeded.console_cookie)
    assert session_id is not None
    token = {
        "valid": security.csrf_token(SESSION_SECRET, session_id.session_id),
        "missing": None,
        "random": secrets.token_hex(32),
    }[attempt.csrf]
    handoff = {"mine": seeded.handoff_id, "unknown": secrets.token_hex(16), "odd": attempt.odd_id}
    path = f"/console/handoffs/{quote(handoff[attempt.target], safe='')}/reply"
    headers = {"Accept": "application/json"} if attempt.json_answer else {}
    fields: dict[str, Any] = {"text": attempt.text, "canned_id": attempt.canned_id}
    if attempt.csrf_in == "header" and token is not None:
        headers[security.CSRF_HEADER] = token
    else:
        fields[security.CSRF_FIELD] = token
    with httpx.Client(base_url=base_url, timeout=20) as client:
        if cookie is not None:
            client.cookies.set(security.SESSION_COOKIE, cookie)
        return _send(client, path, fields, attempt.encoding, headers=headers)


def test_reply_form(gateway: WatchedGateway, seeded: Seeded, database_url: str) -> None:
    _claim(database_url, seeded)
    seen: dict[int, int] = {}

    @fuzz_settings(80)
    @given(attempt=REPLIES)
    def reply(attempt: Reply) -> None:
        status = _reply_request(gateway.url, seeded, attempt)
        seen[status] = seen.get(status, 0) + 1
        assert status < 500
        if attempt.session != "valid":
            assert status in (401, 404, 405)  # no route for an odd id with a "/" in it
        elif not attempt.csrf_ok:
            assert status in (400, 403, 404, 405)

    reply()
    # A plain valid reply too, so that "sent" does not depend on the generator drawing one.
    plain = Reply("valid", "valid", "field", "mine", "", "Hello, this is the clinic.", None, "form", False)
    status = _reply_request(gateway.url, seeded, plain)
    seen[status] = seen.get(status, 0) + 1
    print(f"console reply fuzz, statuses: {sorted(seen.items())}")
    assert {200, 303} & set(seen) and {401, 403, 422} <= set(seen)  # sent, and refused
    assert not gateway.watch.refused_but_stored, gateway.watch.refused_but_stored
