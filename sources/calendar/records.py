"""What the calendar parser yields: plain values, no Django, no database.

Instants are aware UTC datetimes. An all-day event's ``starts_at``/``ends_at``
are its dates at 00:00 UTC with ``all_day`` set: a date has no zone.
Recurrence is kept as written (``rrule`` text, ``rdates``/``exdates`` as ISO
strings), never expanded at import; ``recurs_until`` is the last instant an
occurrence can start (None: the rule has no end).
"""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    calendar: str
    uid: str
    # "" for the series (or a single event); the overridden occurrence's start for a moved/cancelled one
    recurrence_id: str
    summary: str | None
    description: str | None
    location: str | None
    status: str | None
    organizer: str | None
    attendees: list
    starts_at: datetime
    ends_at: datetime | None
    all_day: bool
    tzid: str | None
    utc_offset_minutes: int | None
    rrule: str | None
    rdates: list
    exdates: list
    recurs_until: datetime | None
    # The VEVENT as written (folded lines, CRLF), for the .ics export
    ics: str
