"""How routes (ours, the handoff API's, the console's) reach the running gateway's services.

`create_app` stores one `Gateway` in ``app.state.gateway``; these helpers fetch
it from a request, so other routers need no import-time globals. FastAPI
dependencies: ``Depends(gateway_dep)``, ``Depends(router_dep)``, ``Depends(session_factory_dep)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import Request
from sqlalchemy.orm import sessionmaker

if TYPE_CHECKING:
    from bot.gateway.app import Gateway
    from bot.gateway.events import EventBus
    from bot.gateway.routing import Router


def get_gateway(app: Any) -> Gateway:
    gateway = getattr(app.state, "gateway", None)
    if gateway is None:
        raise RuntimeError("this app was not built by bot.gateway.app.create_app")
    return gateway


def gateway_dep(request: Request) -> Gateway:
    return get_gateway(request.app)


def router_dep(request: Request) -> Router:
    return get_gateway(request.app).require_router()


def bus_dep(request: Request) -> EventBus:
    return get_gateway(request.app).bus


def session_factory_dep(request: Request) -> sessionmaker:
    return get_gateway(request.app).session_factory
