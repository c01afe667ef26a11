"""The restart policy on an injected timeline: backoff, its reset, and when the supervisor gives up."""

from __future__ import annotations

import pytest

from bot.gateway.restart_policy import CrashHistory, RestartPolicy


def test_delays_double_up_to_the_longest_while_the_child_never_runs_stably() -> None:
    history = CrashHistory(RestartPolicy(first_delay_s=1, max_delay_s=8, max_crashes=99))
    delays = [history.crashed(now=t * 100.0, healthy_since=t * 100.0 - 5) for t in range(6)]
    assert delays == [1, 2, 4, 8, 8, 8]
    assert history.restarts == 6


def test_a_stable_run_starts_the_backoff_over() -> None:
    history = CrashHistory(RestartPolicy(first_delay_s=1, stable_after_s=60, max_crashes=99))
    assert history.crashed(now=10, healthy_since=5) == 1
    assert history.crashed(now=20, healthy_since=15) == 2
    assert history.crashed(now=200, healthy_since=100) == 1  # healthy for 100 s first


def test_too_many_crashes_within_the_window_means_it_keeps_crashing() -> None:
    history = CrashHistory(RestartPolicy(max_crashes=3, window_s=60))
    assert history.crashed(now=0, healthy_since=-10) is not None
    assert history.crashed(now=10, healthy_since=5) is not None
    assert history.crashed(now=20, healthy_since=15) is None
    assert history.restarts == 2


def test_crashes_spread_wider_than_the_window_are_restarted_forever() -> None:
    history = CrashHistory(RestartPolicy(max_crashes=3, window_s=60, max_delay_s=30))
    assert all(
        history.crashed(now=t * 40.0, healthy_since=t * 40.0 - 20) is not None for t in range(20)
    )


def test_starts_that_never_get_healthy_give_up_however_slowly_they_fail() -> None:
    history = CrashHistory(RestartPolicy(max_crashes=3, window_s=60))
    assert history.crashed(now=0, healthy_since=-100) is not None  # crashed after a good run
    assert history.crashed(now=500, healthy_since=None) is not None
    assert history.crashed(now=1000, healthy_since=None) is not None
    assert history.crashed(now=1500, healthy_since=None) is None


def test_a_policy_that_cannot_work_is_refused() -> None:
    with pytest.raises(ValueError, match="delays"):
        RestartPolicy(first_delay_s=10, max_delay_s=1)
    with pytest.raises(ValueError, match="max_crashes"):
        RestartPolicy(max_crashes=0)
