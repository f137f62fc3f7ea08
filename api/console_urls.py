from django.urls import path

from api import console_views

app_name = "developer"
urlpatterns = [
    path("", console_views.docs, name="docs"),
    path("tokens/", console_views.tokens_page, name="tokens"),
    path("tokens/<str:prefix>/revoke", console_views.revoke, name="revoke"),
]
