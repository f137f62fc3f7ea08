from django.apps import AppConfig


class PhotosConfig(AppConfig):
    name = "sources.photos"
    label = "photos"
    verbose_name = "Google Photos"
