"""The clinician console's router, included by the gateway's create_app (bot.console.app:router).

Pages and actions live under /console; the console's own static files under
/console/static. Everything the console does goes through bot.handoff.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

from bot.console import auth, bulletins, dashboard, groups, inbox, live, proposals, views
from bot.console.rendering import HERE, ConsoleRoute

router = APIRouter(route_class=ConsoleRoute)
router.include_router(auth.router)
router.include_router(views.router)
router.include_router(live.router)
router.include_router(dashboard.router)
router.include_router(bulletins.router)
router.include_router(groups.router)
router.include_router(inbox.router)
router.include_router(proposals.router)

_STATIC = {
    "console.js": "text/javascript",
    "console.css": "text/css",
}


@router.get("/console/static/{name}", include_in_schema=False)
async def static(name: str) -> FileResponse:
    if name not in _STATIC:
        raise HTTPException(404, "Not found.")
    return FileResponse(HERE / "static" / name, media_type=_STATIC[name])
