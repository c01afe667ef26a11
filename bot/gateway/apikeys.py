"""Integration API keys (data functions, keyword-only `session=`, never commit).

A key is shown once, at creation; only its SHA-256 is stored (keys are 32
random bytes, so an unsalted hash is safe and allows a direct indexed lookup).
The short prefix is kept in clear so an admin can tell keys apart in a list.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.base import utcnow
from bot.db.models import ApiKey

KEY_PREFIX = "pbk_"


class ApiKeyRefused(Exception):
    """Why a presented key is not accepted; the message is safe to return to the caller."""


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class NewApiKey:
    id: str
    name: str
    prefix: str
    key: str  # the only time the key itself exists outside the caller's hands


def create_api_key(*, session: Session, name: str) -> NewApiKey:
    name = name.strip()
    if not name or len(name) > 100:
        raise ValueError("the key's name must be 1 to 100 characters")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(name=name, prefix=key[:12], key_hash=_hash(key), created_at=utcnow())
    session.add(row)
    session.flush()
    return NewApiKey(id=row.id, name=row.name, prefix=row.prefix, key=key)


def list_api_keys(*, session: Session) -> list[ApiKey]:
    return list(session.execute(select(ApiKey).order_by(ApiKey.created_at)).scalars())


def revoke_api_key(*, session: Session, key_id: str) -> ApiKey | None:
    """Revoke by id; returns None for an unknown id. Revoking twice keeps the first time."""
    row = session.get(ApiKey, key_id)
    if row is None:
        return None
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.flush()
    return row


def verify_api_key(*, session: Session, key: str | None) -> ApiKey:
    """The key's row if it is valid; ApiKeyRefused (-> 401) if missing, unknown or revoked."""
    if not key:
        raise ApiKeyRefused("Missing API key: send it in the X-API-Key header.")
    row = session.execute(select(ApiKey).where(ApiKey.key_hash == _hash(key))).scalar_one_or_none()
    if row is None:
        raise ApiKeyRefused("Invalid API key.")
    if row.revoked_at is not None:
        raise ApiKeyRefused("This API key has been revoked.")
    return row
