"""Keep the inbox filled while the console is used: a collection pass in a background thread.

The inbox page calls `kick()`; if no pass is running and the last one ended
more than COLLECT_EVERY_S ago, a new one starts in a thread (embedding takes
milliseconds per question and loading the FAQ index seconds the first time),
so the page itself never waits for it. `patientbot inbox collect` runs the
same pass from cron or by hand. One pass at a time per process; the table's
unique key keeps two processes from adding a question twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import sessionmaker

from bot.db.session import unit_of_work
from bot.inbox.collect import COLLECT_EVERY_S, Collected, collect
from bot.inbox.grouping import Encoder, FaqIndex

logger = logging.getLogger(__name__)


@dataclass
class Collector:
    factory: sessionmaker
    encoder: Callable[[], Encoder]
    faqs: Callable[[Encoder], FaqIndex]
    clock: Callable[[], datetime]
    every: timedelta = timedelta(seconds=COLLECT_EVERY_S)
    last_finished: datetime | None = None
    last_result: Collected | None = None
    thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def run_once(self) -> Collected:
        encoder = self.encoder()
        faqs = self.faqs(encoder)
        with unit_of_work(self.factory) as session:
            result = collect(session=session, encoder=encoder, faqs=faqs, now=self.clock())
        self.last_result, self.last_finished = result, self.clock()
        return result

    def due(self) -> bool:
        return self.last_finished is None or self.clock() - self.last_finished >= self.every

    def kick(self) -> bool:
        """Start a pass in the background if one is due and none is running; True if started."""
        if not self.due() or not self._lock.acquire(blocking=False):
            return False

        def work() -> None:
            try:
                self.run_once()
            except Exception:  # noqa: BLE001 - the next kick tries again
                logger.exception("inbox collection failed")
                self.last_finished = self.clock()
            finally:
                self._lock.release()

        self.thread = threading.Thread(target=work, name="inbox-collect", daemon=True)
        self.thread.start()
        return True
