from django.apps import AppConfig
from django.db.models.signals import post_migrate


def sync_geography(sender, using, **kwargs):
    """After every `migrate`, the PostGIS column exists exactly when MAP_BACKEND reads it."""
    from django.db import connections, router, transaction

    from sources.location import geography

    if not router.allow_migrate(using, sender.label):
        return
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        geography.sync(cursor)


class LocationConfig(AppConfig):
    name = "sources.location"
    label = "location"
    verbose_name = "Location history"

    def ready(self):
        from sources.location import tables  # noqa: F401  (declares the partitioned tables to core.partitions)

        post_migrate.connect(sync_geography, sender=self, dispatch_uid="location.sync_geography")
