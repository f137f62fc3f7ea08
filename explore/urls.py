from django.urls import path

from explore import views

app_name = "lake"
urlpatterns = [
    path("devices/", views.devices, name="devices"),
    path("devices/<int:device_id>/", views.device_detail, name="device"),
    path("map/", views.map_page, name="map"),
    path("map/data", views.map_data, name="map_data"),
    path("map/layers", views.map_layers, name="map_layers"),
    path("day/", views.day_index, name="day_index"),
    path("day/<str:day>/", views.day, name="day"),
    path("search/", views.search, name="search"),
    # One thing of a source on a page of its own (a photo); the key may hold slashes (a member path).
    path("item/<str:source>/<path:key>", views.item, name="item"),
    path("stats/", views.stats, name="stats"),
    path("export/", views.export, name="export"),
    path("export/download", views.export_download, name="export_download"),
    path("delete/", views.delete, name="delete"),
    path("places/", views.places, name="places"),
    path("places/<int:place_id>/", views.place_update, name="place_update"),
    path("places/settings/", views.place_settings, name="place_settings"),
]
