"""The action server: rasa_sdk's app on 127.0.0.1, refusing every call without the shared token.

`rasa run actions` binds 0.0.0.0 and lets anyone who can reach port 5055 run
any custom action: an unauthenticated POST /webhook ran `action_handoff` and
queued a fake handoff for a clinician. This module builds the same rasa_sdk
app and serves it itself, so it can bind the loopback interface by default
and check a token before any action runs:

    python -m actions.server [--host 127.0.0.1] [--port 5055]

The token comes from `PATIENTBOT_ACTIONS_TOKEN` (`make setup` writes one to
var/patientbot.env; `patientbot run` passes it to this server and to Rasa);
without one the server does not start. Rasa presents it as the `token` query
parameter (endpoints.yml: `action_endpoint.token`), which is what Rasa 3.6's
EndpointConfig sends.
/health stays open for health checks; it runs nothing and says only "ok".
Access logs stay off: they would carry the token in the query string.
"""

from __future__ import annotations

import argparse
import hmac
import logging
import os
import sys
from collections.abc import Sequence

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

TOKEN_ENV = "PATIENTBOT_ACTIONS_TOKEN"
MIN_TOKEN_CHARS = 16
NO_TOKEN = (
    f"error: {TOKEN_ENV} must be set to a token of at least {MIN_TOKEN_CHARS} characters "
    "(`make setup` writes one to var/patientbot.env)"
)
OPEN_PATHS = frozenset({"/health"})


def require_token(app: Sanic, token: str) -> None:
    """Refuse (401) every request but /health that does not carry `token`, before any handler runs."""
    expected = token.encode("utf-8")

    async def check(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS:
            return None
        presented = str(request.args.get("token", "")).encode("utf-8")
        if hmac.compare_digest(presented, expected):
            return None
        logger.warning("refused %s %s without a valid token", request.method, request.path)
        return response.json({"error": "Not authenticated."}, status=401)

    app.register_middleware(check, "request")


def build_app(token: str, actions_package: str = "actions") -> Sanic:
    """rasa_sdk's app for `actions_package`, without CORS (no browser calls it), behind the token."""
    app = create_app(actions_package, cors_origins=None)
    require_token(app, token)
    return app


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m actions.server", description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=5055, help="port (default 5055)")
    parser.add_argument("--actions", default="actions", help="package of the actions (default actions)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    token = os.environ.get(TOKEN_ENV, "")
    if len(token) < MIN_TOKEN_CHARS:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    app = build_app(token, args.actions)
    logger.info("action server on http://%s:%d", args.host, args.port)
    app.run(host=args.host, port=args.port, workers=1, access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
