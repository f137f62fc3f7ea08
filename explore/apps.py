from django.apps import AppConfig


class ExploreConfig(AppConfig):
    name = "explore"
    verbose_name = "Your lake: the pages where people explore their own data"
