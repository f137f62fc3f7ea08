"""Change events: the outbox, and the webhooks that receive them.

Every table is per user with FORCE'd row-level security, like the data the
events describe. The outbox is written in the same transaction as the change
it reports (events.outbox.record); the webhook tables are the dispatcher's
record of truth (events.delivery.dispatch).
"""

import uuid

from django.conf import settings
from django.db import models

from core.schemas import qualified


class EventSequence(models.Model):
    """The user's event counter: its row lock orders her events (see events.outbox).

    Kept when her events are deleted, so that seq never runs backwards under
    a reader that remembers a Last-Event-ID.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="+",
                                primary_key=True)
    last_seq = models.BigIntegerField(default=0)

    class Meta:
        db_table = qualified("user_data", "event_sequence")

    def __str__(self):
        return f"events of {self.user_id}: {self.last_seq}"


class OutboxEvent(models.Model):
    """One change, as other services see it: a stable id, a type, a small JSON body.

    `seq` counts the user's events in commit order (see events.outbox for why
    it is, unlike `id`): SSE ids, Last-Event-ID and the Redis stream use it.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="+", db_index=False)
    seq = models.BigIntegerField()
    event_id = models.UUIDField(default=uuid.uuid4, editable=False)
    type = models.CharField(max_length=64)
    occurred_at = models.DateTimeField()
    data = models.JSONField(default=dict)
    # The run an import's events came from (so deleting a run can name them); null for other events.
    import_run_id = models.BigIntegerField(null=True)

    class Meta:
        db_table = qualified("user_data", "event_outbox")
        constraints = [
            # The natural key and the readers' order: SSE and the dispatcher read `seq > cursor ORDER BY seq`.
            models.UniqueConstraint(fields=["user", "seq"], name="event_outbox_user_seq_uniq"),
            # The id receivers deduplicate by (webhook-id) is never reused.
            models.UniqueConstraint(fields=["event_id"], name="event_outbox_event_id_uniq"),
        ]

    def __str__(self):
        return f"{self.type} #{self.seq}"

    @property
    def public_id(self) -> str:
        return f"evt_{self.event_id.hex}"


class WebhookEndpoint(models.Model):
    """A URL of the user's that receives her events, signed with her secret."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="+", db_index=False)
    url = models.URLField(max_length=1000)
    description = models.CharField(max_length=200, blank=True)
    # Event types it receives; empty means every type.
    event_types = models.JSONField(default=list, blank=True)
    secret = models.CharField(max_length=100)
    # After a rotation the old secret signs too, until previous_secret_expires_at.
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True)
    enabled = models.BooleanField(default=True)
    disabled_at = models.DateTimeField(null=True)
    disabled_reason = models.TextField(blank=True)
    # The first failure since the last success: five days of it disable the endpoint.
    failing_since = models.DateTimeField(null=True)
    # The last outbox seq this endpoint has deliveries for (the fan-out's cursor).
    cursor_seq = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = qualified("user_data", "webhook_endpoint")
        ordering = ["created_at", "id"]
        constraints = [
            # One registration per URL and user: registering it again edits it.
            models.UniqueConstraint(fields=["user", "url"], name="webhook_endpoint_user_url_uniq"),
        ]

    def __str__(self):
        return self.url

    def wants(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types


class WebhookDelivery(models.Model):
    """One event for one endpoint: its place on the retry ladder and every attempt made."""

    class Status(models.TextChoices):
        PENDING = "pending"
        SUCCEEDED = "succeeded"
        # Every rung of the ladder failed (or the endpoint was disabled meanwhile).
        FAILED = "failed"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="+", db_index=False)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.DB_CASCADE, related_name="deliveries")
    event = models.ForeignKey(OutboxEvent, on_delete=models.DB_CASCADE, related_name="+")
    seq = models.BigIntegerField()  # the event's, so the claim orders without a join
    status = models.CharField(max_length=16, choices=Status, default=Status.PENDING)
    # Attempts made on the current ladder (a replay starts a new one).
    step = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    # A dispatcher that claimed the delivery owns it until then; a killed one loses it at that time.
    lease_until = models.DateTimeField(null=True)
    # [{"at", "status_code", "ms", "error"}], newest last; bounded by the ladder (and replays).
    attempts = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = qualified("user_data", "webhook_delivery")
        ordering = ["-seq", "id"]
        constraints = [
            # The fan-out may run twice (two dispatchers, a retried job): one delivery per event and endpoint.
            models.UniqueConstraint(fields=["endpoint", "event"], name="webhook_delivery_endpoint_event_uniq"),
        ]
        indexes = [
            # The claim: due pending deliveries of a user, in commit order.
            models.Index(fields=["user", "next_attempt_at", "seq"], name="webhook_delivery_due_idx",
                         condition=models.Q(status="pending")),
        ]

    def __str__(self):
        return f"delivery of #{self.seq} to {self.endpoint_id}"

    @property
    def last_attempt(self) -> dict | None:
        return self.attempts[-1] if self.attempts else None
