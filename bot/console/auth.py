"""Login, logout and who is asking: the console's session and CSRF checks as dependencies."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timezone

import anyio
from fastapi import APIRouter, Depends, Request, Response, Security
from fastapi.responses import RedirectResponse
from fastapi.security import APIKeyCookie
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import sessionmaker

from bot.console import security
from bot.console.forms import read_form
from bot.console.rendering import ConsoleError, ConsoleRoute, LoginRequired, render
from bot.db.session import unit_of_work
from bot.gateway.deps import session_factory_dep, settings_dep
from bot.handoff import audit
from bot.handoff.clinicians import PASSWORD_SET, LoginOutcome, authenticate
from bot.handoff.models import AuditEvent, Clinician
from bot.settings import Settings

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/console", route_class=ConsoleRoute)

MAX_USERNAME_CHARS = 64
MAX_PASSWORD_CHARS = 1024
# Read by current_user; declared as a security scheme so that OpenAPI says so.
_session_cookie = APIKeyCookie(
    name=security.SESSION_COOKIE,
    auto_error=False,
    scheme_name="ConsoleSession",
    description="The console's session cookie, set by POST /console/login.",
)
CSRF_REFUSED = (
    "This form has expired or did not come from the console (CSRF check failed). "
    "Reload the page and try again."
)


@dataclass(frozen=True)
class ConsoleUser:
    id: int
    username: str
    display_name: str
    role: str
    on_duty: bool
    session_id: str
    csrf: str


def load_user(
    factory: sessionmaker, claims: security.SessionClaims, secret: str
) -> ConsoleUser | None:
    with unit_of_work(factory) as session:
        clinician = session.get(Clinician, claims.clinician_id)
        if clinician is None or clinician.disabled:
            return None
        # Sessions end at the clinician's last logout and at their last password change.
        last_logout = session.scalar(
            select(func.max(AuditEvent.created_at)).where(
                or_(
                    and_(
                        AuditEvent.actor_id == clinician.id,
                        AuditEvent.action == "console.logout",
                    ),
                    and_(
                        AuditEvent.target_type == "clinician",
                        AuditEvent.target_id == str(clinician.id),
                        AuditEvent.action == PASSWORD_SET,
                    ),
                )
            )
        )
        if last_logout is not None:
            logged_out_at = last_logout.replace(tzinfo=timezone.utc).timestamp()
            if logged_out_at >= claims.issued_at:
                return None
        return ConsoleUser(
            id=clinician.id,
            username=clinician.username,
            display_name=clinician.display_name,
            role=clinician.role,
            on_duty=clinician.on_duty,
            session_id=claims.session_id,
            csrf=security.csrf_token(secret, claims.session_id),
        )


async def current_user(
    request: Request,
    settings: Settings = Depends(settings_dep),
    factory: sessionmaker = Depends(session_factory_dep),
    _documented: str | None = Security(_session_cookie),
) -> ConsoleUser:
    secret = settings.session_secret.get_secret_value()
    claims = security.read_session(secret, request.cookies.get(security.SESSION_COOKIE))
    user = await anyio.to_thread.run_sync(load_user, factory, claims, secret) if claims else None
    if user is None:
        raise LoginRequired()
    request.state.console_user = user
    return user


async def csrf_checked_user(
    request: Request,
    user: ConsoleUser = Depends(current_user),
    settings: Settings = Depends(settings_dep),
) -> ConsoleUser:
    """The current user, for a state change: refuses a request without this session's CSRF token."""
    token = request.headers.get(security.CSRF_HEADER)
    if token is None and "form" in request.headers.get("content-type", ""):
        token = (await read_form(request)).get(security.CSRF_FIELD)  # type: ignore[assignment]
    if not security.csrf_valid(settings.session_secret.get_secret_value(), user.session_id, token):
        raise ConsoleError(403, CSRF_REFUSED)
    return user


def _set_cookie(response: Response, name: str, value: str, max_age: int, settings: Settings) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=security.COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=settings.secure_cookies,
    )


def _login_page(request: Request, settings: Settings, message: str | None, status_code: int) -> Response:
    nonce = security.new_login_nonce()
    token = security.login_token(settings.session_secret.get_secret_value(), nonce)
    response = render(
        request, "login.html", {"message": message, "login_token": token, "user": None}, status_code
    )
    _set_cookie(response, security.LOGIN_COOKIE, nonce, security.LOGIN_NONCE_MAX_AGE_S, settings)
    return response


@router.get("/login", include_in_schema=False)
async def login_form(request: Request, settings: Settings = Depends(settings_dep)) -> Response:
    return _login_page(request, settings, None, 200)


@router.post("/login", include_in_schema=False)
async def login(
    request: Request,
    settings: Settings = Depends(settings_dep),
    factory: sessionmaker = Depends(session_factory_dep),
) -> Response:
    form = await read_form(request)
    secret = settings.session_secret.get_secret_value()
    if not security.login_token_valid(
        secret, request.cookies.get(security.LOGIN_COOKIE), form.get(security.CSRF_FIELD)  # type: ignore[arg-type]
    ):
        return _login_page(request, settings, CSRF_REFUSED, 403)
    username = str(form.get("username") or "").strip()
    password = str(form.get("password") or "")
    if not username or not password:
        return _login_page(request, settings, "Enter your username and password.", 422)
    if len(username) > MAX_USERNAME_CHARS or len(password) > MAX_PASSWORD_CHARS:
        return _login_page(request, settings, "Wrong username or password.", 401)

    def check() -> tuple[LoginOutcome, int | None, str | None]:
        with unit_of_work(factory) as session:
            result = authenticate(
                session=session,
                username=username,
                password=password,
                max_failures=settings.login_max_failures,
                lockout_s=settings.login_lockout_s,
            )
            until = result.locked_until.strftime("%H:%M UTC") if result.locked_until else None
            return result.outcome, result.clinician.id if result.clinician else None, until

    outcome, clinician_id, locked_until = await anyio.to_thread.run_sync(check)
    if outcome is LoginOutcome.LOCKED:
        message = f"Too many failed logins: this account is locked until {locked_until}."
        response = _login_page(request, settings, message, 429)
        response.headers["Retry-After"] = str(settings.login_lockout_s)
        return response
    if outcome is LoginOutcome.DISABLED:
        return _login_page(request, settings, "This account is disabled. Ask an admin.", 403)
    if outcome is not LoginOutcome.OK or clinician_id is None:
        return _login_page(request, settings, "Wrong username or password.", 401)
    response = RedirectResponse("/console/", status_code=303)
    _set_cookie(
        response,
        security.SESSION_COOKIE,
        security.issue_session(secret, clinician_id),
        security.SESSION_MAX_AGE_S,
        settings,
    )
    response.delete_cookie(security.LOGIN_COOKIE, path=security.COOKIE_PATH)
    return response


@router.post("/logout", include_in_schema=False)
async def logout(
    user: ConsoleUser = Depends(csrf_checked_user),
    factory: sessionmaker = Depends(session_factory_dep),
) -> Response:
    """Ends every session of this clinician (sessions issued before the logout are refused)."""

    def record() -> None:
        with unit_of_work(factory) as session:
            audit.record(
                session=session,
                action="console.logout",
                target_type="clinician",
                target_id=user.id,
                actor_id=user.id,
            )

    await anyio.to_thread.run_sync(record)
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(security.SESSION_COOKIE, path=security.COOKIE_PATH)
    return response
