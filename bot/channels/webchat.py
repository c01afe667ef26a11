"""Web chat channel: the embeddable widget's WebSocket and its HTTP fallback.

Identity is a session token the browser keeps in localStorage: 32 random bytes
(43 base64url characters) issued by `POST /webchat/api/session`. The server
keeps only its SHA-256, which is the conversation's external id. No web chat
route accepts a conversation id, so guessing one reveals nothing; a token is the
only key to a conversation.

WebSocket protocol (`/webchat/ws`, JSON text frames):
  client -> {"type": "hello", "token": T, "after": last_seen_id}
  server -> {"type": "ready", "messages": [...]}     history after `after`
  client -> {"type": "message", "text": "..."} | {"type": "button", "message_id": M, "index": I}
            | {"type": "delete"} | {"type": "ping"}
  server -> {"type": "message", "message": {...}} | {"type": "typing", "on": bool}
            | {"type": "deleted", "text": "..."} | {"type": "pong"}
            | {"type": "error", "status": 4xx, "detail": "..."}
HTTP fallback (header ``X-PatientBot-Session: T``): GET/POST /webchat/api/messages,
DELETE /webchat/api/conversation; same validation, real 4xx statuses.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import secrets
from typing import Any, cast

from fastapi import (
    APIRouter,
    HTTPException,
    Query,
    Request,
    Security,
    WebSocket,
    WebSocketDisconnect,
)
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader
from starlette.websockets import WebSocketState

from bot.apidoc import OutModel, errors, json_body
from bot.channels.bodies import WEBCHAT_MESSAGE
from bot.gateway.conversations import hash_token
from bot.gateway.deps import get_gateway
from bot.gateway.messages import ErasureFailed
from bot.gateway.routing import Incoming, Router
from bot.gateway.texts import system_text
from bot.gateway.validation import (
    MAX_ID,
    InputError,
    parse_button,
    parse_json_object,
    refuse_unknown_fields,
)

logger = logging.getLogger(__name__)

CHANNEL = "webchat"
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")
MAX_FRAME_BYTES = 64_000
HELLO_TIMEOUT_S = 15.0

router = APIRouter(prefix="/webchat", tags=["web chat"])

# Documented as a security scheme: the token is the browser's only credential.
_session_header = APIKeyHeader(
    name="X-PatientBot-Session",
    auto_error=False,
    scheme_name="WebChatSession",
    description="The token from POST /webchat/api/session (43 base64url characters).",
)


class SessionOut(OutModel):
    token: str


class WebChatMessageOut(OutModel):
    id: int
    sender: str
    text: str
    buttons: list[dict[str, Any]]
    created_at: str


class MessagesOut(OutModel):
    messages: list[WebChatMessageOut]


class DeletedOut(OutModel):
    deleted: bool
    text: str


_ERRORS = errors(
    {
        400: "Body not UTF-8, not JSON, or empty.",
        401: "Missing or malformed session token.",
        404: "That button is not part of this conversation.",
        413: "Message or body over the length limit.",
        422: "Well-formed JSON with a missing or invalid field.",
        503: "The conversation could not be erased everywhere; it is kept. Try again.",
    }
)


def _errors(*statuses: int) -> dict[int | str, Any]:
    return {status: _ERRORS[status] for status in statuses}


def new_token() -> str:
    return secrets.token_urlsafe(32)


def external_id_for(token: str | None) -> str:
    """The conversation key for a session token; InputError 401 if the token is malformed."""
    if not token or not TOKEN_RE.match(token):
        raise InputError(401, "Missing or malformed web chat session token.")
    return hash_token(token)


def incoming_from(data: dict[str, Any], external_id: str) -> Incoming:
    """A patient action from a web chat frame or request body."""
    if "button" in data or data.get("type") == "button":
        raw = data.get("button", data)
        return Incoming(CHANNEL, external_id, button=parse_button(raw), token_hash=external_id)
    if "text" not in data:
        raise InputError(422, "Send 'text' or a 'button'.")
    text = data["text"]
    if not isinstance(text, str):
        raise InputError(422, "'text' must be a string.")
    return Incoming(CHANNEL, external_id, text=text, token_hash=external_id)


def http_incoming(data: dict[str, Any], external_id: str) -> Incoming:
    """A patient action from an HTTP body, in one of its two documented shapes only."""
    refuse_unknown_fields(data, ("type", "text", "button"))
    if "button" in data and "text" in data:
        raise InputError(422, "Send 'text' or a 'button', not both.")
    kind = "button" if "button" in data else "message"
    if data.get("type", kind) != kind:
        raise InputError(422, "'type' must be 'message' with 'text', or 'button' with 'button'.")
    return incoming_from(data, external_id)


def _router(request: Request) -> Router:
    return get_gateway(request.app).require_router()


@router.post("/api/session", response_model=SessionOut, summary="Start a web chat session")
async def create_session() -> dict[str, str]:
    """A fresh session token for a browser; the widget keeps it in localStorage."""
    return {"token": new_token()}


@router.get(
    "/api/messages",
    response_model=MessagesOut,
    responses=_errors(401),
    summary="Web chat history (and polling fallback)",
)
async def get_messages(
    request: Request,
    after: int = Query(0, ge=0, le=MAX_ID),
    x_patientbot_session: str | None = Security(_session_header),
) -> dict[str, Any]:
    external_id = external_id_for(x_patientbot_session)
    messages = await _router(request).history(CHANNEL, external_id, after_id=after)
    return {"messages": [m.public() for m in messages]}


@router.post(
    "/api/messages",
    response_model=MessagesOut,
    responses=_errors(400, 401, 404, 413, 422),
    summary="Send a web chat message over HTTP (fallback)",
    openapi_extra=json_body(WEBCHAT_MESSAGE),
)
async def post_message(
    request: Request, x_patientbot_session: str | None = Security(_session_header)
) -> dict[str, Any]:
    external_id = external_id_for(x_patientbot_session)
    data = parse_json_object(await request.body())
    result = await _router(request).handle_incoming(http_incoming(data, external_id))
    return {"messages": [result.patient_message.public()] + [m.public() for m in result.replies]}


@router.delete(
    "/api/conversation",
    response_model=DeletedOut,
    responses=_errors(401, 503),
    summary="Erase this web chat conversation",
)
async def delete_conversation(
    request: Request, x_patientbot_session: str | None = Security(_session_header)
) -> dict[str, Any]:
    external_id = external_id_for(x_patientbot_session)
    try:
        deleted = await _router(request).erase(CHANNEL, external_id)
    except ErasureFailed:
        raise HTTPException(503, system_text("conversation_delete_failed")) from None
    return {"deleted": deleted, "text": system_text("conversation_deleted")}


class _Socket:
    """One browser connection: a reader that routes frames, a writer that forwards bus events."""

    def __init__(self, websocket: WebSocket, router_: Router) -> None:
        self.websocket = websocket
        self.router = router_
        self._send_lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()

    async def send(self, frame: dict[str, Any]) -> None:
        if self.websocket.application_state != WebSocketState.CONNECTED:
            return
        # A browser that went away re-reads history when it reconnects.
        async with self._send_lock:
            with contextlib.suppress(RuntimeError, WebSocketDisconnect, OSError):
                await self.websocket.send_text(json.dumps(frame))

    async def error(self, status: int, detail: str) -> None:
        await self.send({"type": "error", "status": status, "detail": detail})

    async def _erase(self, external_id: str) -> None:
        """Erase on request; success arrives as the bus's "deleted" event, failure as an error frame."""
        try:
            await self.router.erase(CHANNEL, external_id)
        except ErasureFailed:
            await self.error(503, system_text("conversation_delete_failed"))

    async def receive_json(self, timeout: float | None = None) -> dict[str, Any] | None:
        """The next frame as a JSON object; None when the socket closed; InputError if bad."""
        receive = self.websocket.receive()
        message = await (asyncio.wait_for(receive, timeout) if timeout else receive)
        if message["type"] == "websocket.disconnect":
            return None
        if message.get("text") is None:
            raw = message.get("bytes") or b""
            if len(raw) > MAX_FRAME_BYTES:
                raise InputError(413, "Frame too large.")
            return parse_json_object(raw, MAX_FRAME_BYTES)
        return parse_json_object(message["text"].encode("utf-8"), MAX_FRAME_BYTES)

    async def run(self) -> None:
        try:
            hello = await self.receive_json(timeout=HELLO_TIMEOUT_S)
        except (asyncio.TimeoutError, InputError):
            await self.websocket.close(code=4400)
            return
        if hello is None:
            return
        try:
            external_id = external_id_for(hello.get("token"))
        except InputError:
            await self.websocket.close(code=4401)
            return
        after = cast(int, hello.get("after")) if isinstance(hello.get("after"), int) else 0
        with self.router.bus.subscribe(f"channel:{CHANNEL}:{external_id}") as subscription:
            history = await self.router.history(CHANNEL, external_id, after_id=after)
            await self.send({"type": "ready", "messages": [m.public() for m in history]})
            writer = asyncio.create_task(self._forward(subscription))
            try:
                await self._read(external_id)
            finally:
                writer.cancel()
                for task in list(self._tasks):
                    task.cancel()

    async def _forward(self, subscription: Any) -> None:
        async for _topic, event in subscription:
            if event["type"] == "message":
                await self.send({"type": "message", "message": event["message"]})
            elif event["type"] == "typing":
                await self.send({"type": "typing", "on": bool(event.get("on"))})
            elif event["type"] == "deleted":
                await self.send({"type": "deleted", "text": system_text("conversation_deleted")})

    async def _read(self, external_id: str) -> None:
        while True:
            try:
                frame = await self.receive_json()
            except InputError as exc:
                await self.error(exc.status_code, exc.detail)
                continue
            except (WebSocketDisconnect, RuntimeError):
                return
            if frame is None:
                return
            kind = frame.get("type")
            if kind == "ping":
                await self.send({"type": "pong"})
            elif kind == "delete":
                self._spawn(self._erase(external_id))
            elif kind in ("message", "button"):
                try:
                    incoming = incoming_from(frame, external_id)
                except InputError as exc:
                    await self.error(exc.status_code, exc.detail)
                    continue
                self._spawn(self._route(incoming))
            else:
                await self.error(
                    400, "Unknown frame type: use 'message', 'button', 'delete' or 'ping'."
                )

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _route(self, incoming: Incoming) -> None:
        # Replies reach this socket through the bus, like those for other tabs.
        try:
            await self.router.handle_incoming(incoming)
        except InputError as exc:
            await self.error(exc.status_code, exc.detail)
        except Exception as exc:  # noqa: BLE001 - never leave the patient without an answer
            logger.error("web chat message could not be routed: %s", type(exc).__name__)
            await self.error(500, system_text("service_unavailable"))


@router.websocket("/ws")
async def websocket_endpoint(websocket: WebSocket) -> None:
    await websocket.accept()
    gateway = get_gateway(websocket.app)
    await _Socket(websocket, gateway.require_router()).run()
    if websocket.application_state == WebSocketState.CONNECTED:
        with contextlib.suppress(RuntimeError):
            await websocket.close()


def input_error_response(exc: InputError) -> JSONResponse:
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
