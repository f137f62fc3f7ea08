"""A person's calendar events: a plain per-user table in `user_data`, with row-level security."""

from django.conf import settings
from django.db import models

from core.schemas import qualified


class CalendarEvent(models.Model):
    """One VEVENT: a single event, a series (RRULE/RDATE as written), or one overridden occurrence."""

    # A series and its moved or cancelled occurrences share a UID; RECURRENCE-ID tells them apart
    # ("" for the series itself). The same invitation in two calendars is two rows.
    pk = models.CompositePrimaryKey("user_id", "calendar", "uid", "recurrence_id")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="+", db_index=False)
    calendar = models.CharField(max_length=200)
    uid = models.CharField(max_length=500)
    recurrence_id = models.CharField(max_length=40, blank=True)
    summary = models.TextField(blank=True)
    description = models.TextField(blank=True)
    location = models.TextField(blank=True)
    status = models.CharField(max_length=20, blank=True)
    organizer = models.TextField(blank=True)
    # [{"email", "name", "status", "role"}, ...]
    attendees = models.JSONField(default=list)
    # UTC; an all-day event's dates at 00:00 UTC (all_day), since a date has no zone.
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True)
    all_day = models.BooleanField(default=False)
    # The zone the event is written in (TZID), and its offset at the start.
    tzid = models.CharField(max_length=100, blank=True)
    utc_offset_minutes = models.SmallIntegerField(null=True)
    # Recurrence as written, never expanded in the table: occurrences are computed for a page's window.
    rrule = models.TextField(blank=True)
    rdates = models.JSONField(default=list)
    exdates = models.JSONField(default=list)
    # The last instant an occurrence can start; null for a series without end (or a single event).
    recurs_until = models.DateTimeField(null=True)
    # The VEVENT as written, for the .ics export.
    ics = models.TextField()
    product = models.CharField(max_length=48)
    import_run_id = models.BigIntegerField(null=True)
    # The table also has `search`, a generated tsvector with a GIN index made by migration 0001.

    class Meta:
        db_table = qualified("user_data", "calendar_event")
        indexes = [
            models.Index(fields=["user", "import_run_id"], name="calendar_event_run_idx"),
            models.Index(fields=["user", "starts_at"], name="calendar_event_starts_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True) | models.Q(ends_at__gte=models.F("starts_at")),
                name="calendar_event_end_check"),
        ]

    def __str__(self):
        return self.summary or self.uid
