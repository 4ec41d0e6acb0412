"""Due timers, claimed and fired in batches.

A poller claims up to ``limit`` due timers at a time (``SKIP LOCKED`` plus a claim that
expires, so pollers share the work and a dead one leaves its timers to the next). A
claimed batch fires in **one** transaction: the instances without a parent are locked in
one statement, the timers read once, and timers of the same instance fire one after the
other on the instance as the previous one left it. Should anything in the batch fail, it
is rolled back and every timer fires again in a command of its own (``fire_timer``), so
one bad instance costs the others nothing but the retry.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from bpmn_engine.errors import EngineError
from bpmn_engine.persistence import deferred, sql, timer_rows
from bpmn_engine.runtime import triggers as tr
from bpmn_engine.services.events import fire_timer
from bpmn_engine.services.transactions import command
from bpmn_engine.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)
DEFAULT_BATCH = 100


@command
def claim_due_timers(
    *, now: datetime | None = None, limit: int = DEFAULT_BATCH, claim_seconds: float = 60
) -> list[int]:
    """Claim up to ``limit`` due timers for this poller, oldest first.

    ``SKIP LOCKED`` lets several pollers share the work without waiting on each other;
    the claim expires, so a poller that dies leaves its timers to the next one."""
    now = now or timezone.now()
    return timer_rows.claim_due(now, now + timedelta(seconds=claim_seconds), limit)


def fire_due_timers(
    *,
    now: datetime | None = None,
    limit: int = DEFAULT_BATCH,
    call_for_help: Callable[[], object] | None = None,
    wake: Callable[[float], object] | None = None,
    horizon: float = 1.0,
) -> int:
    """Claim due timers ``limit`` at a time and fire each batch in one transaction until
    none is left; returns how many fired. ``call_for_help`` is called once, when the
    first batch comes back full (more are waiting): the Celery adapter uses it to send a
    second poll message so another worker shares the backlog. ``wake`` is called with the
    seconds until the next timer is due when that is less than ``horizon`` (the poll
    interval): the adapter sends a poll for that moment, so a timer does not wait for
    the next regular poll after it is due."""
    fired = 0
    while True:
        batch = claim_due_timers(now=now, limit=limit)
        if call_for_help is not None and len(batch) == limit:
            call_for_help()
            call_for_help = None
        fired += fire_timers(timer_ids=batch, now=now)
        if len(batch) < limit:
            if wake is not None and now is None:
                _wake_before_next(wake, horizon)
            return fired


def _wake_before_next(wake: Callable[[float], object], horizon: float) -> None:
    current = timezone.now()
    due = timer_rows.next_due(current)
    if due is not None and (due - current).total_seconds() < horizon:
        wake(max(0.0, (due - current).total_seconds()))


def fire_timers(*, timer_ids: list[int], now: datetime | None = None) -> int:
    """Fire the given (claimed) timers together; returns how many fired. A timer already
    fired, withdrawn, or whose instance is suspended is left alone."""
    if not timer_ids:
        return 0
    try:
        return _fire_together(timer_ids, now)
    except Exception as exc:  # any failure: each timer on its own, with its own outcome
        log.info("a batch of %d timers failed (%s); firing them one by one", len(timer_ids), exc)
    return sum(_fire_alone(timer_id, now) for timer_id in timer_ids)


def _fire_alone(timer_id: int, now: datetime | None) -> int:
    try:
        return int(fire_timer(timer_id=timer_id, now=now))
    except EngineError:  # stays claimed; the next poll after the claim expires retries it
        log.warning("could not fire timer %s", timer_id, exc_info=True)
        return 0


def _fire_together(timer_ids: list[int], now: datetime | None) -> int:
    """Without a given ``now`` each timer fires at its own clock reading, so its history
    says when it really fired, not when its batch began."""
    owners = timer_rows.owners(timer_ids)
    # Start-event timers start new instances; they keep their own command.
    alone = [pk for pk in timer_ids if pk in owners and owners[pk] is None]
    fired = 0
    with transaction.atomic(durable=True), sql.audit_heads_scope():
        work = UnitOfWork(now=now or timezone.now())
        work.lock_top_level([pk for pk in owners.values() if pk is not None])
        # Read after the lock: a command may have fired or withdrawn a timer meanwhile.
        timers = timer_rows.scheduled_waits(timer_ids)
        with deferred.deferring():
            for instance_id, wait_id in timers:
                loaded = work.instance(instance_id)
                # An earlier timer of this batch may have withdrawn this one's wait.
                if loaded.row.suspended or wait_id not in loaded.state.waits:
                    continue
                if now is None:
                    work.now = timezone.now()
                work.send(instance_id, tr.FireTimer(wait_id=wait_id))
                work.process()
                fired += 1
            work.flush_audit()
    return fired + sum(_fire_alone(pk, now) for pk in alone)
