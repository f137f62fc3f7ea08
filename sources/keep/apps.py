from django.apps import AppConfig


class KeepConfig(AppConfig):
    name = "sources.keep"
    label = "keep"
    verbose_name = "Keep"
