"""Google Play events: a per-user table in `timeseries`, range-partitioned by month on `at`."""

from django.conf import settings
from django.db import models

from core.schemas import qualified


class PlayEvent(models.Model):
    """An app installed, an item added to the library, a purchase, an order line or a review."""

    class Kind(models.TextChoices):
        INSTALL = "install"
        LIBRARY = "library"
        PURCHASE = "purchase"
        ORDER = "order"
        REVIEW = "review"

    pk = models.CompositePrimaryKey("user_id", "at", "kind", "item_key")
    # No index of its own: the primary key leads with this column.
    # No foreign key: one per row cost every insert a probe of auth_user; deleting a
    # user goes through the delete-everything path instead (explore/apps.py).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+", db_index=False,
                             db_constraint=False)
    at = models.DateTimeField()
    kind = models.CharField(max_length=16, choices=Kind)
    # uuid of md5(document type, title) (sources/play/parsers.py).
    item_key = models.UUIDField()
    title = models.TextField()
    document_type = models.CharField(max_length=200, blank=True)
    device = models.CharField(max_length=200, blank=True)
    price = models.CharField(max_length=200, blank=True)
    # Facts of one kind only (last update, payment method, rating, order id).
    extra = models.JSONField(default=dict)
    product = models.CharField(max_length=48)
    import_run_id = models.BigIntegerField(null=True)
    # The table also has `search`, a generated tsvector with a GIN index made by
    # migration 0001, unknown to the ORM on purpose (see sources/play/search.py).

    class Meta:
        db_table = qualified("timeseries", "play_event")
        indexes = [
            # Deleting or reporting one import run's rows.
            models.Index(fields=["user", "import_run_id"], name="play_event_run_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=["install", "library", "purchase", "order", "review"]),
                                   name="play_event_kind_check"),
        ]

    def __str__(self):
        return f"{self.kind} {self.title} at {self.at:%Y-%m-%d %H:%M}"
