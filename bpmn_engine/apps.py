from django.apps import AppConfig


class BpmnEngineConfig(AppConfig):
    name = "bpmn_engine"
    verbose_name = "BPMN engine"
    default_auto_field = "django.db.models.BigAutoField"
