from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "sources.activity"
    label = "activity"
    verbose_name = "My Activity"

    def ready(self):
        from sources.activity import tables  # noqa: F401  (declares the partitioned table to core.partitions)
