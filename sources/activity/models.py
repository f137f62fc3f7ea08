"""My Activity's per-user table: one row per entry of any product's My Activity file.

Range-partitioned by month on `at`, like location history. The natural key
(user, second, item) makes the JSON and the HTML of one history, and an
export and its re-export, the same rows (sources/activity/records.py).
"""

from django.conf import settings
from django.db import models

from core.schemas import qualified


class ActivityEvent(models.Model):
    pk = models.CompositePrimaryKey("user_id", "at", "item_key")
    # No index of its own: the primary key leads with this column.
    # No foreign key: one per row cost every insert a probe of auth_user; deleting a
    # user goes through the delete-everything path instead (explore/apps.py).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+", db_index=False,
                             db_constraint=False)
    at = models.DateTimeField()  # whole seconds; see zone_known
    micros = models.IntegerField(null=True)
    item_key = models.UUIDField()
    # False: the HTML's zone abbreviation was ambiguous or unknown, and `at` is the wall clock as written.
    zone_known = models.BooleanField(db_default=True)
    utc_offset_minutes = models.SmallIntegerField(null=True)
    zone = models.CharField(max_length=16, blank=True, db_default="")
    service = models.CharField(max_length=100)
    action = models.CharField(max_length=100, blank=True, db_default="")
    title = models.CharField(max_length=2000)
    subject = models.CharField(max_length=2000, blank=True, db_default="")
    url = models.CharField(max_length=4096, blank=True, db_default="")
    host = models.CharField(max_length=255, blank=True, db_default="")
    channel = models.CharField(max_length=500, blank=True, db_default="")
    channel_url = models.CharField(max_length=2048, blank=True, db_default="")
    description = models.TextField(blank=True, db_default="")  # bounded by the parser
    details = models.JSONField(db_default=[])  # ["From Google Ads", …]
    products = models.JSONField(db_default=[])  # ["Search", …]
    location_name = models.CharField(max_length=500, blank=True, db_default="")
    location_url = models.CharField(max_length=2048, blank=True, db_default="")
    location_source = models.CharField(max_length=200, blank=True, db_default="")
    lat_e7 = models.IntegerField(null=True)
    lng_e7 = models.IntegerField(null=True)
    language = models.CharField(max_length=8, blank=True, db_default="")
    removed = models.BooleanField(db_default=False)
    product = models.CharField(max_length=48)  # the format: "activity.json" or "activity.html"
    import_run_id = models.BigIntegerField(null=True)

    class Meta:
        db_table = qualified("timeseries", "activity_event")
        indexes = [
            # Deleting or reporting one import run's rows.
            models.Index(fields=["user", "import_run_id"], name="activity_event_run_idx"),
            # The day page's filter and the stats read one service over time.
            models.Index(fields=["user", "service", "at"], name="activity_event_service_idx"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.service}: {self.title[:60]}"
