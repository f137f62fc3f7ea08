from django.urls import path

from console import people_views

app_name = "people"
urlpatterns = [
    path("", people_views.person_list, name="list"),
    path("<int:person_id>/", people_views.person_detail, name="detail"),
]
