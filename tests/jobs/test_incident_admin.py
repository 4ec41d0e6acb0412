"""Operators retry incidents from the admin."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from bpmn_engine.models import Incident, Job
from bpmn_engine.services import start_instance
from bpmn_engine.services.job_runner import execute_job
from tests.jobs.conftest import deploy_service_process

pytestmark = pytest.mark.django_db


def test_an_administrator_retries_a_failed_job_incident_from_the_admin(client, journal):
    deploy_service_process("flaky", "test-flaky", retry_cycle="R0/PT1S")
    instance = start_instance(definition_key="flaky", variables={"succeed_from": 2})
    job = Job.objects.get(instance=instance)
    execute_job(job_id=job.pk, worker_id="w")
    incident = Incident.objects.get(job=job, state="open")
    User.objects.create_superuser("root", password="procession")
    client.login(username="root", password="procession")
    response = client.post(
        reverse("admin:bpmn_engine_incident_changelist"),
        {"action": "retry_incidents", "_selected_action": [incident.pk]},
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.state == "resolved"
    assert execute_job(job_id=job.pk, worker_id="w") == "completed"


def test_the_incident_list_is_not_for_business_users(client):
    User.objects.create_user("sally", password="procession")
    client.login(username="sally", password="procession")
    response = client.get(reverse("admin:bpmn_engine_incident_changelist"))
    assert response.status_code == 302
