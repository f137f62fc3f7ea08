from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "Health and monitoring"

    def ready(self):
        from monitoring import system_checks  # noqa: F401 - registers the checks
