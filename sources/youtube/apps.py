from django.apps import AppConfig


class YoutubeConfig(AppConfig):
    name = "sources.youtube"
    label = "youtube"
    verbose_name = "YouTube"

    def ready(self):
        from sources.youtube import tables  # noqa: F401  (declares the partitioned table to core.partitions)
