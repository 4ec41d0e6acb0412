from django.apps import AppConfig


class ApiConfig(AppConfig):
    verbose_name = "REST API"
    name = "api"
    default_auto_field = "django.db.models.BigAutoField"
