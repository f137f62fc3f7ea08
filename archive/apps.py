from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = "Lifecycle and archive"

    def ready(self):
        from archive import checks  # noqa: F401  (registers system checks)
