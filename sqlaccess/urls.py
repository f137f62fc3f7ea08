from django.urls import path

from sqlaccess import views

app_name = "sqlaccess"
urlpatterns = [
    path("", views.page, name="page"),
]
