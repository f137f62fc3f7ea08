from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ConsoleConfig(AppConfig):
    name = "console"
    verbose_name = "Console"

    def ready(self):
        from console.personas import ensure_personas_after_migrate

        # Like auth's own permissions: groups can only be wired to permissions
        # once every app's permissions exist, i.e. after all migrations ran.
        post_migrate.connect(ensure_personas_after_migrate, sender=self)
