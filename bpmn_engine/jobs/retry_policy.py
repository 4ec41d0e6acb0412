"""How long a failed job waits before its next attempt, and how many attempts it gets.

``retries`` on a job counts the attempts left after a failure (Camunda's convention: a
failure with 0 retries left raises an incident). A ``failedJobRetryTimeCycle`` shapes it:
``R5/PT1M`` gives 5 retries one minute apart; ``PT10M,PT17M,PT20M`` gives 3 retries with
those waits in order. Without a cycle the wait grows exponentially with full jitter
(AWS's "full jitter": uniform in [base/2, base * 2^(n-1)], capped), so a failing
downstream service is not hit by every job at the same moment.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from bpmn_engine.bpmn.timers import TimerDefinitionError, parse_duration

DEFAULT_RETRIES = 3


@dataclass(frozen=True)
class RetryPolicy:
    retries: int
    delays: tuple[timedelta, ...] = ()
    base: timedelta = timedelta(seconds=5)
    cap: timedelta = timedelta(minutes=10)

    def delay(self, failed_attempts: int, rng: random.Random | None = None) -> timedelta:
        """The wait after the ``failed_attempts``-th failure (1 = the first)."""
        if self.delays:
            return self.delays[min(failed_attempts, len(self.delays)) - 1]
        ceiling = min(
            self.cap.total_seconds(), self.base.total_seconds() * 2 ** (failed_attempts - 1)
        )
        floor = min(self.base.total_seconds() / 2, ceiling)
        return timedelta(seconds=(rng or random).uniform(floor, ceiling))


def retry_policy(
    cycle: str | None,
    *,
    default_retries: int = DEFAULT_RETRIES,
    base: timedelta = timedelta(seconds=5),
    cap: timedelta = timedelta(minutes=10),
) -> RetryPolicy:
    """The policy of a job from its retry time cycle (None: exponential backoff)."""
    if not cycle or not cycle.strip():
        return RetryPolicy(default_retries, base=base, cap=cap)
    text = cycle.strip()
    if text.upper().startswith("R"):
        head, _, period = text.partition("/")
        try:
            count = int(head[1:])
        except ValueError as exc:
            raise TimerDefinitionError(
                f"Expected a retry cycle like R5/PT1M, but got {cycle!r}"
            ) from exc
        delay = _duration(period, cycle)
        return RetryPolicy(count, (delay,) * max(count, 1), base=base, cap=cap)
    delays = tuple(_duration(part, cycle) for part in text.split(","))
    return RetryPolicy(len(delays), delays, base=base, cap=cap)


def _duration(text: str, cycle: str) -> timedelta:
    duration = parse_duration(text.strip())
    if duration.years or duration.months:
        raise TimerDefinitionError(f"Expected retry waits in days or less, but got {cycle!r}")
    return timedelta(days=duration.days) + duration.time
