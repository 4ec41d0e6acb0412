"""The Celery application. Tasks are thin adapters defined in ``bpmn_engine/jobs/tasks.py``."""

import os

from celery import Celery

from bpmn_engine.jobs.embedded_broker import register as register_embedded_broker

register_embedded_broker()  # the ``embedded://`` transport, before any connection
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("procession")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["bpmn_engine.jobs"])
