"""Prometheus ``/metrics``: engine figures computed from the database on every scrape.

The database is the source of truth shared by the web app and every worker process, so a
collector that reads it gives one consistent picture whichever process is scraped (no
per-process counters to add up). Counters are counts of rows that only ever grow (while
history is kept); gauges are counts of open work.

Access: with ``PROCESSION_METRICS_TOKEN`` set, a scraper sends
``Authorization: Bearer <token>``; a logged-in process developer or administrator may
always read it. Everyone else gets 403.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.http import HttpRequest, HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    Metric,
    SummaryMetricFamily,
)

from bpmn_engine.models import (
    ActivityHistory,
    CircuitBreaker,
    Incident,
    Job,
    ProcessInstance,
    UserTask,
)
from bpmn_engine.models.work import BreakerState, JobState
from console.roles import is_console_user

BREAKER_STATES = [s.value for s in BreakerState]


class EngineCollector:
    """Reads the engine's tables; a handful of aggregate queries per scrape."""

    def collect(self) -> Iterator[Metric]:
        yield from self._instances()
        yield self._steps()
        yield from self._jobs()
        yield self._incidents()
        yield self._user_tasks()
        yield from self._breakers()

    def _instances(self) -> Iterator[Metric]:
        started = CounterMetricFamily(
            "procession_instances_started", "Process instances started", labels=["process"]
        )
        completed = CounterMetricFamily(
            "procession_instances_completed",
            "Process instances that reached an end",
            labels=["process"],
        )
        current = GaugeMetricFamily(
            "procession_instances", "Process instances by status", labels=["process", "status"]
        )
        rows = ProcessInstance.objects.values("definition__key", "status").annotate(n=Count("id"))
        totals: dict[str, int] = {}
        ended: dict[str, int] = {}
        for row in rows.order_by():
            key, status, n = row["definition__key"], row["status"], row["n"]
            totals[key] = totals.get(key, 0) + n
            if status == "completed":
                ended[key] = ended.get(key, 0) + n
            current.add_metric([key, status], n)
        for key, n in sorted(totals.items()):
            started.add_metric([key], n)
            completed.add_metric([key], ended.get(key, 0))
        yield started
        yield completed
        yield current

    def _steps(self) -> Metric:
        steps = CounterMetricFamily(
            "procession_steps", "Activity instances executed (history rows)", labels=["process"]
        )
        rows = ActivityHistory.objects.values("instance__definition__key").annotate(n=Count("id"))
        for row in rows.order_by():
            steps.add_metric([row["instance__definition__key"]], row["n"])
        return steps

    def _jobs(self) -> Iterator[Metric]:
        latency = SummaryMetricFamily(
            "procession_job_latency_seconds",
            "Time from job creation to completion, per handler type",
            labels=["job_type"],
        )
        failures = CounterMetricFamily(
            "procession_job_failures",
            "Failed job attempts (retried or ended in an incident), per handler type",
            labels=["job_type"],
        )
        queued = GaugeMetricFamily(
            "procession_jobs", "Jobs by state, per handler type", labels=["job_type", "state"]
        )
        took = ExpressionWrapper(F("completed_at") - F("created_at"), output_field=DurationField())
        done = Q(state=JobState.COMPLETED)
        rows = Job.objects.values("job_type").annotate(
            completed=Count("id", filter=done),
            total=Sum(took, filter=done & Q(completed_at__isnull=False)),
            attempts=Sum("attempts"),
            locked=Count("id", filter=Q(state=JobState.LOCKED)),
        )
        for row in rows.order_by("job_type"):
            seconds = row["total"].total_seconds() if row["total"] else 0.0
            latency.add_metric([row["job_type"]], count_value=row["completed"], sum_value=seconds)
            failed = (row["attempts"] or 0) - row["completed"] - row["locked"]
            failures.add_metric([row["job_type"]], max(failed, 0))
        states = Job.objects.values("job_type", "state").annotate(n=Count("id"))
        for row in states.exclude(state=JobState.COMPLETED).order_by("job_type", "state"):
            queued.add_metric([row["job_type"], row["state"]], row["n"])
        yield latency
        yield failures
        yield queued

    def _incidents(self) -> Metric:
        gauge = GaugeMetricFamily(
            "procession_incidents_open", "Open incidents", labels=["process", "kind"]
        )
        rows = (
            Incident.objects.filter(state="open")
            .values("instance__definition__key", "kind")
            .annotate(n=Count("id"))
        )
        for row in rows.order_by():
            gauge.add_metric([row["instance__definition__key"], row["kind"]], row["n"])
        return gauge

    def _user_tasks(self) -> Metric:
        gauge = GaugeMetricFamily(
            "procession_user_tasks_open", "Open user tasks", labels=["process"]
        )
        rows = (
            UserTask.objects.filter(state="open")
            .values("instance__definition__key")
            .annotate(n=Count("id"))
        )
        for row in rows.order_by():
            gauge.add_metric([row["instance__definition__key"]], row["n"])
        return gauge

    def _breakers(self) -> Iterator[Metric]:
        state = GaugeMetricFamily(
            "procession_circuit_breaker_state",
            "1 for the state the handler type's circuit breaker is in",
            labels=["job_type", "state"],
        )
        failures = GaugeMetricFamily(
            "procession_circuit_breaker_consecutive_failures",
            "Consecutive failures counted by the breaker",
            labels=["job_type"],
        )
        for breaker in CircuitBreaker.objects.order_by("job_type"):
            for name in BREAKER_STATES:
                state.add_metric([breaker.job_type, name], 1 if breaker.state == name else 0)
            failures.add_metric([breaker.job_type], breaker.consecutive_failures)
        yield state
        yield failures


REGISTRY = CollectorRegistry(auto_describe=False)
REGISTRY.register(EngineCollector())


def _token_matches(request: HttpRequest) -> bool:
    token = getattr(settings, "PROCESSION_METRICS_TOKEN", "")
    header = request.headers.get("Authorization", "")
    if not token or not header.startswith("Bearer "):
        return False
    return hmac.compare_digest(header.removeprefix("Bearer ").encode(), token.encode())


def metrics(request: HttpRequest) -> HttpResponse:
    if not (_token_matches(request) or is_console_user(request.user)):
        return HttpResponse("Forbidden", status=403, content_type="text/plain")
    return HttpResponse(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)
