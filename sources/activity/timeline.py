"""How My Activity appears on a local day's page: one entry per search, video, page, prompt."""

import datetime as dt

from sources.activity.models import ActivityEvent
from sources.base import DayPart
from sources.localtime import local, offset_label

# A heavy day of YouTube autoplay runs to hundreds; past this the page says how many more.
MAX_ENTRIES = 2000


def safe_link(url: str) -> str:
    """Only web links become links: no javascript:, data: or intranet schemes on a page."""
    return url if url.startswith(("https://", "http://")) else ""


def zone_label(event) -> str:
    if not event.zone_known:
        return f"{event.zone} (zone unknown)" if event.zone else "zone unknown"
    return event.zone or offset_label(event.utc_offset_minutes)


def day_part(day: dt.date, start: dt.datetime, end: dt.datetime) -> DayPart:
    entries = []
    events = ActivityEvent.objects.filter(at__gte=start, at__lt=end).order_by("at", "micros")
    for event in events.iterator(chunk_size=2000):
        when = local(event.at, event.utc_offset_minutes)
        if when.date() != day:
            continue
        if len(entries) >= MAX_ENTRIES:
            entries[-1]["more"] = entries[-1].get("more", 0) + 1
            continue
        detail = event.channel or event.host
        if event.removed:
            detail = "removed or private video"
        entries.append({"kind": "event", "source": "activity", "start": when, "tz": zone_label(event),
                        "label": event.service, "title": event.title, "url": safe_link(event.url),
                        "detail": detail, "location": event.location_name})
    return DayPart(entries)


def neighbour_day(before: dt.date | None = None, after: dt.date | None = None) -> dt.date | None:
    """The nearest local day before `before` (or after `after`) with an entry, from the daily summary."""
    from django.db import connection

    with connection.cursor() as cursor:
        if before is not None:
            cursor.execute("SELECT max(day) FROM analytics.my_online_daily WHERE day < %s", [before])
        else:
            cursor.execute("SELECT min(day) FROM analytics.my_online_daily WHERE day > %s", [after])
        return cursor.fetchone()[0]
