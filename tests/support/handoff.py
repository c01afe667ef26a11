"""Helpers shared by the handoff, console and action tests: rows and a real server on loopback."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import uvicorn
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import Conversation, Message
from bot.handoff import clinicians
from bot.handoff.models import AuditEvent, Clinician, Handoff

PASSWORD = "correct horse battery staple"


def make_conversation(
    session: Session, *, channel: str = "webchat", external_id: str | None = None, **fields: Any
) -> Conversation:
    conversation = Conversation(
        channel=channel, external_id=external_id or f"ext-{time.monotonic_ns()}", **fields
    )
    session.add(conversation)
    session.flush()
    return conversation


def make_clinician(
    session: Session,
    username: str,
    *,
    password: str = PASSWORD,
    on_duty: bool = True,
    role: str = "clinician",
    telegram_chat_id: str | None = None,
) -> Clinician:
    return clinicians.create_clinician(
        session=session,
        username=username,
        display_name=username.title(),
        password=password,
        role=role,
        on_duty=on_duty,
        telegram_chat_id=telegram_chat_id,
    )


def add_message(
    session: Session, conversation_id: str, sender: str, text: str, **fields: Any
) -> Message:
    message = Message(conversation_id=conversation_id, sender=sender, text=text, **fields)
    session.add(message)
    session.flush()
    return message


def handoff_row(session: Session, handoff_id: str) -> dict[str, Any]:
    """Every column of a handoff, to prove that a refused request changed nothing."""
    session.expire_all()
    handoff = session.get(Handoff, handoff_id)
    assert handoff is not None
    return {c.name: getattr(handoff, c.name) for c in Handoff.__table__.columns}


def audit_count(session: Session) -> int:
    return int(session.scalar(select(func.count(AuditEvent.id))) or 0)


def audit_actions(session: Session, target_id: str) -> list[str]:
    return list(
        session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.target_id == target_id)
            .order_by(AuditEvent.id)
        )
    )


class _QuietServer(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # running in a thread: leave signals alone
        pass


@contextlib.contextmanager
def serve(app: Any) -> Iterator[str]:
    """Serve an ASGI app with uvicorn in a thread on a free loopback port; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    # websockets 10 (pinned by Rasa) is too old for uvicorn's default; wsproto works.
    config = uvicorn.Config(
        app, log_level="warning", lifespan="on", ws="wsproto", timeout_graceful_shutdown=2
    )
    server = _QuietServer(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


