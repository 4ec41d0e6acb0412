"""The Celery application. Tasks are thin adapters defined in ``bpmn_engine/jobs/tasks.py``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("procession")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["bpmn_engine.jobs"])
