"""When `patientbot run` restarts a crashed child, and when it stops trying.

A Rasa server killed by the kernel's OOM killer, or a gateway that hit a bug,
should come back on its own: the other Rasa servers keep answering meanwhile,
and a patient's failed message is answered when Rasa is back. Restarting at
once and forever would turn a child that cannot start (a broken model, a port
taken, a database that refuses it) into a busy loop that floods the log, so
restarts wait longer each time, and a child that keeps crashing makes the
supervisor give up and stop the stack, so that whoever runs it (a person, or
systemd with `Restart=on-failure`) sees a failure rather than a stack that
silently never comes up.

Pure bookkeeping on times passed in by the caller: the tests drive it with an
injected clock and never sleep.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class RestartPolicy:
    """Exponential backoff between restarts, and the limits that mean "it keeps crashing"."""

    first_delay_s: float = 1.0
    max_delay_s: float = 30.0
    # Give up after this many crashes within `window_s`, or this many starts in a row
    # that never became healthy (however long each start took to fail).
    max_crashes: int = 5
    window_s: float = 300.0
    # Healthy this long: the next crash is a fresh one, restarted after `first_delay_s` again.
    stable_after_s: float = 60.0

    def __post_init__(self) -> None:
        if not 0 <= self.first_delay_s <= self.max_delay_s:
            raise ValueError("delays must satisfy 0 <= first_delay_s <= max_delay_s")
        if self.max_crashes < 1 or self.window_s <= 0 or self.stable_after_s < 0:
            raise ValueError("max_crashes >= 1, window_s > 0 and stable_after_s >= 0 are needed")


class CrashHistory:
    """One child's crashes: the delay before its next restart, or None to give up."""

    def __init__(self, policy: RestartPolicy) -> None:
        self.policy = policy
        self.restarts = 0  # restarts decided so far (shown in /health)
        self._recent: deque[float] = deque()  # crash times within the window
        self._streak = 0  # crashes since the child last ran stably
        self._failed_starts = 0  # starts in a row that never became healthy

    def crashed(self, now: float, healthy_since: float | None) -> float | None:
        """Record a crash at `now`; `healthy_since` is when this run became healthy (None: never).

        Returns how long to wait before restarting, or None when the child keeps crashing.
        """
        policy = self.policy
        if healthy_since is None:
            self._failed_starts += 1
        else:
            self._failed_starts = 0
            if now - healthy_since >= policy.stable_after_s:
                self._streak = 0
        self._streak += 1
        self._recent.append(now)
        while self._recent and self._recent[0] <= now - policy.window_s:
            self._recent.popleft()
        if len(self._recent) >= policy.max_crashes or self._failed_starts >= policy.max_crashes:
            return None
        self.restarts += 1
        return float(min(policy.first_delay_s * 2 ** (self._streak - 1), policy.max_delay_s))
