"""Clinician accounts: argon2 password hashes, roles, on-duty flag, lock-out after failed logins.

`authenticate` never raises for a wrong password: it returns an outcome and has
already counted the failure in the session, so the caller's unit of work
commits the counter even though the login was refused.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.base import utcnow
from bot.handoff import audit
from bot.handoff.errors import ClinicianNotFound, InvalidInput, UsernameTaken
from bot.handoff.models import ROLES, Clinician

MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 1024
_USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")

_hasher = PasswordHasher()
# Verified against when the username is unknown, so a login takes as long either way
# and response time does not reveal which usernames exist.
_DUMMY_HASH = _hasher.hash("not-a-real-password-for-timing")


def hash_password(password: str) -> str:
    validate_password(password)
    return _hasher.hash(password)


def validate_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise InvalidInput(f"The password must have at least {MIN_PASSWORD_CHARS} characters.")
    if len(password) > MAX_PASSWORD_CHARS:
        raise InvalidInput(f"The password must have at most {MAX_PASSWORD_CHARS} characters.")


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def normalize_username(username: str) -> str:
    value = username.strip().lower()
    if not _USERNAME_RE.match(value):
        raise InvalidInput(
            "A username has 2-64 characters: lower-case letters, digits, '.', '_' or '-'."
        )
    return value


def create_clinician(
    *,
    session: Session,
    username: str,
    display_name: str,
    password: str,
    role: str = "clinician",
    on_duty: bool = False,
    telegram_chat_id: str | None = None,
    actor_kind: str = "admin_cli",
) -> Clinician:
    name = normalize_username(username)
    display = display_name.strip()
    if not display or len(display) > 128:
        raise InvalidInput("The display name must have 1-128 characters.")
    if role not in ROLES:
        raise InvalidInput(f"The role must be one of {', '.join(ROLES)}.")
    if telegram_chat_id is not None and not re.fullmatch(r"-?\d{1,20}", telegram_chat_id):
        raise InvalidInput("A Telegram chat id is a number.")
    if session.scalar(select(Clinician.id).where(Clinician.username == name)) is not None:
        raise UsernameTaken()
    clinician = Clinician(
        username=name,
        display_name=display,
        password_hash=hash_password(password),
        role=role,
        on_duty=on_duty,
        telegram_chat_id=telegram_chat_id,
    )
    session.add(clinician)
    session.flush()
    audit.record(
        session=session,
        action="clinician.created",
        target_type="clinician",
        target_id=clinician.id,
        actor_kind=actor_kind,
        details={"role": role},
    )
    return clinician


def get_by_username(*, session: Session, username: str) -> Clinician:
    clinician = session.scalar(
        select(Clinician).where(Clinician.username == username.strip().lower())
    )
    if clinician is None:
        raise ClinicianNotFound(f"No clinician named {username!r}.")
    return clinician


def list_clinicians(*, session: Session) -> list[Clinician]:
    return list(session.scalars(select(Clinician).order_by(Clinician.username)))


def disable_clinician(
    *, session: Session, username: str, actor_kind: str = "admin_cli", actor_id: int | None = None
) -> Clinician:
    """Disable an account: no login, no claim, and every open console session ends."""
    clinician = get_by_username(session=session, username=username)
    if not clinician.disabled:
        clinician.disabled = True
        clinician.on_duty = False
        audit.record(
            session=session,
            action="clinician.disabled",
            target_type="clinician",
            target_id=clinician.id,
            actor_kind=actor_kind,
            actor_id=actor_id,
        )
    return clinician


def set_reviewer(
    *, session: Session, username: str, reviewer: bool, actor_kind: str = "admin_cli", actor_id: int | None = None
) -> Clinician:
    """Give or take the reviewer role: who may approve content proposals (never their own)."""
    clinician = get_by_username(session=session, username=username)
    if bool(clinician.reviewer) != reviewer:
        clinician.reviewer = reviewer
        audit.record(
            session=session,
            action="clinician.reviewer_granted" if reviewer else "clinician.reviewer_revoked",
            target_type="clinician",
            target_id=clinician.id,
            actor_kind=actor_kind,
            actor_id=actor_id,
        )
    return clinician


PASSWORD_SET = "clinician.password_set"


def set_password(
    *,
    session: Session,
    username: str,
    password: str,
    actor_kind: str = "admin_cli",
    actor_id: int | None = None,
) -> Clinician:
    """Give an account a new password; its open console sessions end (bot.console.auth).

    For a forgotten password or a suspected leak: whoever knew the old one is
    logged out, and a lock-out from failed attempts is lifted.
    """
    validate_password(password)
    clinician = get_by_username(session=session, username=username)
    clinician.password_hash = hash_password(password)
    clinician.failed_logins = 0
    clinician.locked_until = None
    audit.record(
        session=session,
        action=PASSWORD_SET,
        target_type="clinician",
        target_id=clinician.id,
        actor_kind=actor_kind,
        actor_id=actor_id,
    )
    return clinician


def set_on_duty(*, session: Session, clinician_id: int, on_duty: bool) -> Clinician:
    clinician = session.get(Clinician, clinician_id)
    if clinician is None:
        raise ClinicianNotFound()
    if clinician.on_duty != on_duty:
        clinician.on_duty = on_duty
        audit.record(
            session=session,
            action="clinician.on_duty" if on_duty else "clinician.off_duty",
            target_type="clinician",
            target_id=clinician.id,
            actor_id=clinician.id,
        )
    return clinician


def on_duty_count(*, session: Session) -> int:
    return int(
        session.scalar(
            select(func.count(Clinician.id)).where(
                Clinician.on_duty.is_(True), Clinician.disabled.is_(False)
            )
        )
        or 0
    )


def on_duty_telegram_chats(*, session: Session) -> list[str]:
    """Telegram chat ids of on-duty, enabled clinicians who linked an account."""
    return list(
        session.scalars(
            select(Clinician.telegram_chat_id).where(
                Clinician.on_duty.is_(True),
                Clinician.disabled.is_(False),
                Clinician.telegram_chat_id.is_not(None),
            )
        )
    )


class LoginOutcome(enum.Enum):
    OK = "ok"
    INVALID = "invalid"
    LOCKED = "locked"
    DISABLED = "disabled"


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    clinician: Clinician | None = None
    locked_until: datetime | None = None


def authenticate(
    *,
    session: Session,
    username: str,
    password: str,
    max_failures: int,
    lockout_s: int,
    now: datetime | None = None,
) -> LoginResult:
    """Check a login; counts failures and locks the account after `max_failures` in a row.

    While locked, even the right password is refused, so guessing cannot go on
    at full speed. A success resets the counter.
    """
    now = now or utcnow()
    name = username.strip().lower()
    # A name no account can have is not looked up (PostgreSQL refuses NUL in text).
    clinician = (
        session.scalar(select(Clinician).where(Clinician.username == name))
        if _USERNAME_RE.match(name)
        else None
    )
    if clinician is None:
        _verify(_DUMMY_HASH, password)
        return LoginResult(LoginOutcome.INVALID)
    if clinician.locked_until is not None and clinician.locked_until > now:
        audit.record(
            session=session,
            action="console.login_refused_locked",
            target_type="clinician",
            target_id=clinician.id,
            actor_id=clinician.id,
        )
        return LoginResult(LoginOutcome.LOCKED, locked_until=clinician.locked_until)
    if not _verify(clinician.password_hash, password):
        clinician.failed_logins = (clinician.failed_logins or 0) + 1
        details = {"failures": clinician.failed_logins}
        if clinician.failed_logins >= max_failures:
            clinician.locked_until = now + timedelta(seconds=lockout_s)
            clinician.failed_logins = 0
            details["locked"] = True
        audit.record(
            session=session,
            action="console.login_failed",
            target_type="clinician",
            target_id=clinician.id,
            actor_id=clinician.id,
            details=details,
        )
        if clinician.locked_until is not None and clinician.locked_until > now:
            return LoginResult(LoginOutcome.LOCKED, locked_until=clinician.locked_until)
        return LoginResult(LoginOutcome.INVALID)
    if clinician.disabled:
        return LoginResult(LoginOutcome.DISABLED)
    clinician.failed_logins = 0
    clinician.locked_until = None
    if _hasher.check_needs_rehash(clinician.password_hash):
        clinician.password_hash = _hasher.hash(password)
    audit.record(
        session=session,
        action="console.login",
        target_type="clinician",
        target_id=clinician.id,
        actor_id=clinician.id,
    )
    return LoginResult(LoginOutcome.OK, clinician=clinician)
