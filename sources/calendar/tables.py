"""Calendar's load target: an unpartitioned table of events (a series spans years, not a month)."""

from core.loading import PlainTable, Target
from sources.calendar.models import CalendarEvent

CALENDAR_EVENT = PlainTable("user_data", "calendar_event", "starts_at")

_TEXT = ("summary", "description", "location", "status", "organizer", "tzid", "rrule")

LOAD_EVENTS = Target(
    CALENDAR_EVENT,
    ("calendar", "uid", "recurrence_id", "summary", "description", "location", "status", "organizer", "attendees",
     "starts_at", "ends_at", "all_day", "tzid", "utc_offset_minutes", "rrule", "rdates", "exdates", "recurs_until",
     "ics"),
    CalendarEvent,
    fill={name: f"coalesce({name}, '')" for name in _TEXT},
)
