"""/metrics: engine figures for Prometheus, read by the official text parser."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.urls import reverse
from prometheus_client.parser import text_string_to_metric_families

import tests.jobs.handlers  # noqa: F401 - registers test-flaky in this process
from bpmn_engine.models import Job
from bpmn_engine.services import move_token, start_instance
from bpmn_engine.services.job_runner import execute_job

pytestmark = pytest.mark.django_db
DASHBOARD = Path(__file__).resolve().parents[2] / "docs" / "grafana" / "procession-dashboard.json"


def _samples(text: str) -> dict[tuple[str, tuple], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_a_scrape_with_the_token_reports_instances_tasks_jobs_and_failures(client, order, settings):
    settings.PROCESSION_METRICS_TOKEN = "s3cret"
    start_instance(definition_key="order")
    charging = start_instance(definition_key="order", variables={"succeed_from": 2})
    move_token(instance_id=charging.pk, from_node_id="Review", to_node_id="Charge")
    job = Job.objects.get(instance=charging)
    assert execute_job(job_id=job.pk, worker_id="w") == "failed"
    response = client.get(reverse("metrics"), HTTP_AUTHORIZATION="Bearer s3cret")
    assert response.status_code == 200
    samples = _samples(response.content.decode())
    order_ = (("process", "order"),)
    assert samples[("procession_instances_started_total", order_)] == 2
    assert samples[("procession_instances_completed_total", order_)] == 0
    assert samples[("procession_user_tasks_open", order_)] == 1
    assert samples[("procession_job_failures_total", (("job_type", "test-flaky"),))] == 1
    assert samples[("procession_job_latency_seconds_count", (("job_type", "test-flaky"),))] == 0
    assert samples[("procession_jobs", (("job_type", "test-flaky"), ("state", "pending")))] == 1
    assert samples[("procession_steps_total", order_)] >= 4


def test_a_completed_job_counts_in_the_latency_summary(client, people, order):
    instance = start_instance(definition_key="order", variables={"succeed_from": 1})
    move_token(instance_id=instance.pk, from_node_id="Review", to_node_id="Charge")
    assert execute_job(job_id=Job.objects.get(instance=instance).pk, worker_id="w") == "completed"
    client.force_login(people["developer"])
    samples = _samples(client.get(reverse("metrics")).content.decode())
    assert samples[("procession_job_latency_seconds_count", (("job_type", "test-flaky"),))] == 1
    assert samples[("procession_job_latency_seconds_sum", (("job_type", "test-flaky"),))] >= 0


def test_metrics_are_refused_without_the_token_or_a_console_login(client, people, settings):
    settings.PROCESSION_METRICS_TOKEN = "s3cret"
    assert client.get(reverse("metrics")).status_code == 403
    assert client.get(reverse("metrics"), HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    client.force_login(people["sally"])
    assert client.get(reverse("metrics")).status_code == 403


def test_the_grafana_dashboard_queries_only_metrics_the_endpoint_serves(client, people, order):
    start_instance(definition_key="order")
    client.force_login(people["developer"])
    text = client.get(reverse("metrics")).content.decode()
    families = {family.name for family in text_string_to_metric_families(text)}
    served = {f"{name}{suffix}" for name in families for suffix in ("", "_total", "_count", "_sum")}
    exprs = [
        target["expr"]
        for panel in json.loads(DASHBOARD.read_text())["panels"]
        for target in panel["targets"]
    ]
    used = {name for expr in exprs for name in re.findall(r"procession_[a-z_]+", expr)}
    assert used and used <= served, used - served
