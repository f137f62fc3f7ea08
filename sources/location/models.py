"""Per-user data: every table here carries `user_id` and row-level security.

The time-series tables are range-partitioned by month (see lake/partitions.py).
PostgreSQL requires every unique key of a partitioned table to contain the
partition key, so their primary keys are natural keys that start with the
user and the instant: importing the same record twice is a conflict, not a
second row (`INSERT ... ON CONFLICT DO NOTHING`).
"""

from django.conf import settings
from django.db import models

from core.schemas import qualified


class Device(models.Model):
    """A phone or browser that reported locations (`Settings.json` names them)."""

    # No index of its own: device_user_tag_uniq leads with this column.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="+", db_index=False)
    device_tag = models.BigIntegerField()
    name = models.CharField(max_length=200, blank=True)
    platform = models.CharField(max_length=40, blank=True)
    first_seen_at = models.DateTimeField(null=True)

    class Meta:
        db_table = qualified("user_data", "device")
        constraints = [
            # Settings.json from two exports names the same tag twice.
            models.UniqueConstraint(fields=["user", "device_tag"], name="device_user_tag_uniq"),
        ]

    def __str__(self):
        return self.name or f"device {self.device_tag}"


class LocationPoint(models.Model):
    """One raw position fix (Records.json, phone raw signals, timeline paths)."""

    pk = models.CompositePrimaryKey("user_id", "recorded_at", "lat_e7", "lng_e7")
    # No index of its own: the primary key leads with this column.
    # No foreign key: one per row cost every insert a probe of auth_user; deleting a
    # user goes through the delete-everything path instead (explore/apps.py).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+", db_index=False,
                             db_constraint=False)
    recorded_at = models.DateTimeField()
    # Minutes east of UTC as the source stated it; null when it did not.
    utc_offset_minutes = models.SmallIntegerField(null=True)
    # Degrees x 10^7, as Takeout stores them: exact, compact, and a stable key.
    lat_e7 = models.IntegerField()
    lng_e7 = models.IntegerField()
    accuracy_m = models.FloatField(null=True)
    altitude_m = models.FloatField(null=True)
    vertical_accuracy_m = models.FloatField(null=True)
    velocity_mps = models.FloatField(null=True)
    heading_deg = models.FloatField(null=True)
    source = models.CharField(max_length=16, blank=True)
    device_tag = models.BigIntegerField(null=True)
    platform = models.CharField(max_length=40, blank=True)
    activity_type = models.CharField(max_length=48, blank=True)
    activity_confidence = models.SmallIntegerField(null=True)
    product = models.CharField(max_length=48)
    import_run_id = models.BigIntegerField(null=True)

    class Meta:
        db_table = qualified("timeseries", "location_point")
        # Created by hand-written SQL in the migration: PARTITION BY RANGE.
        indexes = [
            # Deleting or reporting one import run's rows.
            models.Index(fields=["user", "import_run_id"], name="location_point_run_idx"),
            # The map's viewport queries (lake/mapdata.py) where PostGIS is not
            # installed: a latitude range, then longitude, read index-only for
            # the grid counts. Where PostGIS is, migration 0003 adds a GiST index too.
            models.Index(fields=["user", "lat_e7", "lng_e7"], name="location_point_latlng_idx"),
        ]

    def __str__(self):
        return f"{self.recorded_at:%Y-%m-%d %H:%M:%S} ({self.latitude:.5f}, {self.longitude:.5f})"

    @property
    def latitude(self):
        return self.lat_e7 / 1e7

    @property
    def longitude(self):
        return self.lng_e7 / 1e7


class PlaceVisit(models.Model):
    """A stay at a place (Semantic Location History, phone timelines)."""

    pk = models.CompositePrimaryKey("user_id", "started_at", "lat_e7", "lng_e7")
    # No index of its own: the primary key leads with this column.
    # No foreign key: one per row cost every insert a probe of auth_user; deleting a
    # user goes through the delete-everything path instead (explore/apps.py).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+", db_index=False,
                             db_constraint=False)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True)
    utc_offset_minutes = models.SmallIntegerField(null=True)
    lat_e7 = models.IntegerField()
    lng_e7 = models.IntegerField()
    place_id = models.CharField(max_length=200, blank=True)
    name = models.TextField(blank=True)
    address = models.TextField(blank=True)
    semantic_type = models.CharField(max_length=64, blank=True)
    confidence = models.FloatField(null=True)
    is_child = models.BooleanField(default=False)
    product = models.CharField(max_length=48)
    import_run_id = models.BigIntegerField(null=True)
    # The table also has `search`, a generated tsvector with a GIN index, made
    # by migration 0003 (lake/textsearch.py) and unknown to the ORM on purpose:
    # a GeneratedField makes every management command's system checks connect
    # to the database, before `serve` has started the embedded server.

    class Meta:
        db_table = qualified("timeseries", "place_visit")
        indexes = [
            models.Index(fields=["user", "import_run_id"], name="place_visit_run_idx"),
        ]

    def __str__(self):
        return f"{self.name or self.place_id or 'visit'} at {self.started_at:%Y-%m-%d %H:%M}"


class ActivitySegment(models.Model):
    """A movement between places, with its waypoints."""

    pk = models.CompositePrimaryKey("user_id", "started_at", "ended_at", "activity_type")
    # No index of its own: the primary key leads with this column.
    # No foreign key: one per row cost every insert a probe of auth_user; deleting a
    # user goes through the delete-everything path instead (explore/apps.py).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+", db_index=False,
                             db_constraint=False)
    started_at = models.DateTimeField()
    # Not null so it can sit in the key; a source without an end uses the start.
    ended_at = models.DateTimeField()
    utc_offset_minutes = models.SmallIntegerField(null=True)
    start_lat_e7 = models.IntegerField(null=True)
    start_lng_e7 = models.IntegerField(null=True)
    end_lat_e7 = models.IntegerField(null=True)
    end_lng_e7 = models.IntegerField(null=True)
    distance_m = models.FloatField(null=True)
    activity_type = models.CharField(max_length=48, default="UNKNOWN")
    confidence = models.FloatField(null=True)
    # [[lat_e7, lng_e7], ...]
    waypoints = models.JSONField(default=list)
    product = models.CharField(max_length=48)
    import_run_id = models.BigIntegerField(null=True)

    class Meta:
        db_table = qualified("timeseries", "activity_segment")
        indexes = [
            models.Index(fields=["user", "import_run_id"], name="activity_segment_run_idx"),
        ]

    def __str__(self):
        return f"{self.activity_type} from {self.started_at:%Y-%m-%d %H:%M}"
