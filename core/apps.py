from django.apps import AppConfig
from django.db.models.signals import post_migrate


def premake_partitions(sender, using, **kwargs):
    """After every `migrate`, the months ahead of every registered partitioned table exist.

    Migrations create the tables and their default partitions only (they are
    frozen; premaking is maintenance and may evolve), so this closes the gap
    between a migrate and the first hourly `partitions maintain`.
    """
    # Imported here, not at the top: apps.py loads before the app registry is
    # ready, and core.partitions reaches the audit models through core.rls.
    from django.db import connections, router, transaction
    from django.utils import timezone

    from core import partitions

    if not router.allow_migrate(using, sender.label):
        return
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        for table in partitions.REGISTRY.values():
            cursor.execute("SELECT to_regclass(%s)", [table.label])
            if cursor.fetchone()[0] is not None:  # a partial migrate may not have made it yet
                partitions.ensure_ahead(cursor, table, timezone.now())


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Platform: schemas, row-level security, partitions"

    def ready(self):
        from core import checks  # noqa: F401  (registers system checks)

        post_migrate.connect(premake_partitions, sender=self, dispatch_uid="core.premake_partitions")
