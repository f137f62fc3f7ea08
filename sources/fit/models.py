"""Google Fit's per-user tables in `timeseries`, partitioned by month, with row-level security.

Natural keys: a session is its start instant (the JSON session and the TCX workout of
one run start at the same instant and are one session: the first file read wins); a
daily row is its start and span (a day, or one of its 15-minute intervals).
"""

from django.conf import settings
from django.db import models

from core.schemas import qualified


class FitSession(models.Model):
    """A workout or activity session: All Sessions/*.json or an Activities/*.tcx Activity."""

    pk = models.CompositePrimaryKey("user_id", "started_at")
    # No foreign key: one per row cost every insert a probe of auth_user; deleting a
    # user goes through the delete-everything path instead (explore/apps.py).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+", db_index=False,
                             db_constraint=False)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True)
    # Fit's activity name ("running", "walking") or TCX's sport ("running", "biking", "other"), lower case.
    activity = models.CharField(max_length=64, blank=True)
    name = models.TextField(blank=True)
    duration_s = models.FloatField(null=True)
    distance_m = models.FloatField(null=True)
    calories_kcal = models.FloatField(null=True)
    steps = models.BigIntegerField(null=True)
    extra = models.JSONField(default=dict)
    product = models.CharField(max_length=48)
    import_run_id = models.BigIntegerField(null=True)

    class Meta:
        db_table = qualified("timeseries", "fit_session")
        indexes = [models.Index(fields=["user", "import_run_id"], name="fit_session_run_idx")]

    def __str__(self):
        return f"{self.activity or 'session'} at {self.started_at:%Y-%m-%d %H:%M}"


class FitDaily(models.Model):
    """Daily activity metrics: a day's summary row, or one 15-minute row of that day's file."""

    class Span(models.TextChoices):
        DAY = "day"
        INTERVAL = "interval"

    pk = models.CompositePrimaryKey("user_id", "started_at", "span")
    # No foreign key: one per row cost every insert a probe of auth_user; deleting a
    # user goes through the delete-everything path instead (explore/apps.py).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+", db_index=False,
                             db_constraint=False)
    # A summary day's midnight as UTC (the file states no offset); an interval's instant.
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    span = models.CharField(max_length=8, choices=Span.choices)
    utc_offset_minutes = models.SmallIntegerField(null=True)
    steps = models.BigIntegerField(null=True)
    distance_m = models.FloatField(null=True)
    calories_kcal = models.FloatField(null=True)
    move_minutes = models.FloatField(null=True)
    heart_points = models.FloatField(null=True)
    # Every cell by its (localized) header.
    metrics = models.JSONField(default=dict)
    product = models.CharField(max_length=48)
    import_run_id = models.BigIntegerField(null=True)

    class Meta:
        db_table = qualified("timeseries", "fit_daily")
        indexes = [models.Index(fields=["user", "import_run_id"], name="fit_daily_run_idx")]
        constraints = [models.CheckConstraint(condition=models.Q(span__in=["day", "interval"]),
                                              name="fit_daily_span_check")]

    def __str__(self):
        return f"{self.span} {self.started_at:%Y-%m-%d %H:%M}"
