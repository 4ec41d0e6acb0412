from django.apps import AppConfig


class TasklistConfig(AppConfig):
    name = "tasklist"
    default_auto_field = "django.db.models.BigAutoField"
