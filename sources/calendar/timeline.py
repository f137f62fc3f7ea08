"""How calendar events appear on a local day's page, recurring ones included.

Single events (and moved occurrences) are read by their start; a series is
expanded only for the day's window (recurrence.py), without its EXDATEs and
without the occurrences that have a row of their own (RECURRENCE-ID): those
show as themselves, or not at all when cancelled.
"""

import datetime as dt

from django.db.models import Max, Min, Q

from sources.calendar import recurrence
from sources.calendar.models import CalendarEvent
from sources.localtime import local, offset_label

MAX_ENTRIES = 2_000
# A series' occurrences are looked for this long before the window, so one still going on shows.
MAX_SPAN = dt.timedelta(days=7)
CANCELLED = "CANCELLED"


def day_part(day: dt.date, start: dt.datetime, end: dt.datetime):
    from sources.base import DayPart

    entries = [_entry(event, when, length, day) for event, when, length in occurrences(day, start, end)]
    entries.sort(key=lambda entry: (entry["start"], entry["title"]))
    if len(entries) > MAX_ENTRIES:
        entries = entries[:MAX_ENTRIES]
        entries[-1]["more"] = True
    return DayPart(entries)


def occurrences(day: dt.date, start: dt.datetime, end: dt.datetime):
    """(event, occurrence start (aware, in its zone; naive for all-day), duration) on local `day`."""
    events = CalendarEvent.objects.order_by()
    singles = events.filter(rrule="", rdates=[], starts_at__lt=end).filter(
        Q(ends_at__gte=start - MAX_SPAN) | Q(ends_at__isnull=True, starts_at__gte=start))
    for event in singles.iterator(2000):
        if event.status == CANCELLED and event.recurrence_id:
            continue
        when = _local_start(event, event.starts_at)
        if _on_day(event, when, _length(event), day):
            yield event, when, _length(event)
    series = list(events.filter(recurrence_id="", starts_at__lt=end).exclude(rrule="", rdates=[])
                  .filter(Q(recurs_until__isnull=True) | Q(recurs_until__gte=start - MAX_SPAN)))
    overridden = _overridden(series)
    for event in series:
        yield from _series_on(event, day, start, end, overridden.get((event.calendar, event.uid), set()))


def _overridden(series) -> dict:
    found: dict = {}
    if not series:
        return found
    rows = CalendarEvent.objects.filter(uid__in={event.uid for event in series}).exclude(recurrence_id="")
    for calendar, uid, key in rows.values_list("calendar", "uid", "recurrence_id"):
        found.setdefault((calendar, uid), set()).add(key)
    return found


def _series_on(event, day, start, end, overridden: set):
    zone = recurrence.zone_of(event.tzid, event.utc_offset_minutes)
    length = _length(event)
    first = recurrence.local_start(event.starts_at, event.all_day, zone)
    rules = [rule for rule in event.rrule.split("\n") if rule]
    try:
        series = recurrence.build(rules, first, [_parse_key(key, event.all_day, zone) for key in event.rdates])
        if event.all_day:
            lo, hi = dt.datetime.combine(day, dt.time()) - min(length, MAX_SPAN), dt.datetime.combine(day, dt.time())
            found = recurrence.between(series, lo, hi + dt.timedelta(days=1))
        else:
            found = recurrence.between(series, (start - min(length, MAX_SPAN)).astimezone(zone), end.astimezone(zone))
    except (ValueError, TypeError, OverflowError):
        return
    skipped = set(event.exdates) | overridden
    for when in found:
        key = recurrence.occurrence_key(when.date() if event.all_day else when)
        if key not in skipped and _on_day(event, when, length, day):
            yield event, when, length


def _parse_key(key: str, all_day: bool, zone) -> dt.datetime:
    if len(key) == 10:
        return dt.datetime.combine(dt.date.fromisoformat(key), dt.time()) if all_day else \
            dt.datetime.combine(dt.date.fromisoformat(key), dt.time(), tzinfo=zone)
    when = dt.datetime.fromisoformat(key)
    return dt.datetime.combine(when.date(), dt.time()) if all_day else when.astimezone(zone)


def _length(event) -> dt.timedelta:
    return (event.ends_at - event.starts_at) if event.ends_at else dt.timedelta(0)


def _local_start(event, starts_at):
    if event.all_day:
        return dt.datetime.combine(starts_at.astimezone(dt.UTC).date(), dt.time())
    return starts_at.astimezone(recurrence.zone_of(event.tzid, event.utc_offset_minutes))


def _on_day(event, when, length: dt.timedelta, day: dt.date) -> bool:
    """Whether an occurrence starting `when` (its own wall clock) covers some of local `day`."""
    first = when.date() if not event.all_day else when.date()
    if first == day:
        return True
    if length <= dt.timedelta(0) or first > day:
        return False
    last = (when + length - dt.timedelta(microseconds=1)).date()
    return first <= day <= last


def _entry(event, when, length, day: dt.date) -> dict:
    if event.all_day:
        # A date has no clock: every day an all-day event covers shows it from that day's start.
        start, tz = dt.datetime.combine(day, dt.time()), ""
    else:
        offset = int(when.utcoffset().total_seconds()) // 60
        start, tz = local(when, offset), offset_label(offset)
    detail = " · ".join(part for part in (
        "All day" if event.all_day else _until_text(when, length), event.location, event.calendar,
        "Cancelled" if event.status == CANCELLED else "", "Repeats" if event.rrule or event.rdates else "") if part)
    return {"kind": "event", "start": start, "tz": tz, "source": "calendar", "label": "Calendar",
            "title": event.summary or "(No title)", "url": "", "detail": detail}


def _until_text(when, length) -> str:
    return f"until {(when + length):%H:%M}" if length > dt.timedelta(0) else ""


def neighbour_day(before: dt.date | None = None, after: dt.date | None = None) -> dt.date | None:
    """The nearest day before `before` (or after `after`) on which an event or a series starts.

    A series' later occurrences are not searched: that would mean expanding it without bound.
    """
    rows = CalendarEvent.objects.order_by().exclude(status=CANCELLED)
    if before is not None:
        limit = dt.datetime.combine(before, dt.time(), tzinfo=dt.UTC) - dt.timedelta(hours=14)
        found = rows.filter(starts_at__lt=limit).aggregate(at=Max("starts_at"))["at"]
    else:
        limit = dt.datetime.combine(after, dt.time(), tzinfo=dt.UTC) + dt.timedelta(days=1, hours=12)
        found = rows.filter(starts_at__gte=limit).aggregate(at=Min("starts_at"))["at"]
    if found is None:
        return None
    event = rows.filter(starts_at=found).first()
    return _local_start(event, found).date()
