from django.urls import path

from events.delivery import views

app_name = "events"
urlpatterns = [
    path("webhooks/", views.webhook_list, name="webhooks"),
    path("webhooks/<int:endpoint_id>/", views.endpoint_detail, name="endpoint"),
    path("webhooks/<int:endpoint_id>/<slug:action>", views.endpoint_action, name="endpoint_action"),
    path("webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/replay", views.replay, name="replay"),
]
