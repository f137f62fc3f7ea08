from django.apps import AppConfig


class PlayConfig(AppConfig):
    name = "sources.play"
    label = "play"
    verbose_name = "Google Play"

    def ready(self):
        from sources.play import tables  # noqa: F401  (declares the partitioned table to core.partitions)
