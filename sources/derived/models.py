"""What the lake works out from raw points: stays, trips, significant places, per user.

Never mixed with Google's own visits and segments (sources.location): these are
ours, rebuilt per affected day range by sources.derived.actions, and every row
can be recomputed from the points. Each table carries `user_id` and FORCE'd
row-level security. Local days are stored beside the instants (the one local-day
rule, sources.derived.localday) so day pages, filters and stats agree.
"""

from django.conf import settings
from django.db import models

from core.schemas import qualified


class Stay(models.Model):
    """A time spent at one spot, found by sources.derived.detection."""

    # One stay starts at a given instant: the natural key, so a rebuild replaces rather than adds.
    pk = models.CompositePrimaryKey("user_id", "started_at")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="+", db_index=False)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    lat_e7 = models.IntegerField()
    lng_e7 = models.IntegerField()
    fixes = models.IntegerField()
    radius_m = models.FloatField()
    # The source's offset where its fixes stated one (authoritative), else the zone's at the start.
    utc_offset_minutes = models.SmallIntegerField()
    offset_from = models.CharField(max_length=8)  # "source" | "zone"
    # At the end: differs from the start's across a DST change or a zone border.
    end_utc_offset_minutes = models.SmallIntegerField()
    tz_name = models.CharField(max_length=64)
    local_start_day = models.DateField()
    local_end_day = models.DateField()
    place_id = models.BigIntegerField(null=True)  # SignificantPlace.id (kept across merges by actions)
    city = models.CharField(max_length=200, blank=True)
    region = models.CharField(max_length=200, blank=True)
    country = models.CharField(max_length=100, blank=True)
    country_code = models.CharField(max_length=2, blank=True)

    class Meta:
        db_table = qualified("user_data", "derived_stay")
        indexes = [
            # The day page: stays overlapping a local day ("+1 day" ones on both).
            models.Index(fields=["user", "local_start_day", "local_end_day"], name="derived_stay_day_idx"),
            # Significant places' visit counts and a place's stays.
            models.Index(fields=["user", "place_id"], name="derived_stay_place_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(ended_at__gte=models.F("started_at")),
                                   name="derived_stay_end_check"),
        ]

    def __str__(self):
        return f"stay {self.started_at:%Y-%m-%d %H:%M}"


class Trip(models.Model):
    """The way between two consecutive stays."""

    pk = models.CompositePrimaryKey("user_id", "started_at")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="+", db_index=False)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    start_lat_e7 = models.IntegerField()
    start_lng_e7 = models.IntegerField()
    end_lat_e7 = models.IntegerField()
    end_lng_e7 = models.IntegerField()
    distance_m = models.FloatField()
    seconds = models.FloatField()
    mode = models.CharField(max_length=16)  # sources.derived.detection.MODES
    mode_from = models.CharField(max_length=8)  # "source" | "speed"
    fixes = models.IntegerField()
    # [[lat, lng], ...], both stays' centroids at its ends
    path = models.JSONField(default=list)
    utc_offset_minutes = models.SmallIntegerField()
    end_utc_offset_minutes = models.SmallIntegerField()
    tz_name = models.CharField(max_length=64)  # at the start; end_tz_name at the end
    end_tz_name = models.CharField(max_length=64)
    # A flight west over the date line lands on the local day before it left: the end day may
    # come first, and the day page shows the trip on every day from one to the other.
    local_start_day = models.DateField()
    local_end_day = models.DateField()

    class Meta:
        db_table = qualified("user_data", "derived_trip")
        indexes = [
            models.Index(fields=["user", "local_start_day", "local_end_day"], name="derived_trip_day_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(ended_at__gte=models.F("started_at")),
                                   name="derived_trip_end_check"),
        ]

    def __str__(self):
        return f"{self.mode} trip {self.started_at:%Y-%m-%d %H:%M}"


class SignificantPlace(models.Model):
    """Stays clustered into a place the user comes back to: home, work, frequent, or other."""

    class Kind(models.TextChoices):
        HOME = "home", "Home"
        WORK = "work", "Work"
        FREQUENT = "frequent", "Frequent"
        OTHER = "other", "Visited"

    id = models.BigAutoField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="+", db_index=False)
    # Where its first stay was: the anchor stays are matched against, and its natural key.
    lat_e7 = models.IntegerField()
    lng_e7 = models.IntegerField()
    name = models.CharField(max_length=200, blank=True)  # the user's own name for it; "" for none
    city = models.CharField(max_length=200, blank=True)
    region = models.CharField(max_length=200, blank=True)
    country = models.CharField(max_length=100, blank=True)
    country_code = models.CharField(max_length=2, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.OTHER)
    visits = models.IntegerField(default=0)
    total_seconds = models.FloatField(default=0)
    first_seen_at = models.DateTimeField(null=True)
    hidden = models.BooleanField(default=False)
    # Merged places send their stays to this one; they stay as anchors so new stays there follow.
    merged_into_id = models.BigIntegerField(null=True)

    class Meta:
        db_table = qualified("user_data", "significant_place")
        constraints = [
            models.UniqueConstraint(fields=["user", "lat_e7", "lng_e7"], name="significant_place_anchor_uniq"),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return self.name or ", ".join(p for p in (self.city, self.country) if p) or "Unnamed place"


class Settings(models.Model):
    """One user's detection parameters (sources.derived.detection.Params); absent means defaults."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="+",
                                primary_key=True)
    radius_m = models.FloatField(default=100.0)
    min_stay_minutes = models.FloatField(default=5.0)
    max_gap_hours = models.FloatField(default=36.0)
    max_accuracy_m = models.FloatField(default=250.0)

    class Meta:
        db_table = qualified("user_data", "derived_settings")

    def __str__(self):
        return f"detection settings of user {self.user_id}"


class Day(models.Model):
    """How many points each UTC day had when it was last enriched: how a change is noticed.

    After an import or a deletion the counts are compared with the points' own;
    only the days that differ are rebuilt.
    """

    pk = models.CompositePrimaryKey("user_id", "day")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    points = models.IntegerField()
    # sum of (epoch seconds + lat_e7 + lng_e7) over the day's points: a same-count replacement shows too
    checksum = models.BigIntegerField()

    class Meta:
        db_table = qualified("user_data", "derived_day")

    def __str__(self):
        return f"{self.day}: {self.points} points"
