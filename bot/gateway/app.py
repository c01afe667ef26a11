"""The gateway: one ASGI app for every patient channel, the REST API, health and the demo page.

FastAPI because the gateway is mostly async I/O (Rasa, Telegram, WebSockets),
python-telegram-bot runs natively in the same event loop, and integrations get
OpenAPI documentation (/docs) from the same code. Start-up validates settings,
runs the database migrations, loads the red-flag detector, connects to Rasa and
starts Telegram (webhook or polling) when a bot token is configured.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import importlib
import logging
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import anyio
from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from sqlalchemy import text

from bot.bulletins.dispatch import Dispatcher
from bot.channels import rest, telegram_webhook, webchat, webchat_bulletins
from bot.db.migrate import upgrade
from bot.db.session import make_engine, make_session_factory
from bot.events.after_commit import bind_publisher
from bot.events.bus import EventBus
from bot.events.factory import make_bus
from bot.gateway import handoff_api
from bot.gateway.background import purge_forever, retry_forever
from bot.gateway.http_docs import HEALTH_RESPONSES, HealthOut, install_allow_header
from bot.gateway.outbound import deliver_through
from bot.gateway.rasa_client import RasaClient
from bot.gateway.rasa_trackers import RasaTrackerEraser
from bot.gateway.routing import Router
from bot.gateway.safety import Detector, SafetyCheck, load_detector
from bot.gateway.service_status import read_status
from bot.gateway.texts import load_content, retention_days
from bot.gateway.validation import InputError
from bot.locks.base import ConversationLocks
from bot.locks.factory import make_locks
from bot.settings import Settings, get_settings

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent.parent / "channels" / "static"
T = TypeVar("T")
_LOAD = object()  # sentinel: load bot.safety's detector at start-up

# Routers other parts of PatientBot contribute, included when their module exists.
OPTIONAL_ROUTERS = ("bot.console.app:router",)


# How often the gateway looks for conversations past the retention limit.
PURGE_INTERVAL_S = 3600.0

class Gateway:
    """The services behind the app, created at start-up and stopped at shutdown."""

    def __init__(
        self,
        settings: Settings,
        *,
        bus: EventBus | None = None,
        locks: ConversationLocks | None = None,
        detector: Any = _LOAD,
        retry_interval_s: float = 30.0,
        run_migrations: bool = True,
    ) -> None:
        self.settings = settings
        self.engine = make_engine(settings.database_url)
        # Redis when PATIENTBOT_REDIS_URL is set (several gateways), else in-process.
        self.bus = bus or make_bus(settings.redis_url, settings.redis_prefix)
        self.locks = locks or make_locks(
            settings.redis_url, settings.redis_prefix, settings.conversation_lock_ttl_s
        )
        # Handoff events are published on our bus once their unit of work commits.
        self.session_factory = bind_publisher(make_session_factory(self.engine), self.bus)
        self.retry_interval_s = retry_interval_s
        self.run_migrations = run_migrations
        self._detector_arg = detector
        self.safety = SafetyCheck(None)
        self.router: Router | None = None
        self.telegram: Any = None  # bot.channels.telegram.TelegramChannel when enabled
        self.telegram_error: str | None = None
        self.clinician_alerts: Any = None  # bot.channels.telegram_alerts.ClinicianAlerts when on
        self._alerts_task: asyncio.Task[None] | None = None
        self.bulletin_dispatcher: Dispatcher | None = None
        self._stop = asyncio.Event()
        self._retry_task: asyncio.Task[None] | None = None
        self._purge_task: asyncio.Task[None] | None = None
        self.trackers = RasaTrackerEraser(settings.rasa_tracker_db_url)
        self.loop: asyncio.AbstractEventLoop | None = None

    def run_in_loop(self, coroutine: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Run `coroutine` on the gateway's event loop from another thread (e.g. a sync worker).

        Router and bus are bound to that loop; `.result(timeout)` on the returned future waits.
        """
        if self.loop is None:
            raise RuntimeError("the gateway has not started")
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop)

    def require_router(self) -> Router:
        if self.router is None:
            raise RuntimeError("the gateway has not started")
        return self.router

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        await self.bus.start()
        if self.run_migrations:
            await anyio.to_thread.run_sync(upgrade, self.settings.database_url)
        detector: Detector | None = (
            await anyio.to_thread.run_sync(load_detector)
            if self._detector_arg is _LOAD
            else self._detector_arg
        )
        self.safety = SafetyCheck(detector)
        await anyio.to_thread.run_sync(load_content)
        if detector is not None:
            # Warm up (spaCy loads lazily) so the first patient is not the slow one.
            await anyio.to_thread.run_sync(self.safety.check, "hello")
        self.router = Router(
            session_factory=self.session_factory,
            rasa=RasaClient(
                self.settings.rasa_urls,
                timeout_s=self.settings.rasa_timeout_s,
                retries=self.settings.rasa_retries,
                max_in_flight=self.settings.rasa_max_in_flight,
                token=self.settings.rasa_token.get_secret_value(),
            ),
            bus=self.bus,
            safety=self.safety,
            max_message_chars=self.settings.max_message_chars,
            segment_turns=self.settings.rasa_segment_turns,
            db_concurrency=1 if self.settings.database_url.startswith("sqlite") else 10,
            trackers=self.trackers,
            locks=self.locks,
        )
        if self.settings.telegram_enabled:
            await self._start_telegram()
            if self.settings.clinician_telegram_notifications:
                await self._start_clinician_alerts()
        # Bulletin sends a stop or a crash interrupted carry on from their outbox rows.
        self.bulletin_dispatcher = Dispatcher(settings=self.settings, session_factory=self.session_factory)
        await self.bulletin_dispatcher.resume()
        self._retry_task = asyncio.create_task(
            retry_forever(self.router, self.retry_interval_s, self._stop)
        )
        self._purge_task = asyncio.create_task(
            purge_forever(
                self.router, timedelta(days=retention_days()), PURGE_INTERVAL_S, self._stop
            )
        )

    async def _start_telegram(self) -> None:
        from bot.channels.telegram import TelegramChannel

        assert self.router is not None
        try:
            channel = TelegramChannel(self.settings, self.router)
            await channel.start()
        except Exception as exc:  # noqa: BLE001 - web chat and REST keep working
            self.telegram_error = type(exc).__name__
            logger.error("Telegram channel failed to start: %s", type(exc).__name__)
            return
        self.telegram = channel
        self.router.register_channel("telegram", channel)

    async def _start_clinician_alerts(self) -> None:
        """Telegram alerts for on-duty clinicians, and their Claim button on our bot."""
        from bot.channels.telegram_alerts import (
            ClinicianAlerts,
            ClinicianNotifier,
            register_claim_handler,
        )

        assert self.router is not None
        notifier = ClinicianNotifier(self.settings, self.session_factory)
        try:
            await notifier.start()
        except Exception as exc:  # noqa: BLE001 - alerts are a convenience: the console still works
            logger.error("clinician Telegram alerts are off: %s", type(exc).__name__)
            return
        self.clinician_alerts = ClinicianAlerts(notifier, self.bus, self.locks)
        self._alerts_task = asyncio.create_task(self.clinician_alerts.run(self._stop))
        application = getattr(self.telegram, "application", None)
        if application is not None:
            register_claim_handler(
                application, self.session_factory, self.settings, deliver_through(self.router)
            )

    async def stop(self) -> None:
        self._stop.set()
        tasks = [
            task
            for task in (self._retry_task, self._purge_task, self._alerts_task)
            if task is not None
        ]
        await asyncio.gather(*tasks, return_exceptions=True)
        if self.bulletin_dispatcher is not None:
            await self.bulletin_dispatcher.stop()
        self.trackers.dispose()
        if self.telegram is not None:
            await self.telegram.stop()
            self.telegram = None
        if self.router is not None:
            await self.router.rasa.aclose()
        await self.bus.aclose()
        await self.locks.aclose()
        self.engine.dispose()

    def database_ok(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001
            return False


def _include_optional_routers(app: FastAPI) -> list[str]:
    included = []
    for spec in OPTIONAL_ROUTERS:
        module_name, attribute = spec.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                continue  # that part is not in this build
            raise
        app.include_router(getattr(module, attribute))
        included.append(module_name)
    return included


def create_app(
    settings: Settings | None = None,
    *,
    detector: Any = _LOAD,
    retry_interval_s: float = 30.0,
    bus: EventBus | None = None,
    locks: ConversationLocks | None = None,
) -> FastAPI:
    """Build the gateway app; settings are validated here, services start in the lifespan."""
    settings = settings or get_settings()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines carry the bot token
    gateway = Gateway(
        settings, bus=bus, locks=locks, detector=detector, retry_interval_s=retry_interval_s
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await gateway.start()
        try:
            yield
        finally:
            await gateway.stop()

    app = FastAPI(
        title="PatientBot gateway",
        description=(
            "Patient channels (Telegram, web chat) and the integration API of PatientBot. "
            "Integration endpoints need an API key (`patientbot apikey create NAME`) "
            "in the `X-API-Key` header or as a bearer token."
        ),
        version="1.0",
        lifespan=lifespan,
    )
    app.state.gateway = gateway
    install_allow_header(app)

    @app.exception_handler(InputError)
    async def _input_error(_request: Request, exc: InputError) -> JSONResponse:
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)

    app.include_router(webchat.router)
    app.include_router(webchat_bulletins.router)
    app.include_router(rest.router)
    app.include_router(telegram_webhook.router)
    app.include_router(handoff_api.router)
    app.state.optional_routers = _include_optional_routers(app)
    _add_core_routes(app, gateway)
    return app


def _add_core_routes(app: FastAPI, gateway: Gateway) -> None:
    @app.get(
        "/health",
        tags=["operations"],
        summary="Database, Rasa and supervised services",
        response_model=HealthOut,
        responses=HEALTH_RESPONSES,
    )
    async def health() -> JSONResponse:
        database = await anyio.to_thread.run_sync(gateway.database_ok)
        rasa = await gateway.router.rasa.is_up() if gateway.router else False
        telegram = "off"
        if gateway.settings.telegram_enabled:
            telegram = gateway.settings.telegram_mode if gateway.telegram else "error"
        # Under `patientbot run`: each supervised child's state and restart count.
        status_file = gateway.settings.supervisor_status_file
        services = read_status(status_file) if status_file is not None else None
        all_up = all(s.get("state") == "up" for s in (services or {}).values())
        body: dict[str, Any] = {
            "status": "ok" if database and rasa and all_up else ("degraded" if database else "down"),
            "database": database,
            "rasa": rasa,
            # Messages waiting at the gateway for a Rasa server with room: a backlog here
            # means the Rasa servers cannot keep up (add one, or a core).
            "rasa_waiting": gateway.router.rasa.load()["waiting"] if gateway.router else 0,
            "safety": gateway.safety.available,
            "telegram": telegram,
        }
        if services is not None:
            body["services"] = services
        return JSONResponse(body, status_code=200 if database else 503)

    @app.get("/", include_in_schema=False)
    async def demo_page() -> HTMLResponse:
        return HTMLResponse((STATIC_DIR / "demo.html").read_text(encoding="utf-8"))

    @app.get("/widget.js", include_in_schema=False)
    async def widget_js() -> FileResponse:
        return FileResponse(STATIC_DIR / "widget.js", media_type="text/javascript")

    @app.get("/widget.css", include_in_schema=False)
    async def widget_css() -> FileResponse:
        return FileResponse(STATIC_DIR / "widget.css", media_type="text/css")
