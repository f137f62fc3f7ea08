from django.apps import AppConfig


class ChromeConfig(AppConfig):
    name = "sources.chrome"
    label = "chrome"
    verbose_name = "Chrome"

    def ready(self):
        from sources.chrome import tables  # noqa: F401  (declares the partitioned table to core.partitions)
