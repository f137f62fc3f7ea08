"""One access helper per model: fetch a webhook object for a user or raise 404."""

from django.shortcuts import get_object_or_404

from events.models import WebhookDelivery, WebhookEndpoint


def get_endpoint_for_user(user, endpoint_id) -> WebhookEndpoint:
    return get_object_or_404(WebhookEndpoint, pk=endpoint_id, user=user)


def get_delivery_for_user(user, endpoint: WebhookEndpoint, delivery_id) -> WebhookDelivery:
    return get_object_or_404(WebhookDelivery.objects.select_related("event"), pk=delivery_id, user=user,
                             endpoint=endpoint)
