from django.apps import AppConfig


class DerivedConfig(AppConfig):
    name = "sources.derived"
    label = "derived"
    verbose_name = "Worked out from your points"
