"""How Google Play events appear on a local day's page."""

import datetime as dt

from django.db.models import Max, Min

from sources.base import DayPart
from sources.localtime import local, offset_label
from sources.play.models import PlayEvent

LABELS = {"install": "App installed", "library": "Added to library", "purchase": "Purchase", "order": "Order",
          "review": "Review"}


def detail_of(event) -> str:
    """One line: what it is, where, for how much, and the rating of a review."""
    extra = event.extra or {}
    rating = extra.get("rating")
    parts = (event.document_type, event.device, event.price,
             f"{rating}★" if isinstance(rating, int) else "", extra.get("comment") or "")
    return " · ".join(part for part in parts if part)


def day_part(day: dt.date, start: dt.datetime, end: dt.datetime) -> DayPart:
    """The events of local `day` (Play states times in UTC); `start`..`end` is the UTC window around it."""
    entries = []
    for event in PlayEvent.objects.filter(at__gte=start, at__lt=end).order_by("at", "kind", "item_key"):
        when = local(event.at, None)
        if when.date() != day:
            continue
        # Play's records link nowhere: a title is all there is.
        entries.append({"kind": "event", "start": when, "tz": offset_label(None), "source": "play",
                        "label": LABELS.get(event.kind, event.kind), "title": event.title, "url": "",
                        "detail": detail_of(event)})
    return DayPart(entries)


def neighbour_day(before: dt.date | None = None, after: dt.date | None = None) -> dt.date | None:
    """The nearest day before `before` (or after `after`) with something of this source on it.

    Times are UTC here (the export states no offset), so a local day is a UTC day.
    """
    rows = PlayEvent.objects.order_by()
    if before is not None:
        start = dt.datetime.combine(before, dt.time(), tzinfo=dt.UTC)
        found = rows.filter(at__lt=start).aggregate(at=Max("at"))["at"]
    else:
        end = dt.datetime.combine(after, dt.time(), tzinfo=dt.UTC) + dt.timedelta(days=1)
        found = rows.filter(at__gte=end).aggregate(at=Min("at"))["at"]
    return found.astimezone(dt.UTC).date() if found else None
