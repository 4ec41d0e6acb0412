from django.apps import AppConfig
from django.conf import settings


class BpmnEngineConfig(AppConfig):
    name = "bpmn_engine"
    verbose_name = "BPMN engine"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Register the built-in handlers, the project's own handler modules and the audit
        trigger's switch and the prepared-statement cache size on every new database
        connection."""
        from django.db.backends.signals import connection_created

        from bpmn_engine.audit import triggers
        from bpmn_engine.jobs import builtin_handlers  # noqa: F401 - registers on import
        from bpmn_engine.jobs.handlers import load_handler_modules
        from bpmn_engine.persistence import sql

        load_handler_modules(settings.PROCESSION_HANDLER_MODULES)
        connection_created.connect(triggers.register_switch, dispatch_uid="audit-switch")
        connection_created.connect(sql.size_prepared_cache, dispatch_uid="prepared-cache")
