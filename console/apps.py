from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save


class ConsoleConfig(AppConfig):
    name = "console"
    verbose_name = "Process console"

    def ready(self) -> None:
        from django.contrib.auth.models import Group

        from console.roles import grant_developer_permissions, on_group_saved

        post_migrate.connect(grant_developer_permissions, sender=self)
        post_save.connect(on_group_saved, sender=Group, dispatch_uid="console-developer-group")
