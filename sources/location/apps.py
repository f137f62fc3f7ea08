from django.apps import AppConfig


class LocationConfig(AppConfig):
    name = "sources.location"
    label = "location"
    verbose_name = "Location history"

    def ready(self):
        from sources.location import tables  # noqa: F401  (declares the partitioned tables to core.partitions)
