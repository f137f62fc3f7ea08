from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "sources.places"
    label = "places"
    verbose_name = "Saved places"
