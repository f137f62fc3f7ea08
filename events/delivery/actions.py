"""State changes on webhook endpoints. Each owns its transaction and its audit record.

Called in the person's user scope (the console's middleware, or a test's).
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from audit.actions import record_event
from events.delivery import notices, signing
from events.models import EventSequence, WebhookDelivery, WebhookEndpoint
from events.outbox import wake_dispatcher

# After a rotation the old secret keeps signing this long, so receivers can switch without losing a message.
PREVIOUS_SECRET_VALID = dt.timedelta(hours=24)


def create_endpoint(user, url: str, *, event_types: list[str], description: str = "",
                    request=None) -> WebhookEndpoint:
    """A new endpoint receives the events committed from now on (not her whole history)."""
    with transaction.atomic():
        sequence = EventSequence.objects.filter(user=user).first()
        endpoint = WebhookEndpoint.objects.create(
            user=user, url=url, event_types=sorted(event_types), description=description,
            secret=signing.new_secret(), cursor_seq=sequence.last_seq if sequence else 0)
        record_event("webhook.created", target=f"webhook:{endpoint.pk}", request=request, actor=user,
                     details={"url": url, "event_types": endpoint.event_types})
    return endpoint


def update_endpoint(endpoint: WebhookEndpoint, *, event_types: list[str], description: str,
                    request=None) -> WebhookEndpoint:
    with transaction.atomic():
        endpoint.event_types, endpoint.description = sorted(event_types), description
        endpoint.save(update_fields=["event_types", "description"])
        record_event("webhook.changed", target=f"webhook:{endpoint.pk}", request=request,
                     details={"event_types": endpoint.event_types})
    return endpoint


def rotate_secret(endpoint: WebhookEndpoint, *, now=None, request=None) -> WebhookEndpoint:
    """A new secret signs from now on; the old one too, for PREVIOUS_SECRET_VALID (both signatures are sent)."""
    now = now or timezone.now()
    with transaction.atomic():
        endpoint.previous_secret, endpoint.secret = endpoint.secret, signing.new_secret()
        endpoint.previous_secret_expires_at = now + PREVIOUS_SECRET_VALID
        endpoint.save(update_fields=["previous_secret", "secret", "previous_secret_expires_at"])
        record_event("webhook.secret_rotated", target=f"webhook:{endpoint.pk}", request=request,
                     details={"previous_valid_until": endpoint.previous_secret_expires_at.isoformat()})
    return endpoint


def enable(endpoint: WebhookEndpoint, *, request=None) -> WebhookEndpoint:
    """Back on: the deliveries that waited go out now, and the five days start again."""
    with transaction.atomic():
        endpoint.enabled, endpoint.disabled_at, endpoint.disabled_reason = True, None, ""
        endpoint.failing_since = None
        endpoint.save(update_fields=["enabled", "disabled_at", "disabled_reason", "failing_since"])
        record_event("webhook.enabled", target=f"webhook:{endpoint.pk}", request=request)
        notices.refresh(endpoint.user_id)
        user_id = endpoint.user_id
        transaction.on_commit(lambda: wake_dispatcher(user_id))
    return endpoint


def disable(endpoint: WebhookEndpoint, *, request=None) -> WebhookEndpoint:
    """Turned off by its owner: events keep arriving and wait, undelivered, until it is enabled."""
    with transaction.atomic():
        endpoint.enabled, endpoint.disabled_at = False, timezone.now()
        # Not a failure: no notice for it, and enabling starts the five days afresh anyway.
        endpoint.disabled_reason, endpoint.failing_since = "Disabled by you.", None
        endpoint.save(update_fields=["enabled", "disabled_at", "disabled_reason", "failing_since"])
        record_event("webhook.disabled", target=f"webhook:{endpoint.pk}", request=request,
                     details={"by": "owner"})
        notices.refresh(endpoint.user_id)
    return endpoint


def delete_endpoint(endpoint: WebhookEndpoint, *, request=None) -> None:
    with transaction.atomic():
        record_event("webhook.deleted", target=f"webhook:{endpoint.pk}", request=request,
                     details={"url": endpoint.url})
        user_id = endpoint.user_id
        endpoint.delete()
        notices.refresh(user_id)


def replay(delivery: WebhookDelivery, *, now=None, request=None) -> WebhookDelivery:
    """Send an event again, on a fresh ladder: same webhook-id and body, so receivers may dedupe it."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery.status, delivery.step, delivery.next_attempt_at, delivery.lease_until = (
            WebhookDelivery.Status.PENDING, 0, now, None)
        delivery.save(update_fields=["status", "step", "next_attempt_at", "lease_until"])
        record_event("webhook.replayed", target=f"webhook:{delivery.endpoint_id}", request=request,
                     details={"seq": delivery.seq})
        user_id = delivery.user_id
        transaction.on_commit(lambda: wake_dispatcher(user_id))
    return delivery
