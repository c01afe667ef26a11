"""FastAPI dependencies shared by the handoff API and the console.

Inside the gateway (create_app) the database comes from ``app.state.gateway``;
a test app may set ``app.state.session_factory`` instead; otherwise the
settings' database URL is used.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy.orm import sessionmaker

from bot.db.session import get_engine, make_session_factory
from bot.handoff.availability import OpeningHours, load_opening_hours
from bot.settings import Settings, get_settings

_factories: dict[str, sessionmaker] = {}


def settings_for_app(app: Any) -> Settings:
    """The gateway's settings (create_app may be given its own), else the environment's."""
    gateway = getattr(app.state, "gateway", None)
    return gateway.settings if gateway is not None else get_settings()


def settings_dep(request: Request) -> Settings:
    return settings_for_app(request.app)


def session_factory_for_app(app: Any) -> sessionmaker:
    gateway = getattr(app.state, "gateway", None)
    if gateway is not None:
        return gateway.session_factory
    factory = getattr(app.state, "session_factory", None)
    if factory is not None:
        return factory
    url = get_settings().database_url
    if url not in _factories:
        _factories[url] = make_session_factory(get_engine(url))
    return _factories[url]


def session_factory_dep(request: Request) -> sessionmaker:
    return session_factory_for_app(request.app)


def opening_hours_dep() -> OpeningHours | None:
    """The clinic's opening hours (tests override this dependency to pin the clock's meaning)."""
    return load_opening_hours()
