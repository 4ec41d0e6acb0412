from django.apps import AppConfig


class AuditorConfig(AppConfig):
    """Read-only pages for auditors: instances, timelines, reports and exports."""

    name = "auditor"
