from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SqlAccessConfig(AppConfig):
    name = "sqlaccess"
    verbose_name = "Your own SQL"

    def ready(self):
        # Function-level import: AppConfig.ready runs before the app registry
        # would let the module's model imports load at import time.
        from sqlaccess.grants import sync_after_migrate

        post_migrate.connect(sync_after_migrate, sender=self)
