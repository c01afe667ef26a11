"""Run an ASGI app under a real uvicorn server in a background thread, on a free loopback port.

Tests then talk to it over real HTTP and WebSockets, exactly as browsers,
Telegram or integrations do; the app's lifespan (migrations, Telegram start-up)
runs as in production.
"""

from __future__ import annotations

import socket
import threading
import time
import warnings
from typing import Any

import uvicorn

# websockets 10 (pinned by Rasa) works with uvicorn's "websockets" protocol, which warns
# that its default will change; the project pins the protocol explicitly.
warnings.filterwarnings("ignore", message="The `websockets` implementation is deprecated")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerThread:
    """`with ServerThread(app) as base_url:` serves `app` on 127.0.0.1 until the block ends."""

    def __init__(self, app: Any, port: int | None = None, **config: Any) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", port or 0))
        self.port = int(self._socket.getsockname()[1])
        self.base_url = f"http://127.0.0.1:{self.port}"
        options = {"log_level": "warning", "lifespan": "on", "ws": "websockets"} | config
        self.server = uvicorn.Server(uvicorn.Config(app, **options))
        self._thread = threading.Thread(target=self._run, name=f"uvicorn-{self.port}", daemon=True)
        self.error: BaseException | None = None

    def _run(self) -> None:
        try:
            self.server.run(sockets=[self._socket])
        except BaseException as exc:  # noqa: BLE001 - reported to the test by start()
            self.error = exc

    def start(self, timeout: float = 60.0) -> str:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if self.error is not None or not self._thread.is_alive():
                raise RuntimeError(f"server failed to start: {self.error!r}")
            if time.monotonic() > deadline:
                raise TimeoutError("server did not start in time")
            time.sleep(0.02)
        return self.base_url

    def stop(self, timeout: float = 30.0) -> None:
        self.server.should_exit = True
        self._thread.join(timeout)
        self._socket.close()

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def wait_until(
    predicate: Any, timeout: float = 10.0, interval: float = 0.02, message: str = ""
) -> Any:
    """Poll `predicate` until it returns something truthy; that value, or AssertionError."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(message or "condition not met in time")
        time.sleep(interval)
