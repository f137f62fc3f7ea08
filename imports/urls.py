from django.urls import path

from imports import views

app_name = "imports"
urlpatterns = [
    path("", views.run_list, name="list"),
    path("runs/<int:run_id>/", views.run_detail, name="run"),
    path("runs/<int:run_id>/status", views.run_status, name="run_status"),
]
