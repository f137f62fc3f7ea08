from django.urls import path

from lake import views

app_name = "lake"
urlpatterns = [
    path("devices/", views.devices, name="devices"),
    path("devices/<int:device_id>/", views.device_detail, name="device"),
]
