from django.urls import path

from monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("health/live", views.live, name="live"),
    path("health/ready", views.ready, name="ready"),
    path("ops/", views.overview, name="overview"),
    path("ops/extensions/", views.extensions, name="extensions"),
]
