"""After approval: rebuild the content, retrain only when stale, and roll the model onto every Rasa server.

One server at a time: each is given the new model with Rasa's `PUT /model`
(the server loads it, then swaps it in) and checked with `GET /status` before
the next one is touched. While one server loads, the others keep answering
(the gateway sends each message to the server with the fewest requests in
flight), so patients are never without an assistant. A server that refuses
stops the rollout: the rest keep the model they had, and the state says
which server failed.

`patientbot content publish` runs it from the command line; the console's
admins start it with a button (in a background thread: training takes
minutes) and watch its state on the proposals page.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx

from bot.content.compiler import compile_faq_data, write_faq_data
from bot.content.loader import ContentLoadError, load_clinic
from bot.content.store import get_content_store
from bot.content.validator import validate_dir
from bot.db.base import utcnow
from bot.paths import CLINIC_FILE, CONTENT_DIR, DATA_DIR, GENERATED_DIR, MODELS_DIR
from bot.training import CONFIG_FILE, ensure_model, is_stale, model_path

logger = logging.getLogger(__name__)

MODEL_NAME = "patientbot"
LOAD_TIMEOUT_S = 600.0


class PublishFailed(Exception):
    """A step refused: the content does not build, training failed, or a server did not take the model."""


@dataclass(frozen=True)
class Built:
    served: int
    skipped: int
    changed: bool


def rebuild_content(
    *, content_dir: Path = CONTENT_DIR, clinic_file: Path = CLINIC_FILE, output_dir: Path = GENERATED_DIR,
    today: date | None = None,
) -> Built:
    """`patientbot content build`: refuses content with any defect but expiry."""
    try:
        clinic = load_clinic(clinic_file)
    except ContentLoadError as error:
        raise PublishFailed(str(error)) from None
    today = today or date.today()
    entries, defects = validate_dir(content_dir, clinic, today=today)
    blocking = [d for d in defects if "has expired" not in d.message]
    if blocking:
        raise PublishFailed(f"the content has {len(blocking)} defect(s), first: {blocking[0]}")
    document, result = compile_faq_data(entries, clinic, today=today)
    target = output_dir / "faq.yml"
    before = target.read_bytes() if target.exists() else None
    path = write_faq_data(document, output_dir)
    return Built(len(result.served), len(result.skipped), path.read_bytes() != before)


@dataclass(frozen=True)
class Trained:
    path: Path
    retrained: bool


def retrain_if_stale(
    *, name: str = MODEL_NAME, config: Path = CONFIG_FILE, out_dir: Path = MODELS_DIR, data_dir: Path = DATA_DIR,
) -> Trained:
    """Train only when what the model is trained on changed (bot.training's fingerprint)."""
    stale = is_stale(name, config, out_dir, data_dir)
    if not stale:
        return Trained(model_path(name, out_dir), False)
    try:
        return Trained(ensure_model(name, config, out_dir, data_dir=data_dir), True)
    except RuntimeError as error:
        raise PublishFailed(str(error)) from None


@dataclass(frozen=True)
class ServerRollout:
    url: str
    model_file: str


def roll_out(model: Path, servers: list[str], *, token: str, timeout_s: float = LOAD_TIMEOUT_S) -> list[ServerRollout]:
    """Give `model` to each server in turn, checking each before the next."""
    done: list[ServerRollout] = []
    with httpx.Client(timeout=timeout_s) as client:
        for url in servers:
            base = url.rstrip("/")
            try:
                response = client.put(f"{base}/model", params={"token": token}, json={"model_file": str(model)})
                if response.status_code != 204:
                    raise PublishFailed(f"{base} refused the model (HTTP {response.status_code})")
                status = client.get(f"{base}/status", params={"token": token})
                status.raise_for_status()
            except httpx.HTTPError as error:
                raise PublishFailed(f"{base} could not be reached ({type(error).__name__})") from None
            loaded = str(status.json().get("model_file") or "")
            if Path(loaded).name != model.name:
                raise PublishFailed(f"{base} reports model {loaded!r} after the update")
            logger.info("rolled model %s onto %s", model.name, base)
            done.append(ServerRollout(base, loaded))
    return done


@dataclass
class PublishState:
    status: str = "idle"  # idle, running, done, failed
    step: str = ""
    started_at: datetime | None = None
    finished_at: datetime | None = None
    detail: str = ""
    servers: list[str] = field(default_factory=list)


@dataclass
class Publisher:
    """Runs rebuild, retrain-when-stale and rollout, one at a time, and keeps the last run's state."""

    servers: list[str]
    token: str
    rebuild: Callable[[], Built] = rebuild_content
    retrain: Callable[[], Trained] = retrain_if_stale
    state: PublishState = field(default_factory=PublishState)
    thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, *, force_rollout: bool = False) -> PublishState:
        with self._lock:
            return self._run(force_rollout)

    def _run(self, force_rollout: bool) -> PublishState:
        self.state = PublishState(status="running", started_at=utcnow())
        try:
            self.state.step = "building the content"
            built = self.rebuild()
            get_content_store.cache_clear()  # the gateway serves the rebuilt content at once
            self.state.step = "training the model if stale"
            trained = self.retrain()
            if trained.retrained or force_rollout:
                self.state.step = "rolling the model out"
                self.state.servers = [s.url for s in roll_out(trained.path, self.servers, token=self.token)]
            self.state.detail = (
                f"{built.served} FAQs served; model {'retrained' if trained.retrained else 'up to date'}"
                + (f"; rolled onto {len(self.state.servers)} server(s)" if self.state.servers else "")
            )
            self.state.status = "done"
        except PublishFailed as error:
            self.state.status, self.state.detail = "failed", str(error)
        except Exception as error:  # noqa: BLE001 - the state must not stay "running"
            logger.exception("content publish failed")
            self.state.status, self.state.detail = "failed", f"unexpected error ({type(error).__name__})"
        finally:
            self.state.finished_at = utcnow()
        return self.state

    def start(self, *, force_rollout: bool = False) -> bool:
        """Run in a background thread; False if a run is going on."""
        if not self._lock.acquire(blocking=False):
            return False
        self.state = PublishState(status="running", started_at=utcnow(), step="starting")

        def work() -> None:
            try:
                self._run(force_rollout)
            finally:
                self._lock.release()

        self.thread = threading.Thread(target=work, name="content-publish", daemon=True)
        self.thread.start()
        return True


def publisher_for(app: Any, settings: Any) -> Publisher:
    """The app's one publisher (so two admins never train twice at once)."""
    publisher = getattr(app.state, "content_publisher", None)
    if publisher is None:
        publisher = Publisher(settings.rasa_urls, settings.rasa_token.get_secret_value())
        app.state.content_publisher = publisher
    return publisher
