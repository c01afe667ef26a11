"""How routes (ours, the handoff API's, the console's) reach the running gateway's services.

`create_app` stores one `Gateway` in ``app.state.gateway``; these helpers fetch
it from a request, so other routers need no import-time globals. A test app
without a gateway sets ``app.state.session_factory``, ``app.state.bus`` and
``app.state.handoff_deliver`` instead. FastAPI dependencies: ``Depends(gateway_dep)``,
``Depends(router_dep)``, ``Depends(session_factory_dep)``, ``Depends(settings_dep)``,
``Depends(bus_dep)``, ``Depends(opening_hours_dep)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import Request
from sqlalchemy.orm import sessionmaker

from bot.db.session import get_engine, make_session_factory
from bot.events.bus import EventBus
from bot.handoff.availability import OpeningHours, load_opening_hours
from bot.settings import Settings, get_settings

if TYPE_CHECKING:
    from bot.gateway.app import Gateway
    from bot.gateway.routing import Router

_factories: dict[str, sessionmaker] = {}


def get_gateway(app: Any) -> Gateway:
    gateway = getattr(app.state, "gateway", None)
    if gateway is None:
        raise RuntimeError("this app was not built by bot.gateway.app.create_app")
    return gateway


def gateway_dep(request: Request) -> Gateway:
    return get_gateway(request.app)


def router_dep(request: Request) -> Router:
    return get_gateway(request.app).require_router()


def settings_for_app(app: Any) -> Settings:
    """The gateway's settings (create_app may be given its own), else the environment's."""
    gateway = getattr(app.state, "gateway", None)
    return gateway.settings if gateway is not None else get_settings()


def settings_dep(request: Request) -> Settings:
    return settings_for_app(request.app)


def session_factory_for_app(app: Any) -> sessionmaker:
    """The gateway's session factory (bound to its bus), a test app's, else the settings' database."""
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


def bus_for_app(app: Any) -> EventBus:
    gateway = getattr(app.state, "gateway", None)
    if gateway is not None:
        return gateway.bus
    bus = getattr(app.state, "bus", None)
    if bus is None:
        raise RuntimeError("this app has neither a gateway nor app.state.bus")
    return bus


def bus_dep(request: Request) -> EventBus:
    return bus_for_app(request.app)


def opening_hours_dep() -> OpeningHours | None:
    """The clinic's opening hours (tests override this dependency to pin the clock's meaning)."""
    return load_opening_hours()
