from django.apps import AppConfig


class FitConfig(AppConfig):
    name = "sources.fit"
    label = "fit"
    verbose_name = "Google Fit"
