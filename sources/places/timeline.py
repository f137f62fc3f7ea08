"""How saved places appear on a local day's page (the day they were saved) and on the map."""

import datetime as dt
from urllib.parse import urlsplit

from django.db.models import Max, Min

from sources.base import DayPart, MapLayer
from sources.localtime import local, offset_label
from sources.places.models import SavedPlace

# The map draws every marker it is given; a person with more saved places than this has lists, not a map.
MAX_MARKERS = 20_000
KIND_LABELS = {"saved": "Starred", "labeled": "Labeled", "list": "List"}


def safe_url(url: str) -> str:
    """The URL if it is an http(s) link, else "": nothing else is ever rendered as a link."""
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return ""
    return url if scheme in ("http", "https") else ""


def place_title(place) -> str:
    return place.title or place.address or "Unnamed place"


def where(place) -> str:
    """Which collection a place is in: "Want to go", "Starred", "Labeled"."""
    return place.list_name or KIND_LABELS.get(place.kind, place.kind)


def day_part(day: dt.date, start: dt.datetime, end: dt.datetime) -> DayPart:
    """Places saved on local `day`; `start`..`end` is the UTC window around it.

    Takeout states no offset for a save date, so the day is the UTC day.
    """
    entries = []
    for place in SavedPlace.objects.filter(saved_at__gte=start, saved_at__lt=end).order_by("saved_at"):
        when = local(place.saved_at, None)
        if when.date() != day:
            continue
        detail = " · ".join(part for part in (place.address, where(place)) if part)
        entries.append({"kind": "event", "start": when, "tz": offset_label(None), "source": "places",
                        "label": "Saved place", "title": place_title(place), "url": safe_url(place.url),
                        "detail": detail})
    return DayPart(entries)


def map_layers() -> list[MapLayer]:
    markers = []
    places = SavedPlace.objects.filter(lat_e7__isnull=False).order_by("kind", "list_name", "place_key")
    for lat, lng, title, address, saved_at in places.values_list(
            "lat_e7", "lng_e7", "title", "address", "saved_at")[:MAX_MARKERS].iterator(5000):
        day = local(saved_at, None).date().isoformat() if saved_at else None
        markers.append([lat / 1e7, lng / 1e7, title or address or "Unnamed place", day])
    return [MapLayer("saved_places", "Saved places", markers)] if markers else []


def neighbour_day(before: dt.date | None = None, after: dt.date | None = None) -> dt.date | None:
    """The nearest day before `before` (or after `after`) with something of this source on it.

    Times are UTC here (the export states no offset), so a local day is a UTC day.
    """
    rows = SavedPlace.objects.order_by()
    if before is not None:
        start = dt.datetime.combine(before, dt.time(), tzinfo=dt.UTC)
        found = rows.filter(saved_at__lt=start).aggregate(at=Max("saved_at"))["at"]
    else:
        end = dt.datetime.combine(after, dt.time(), tzinfo=dt.UTC) + dt.timedelta(days=1)
        found = rows.filter(saved_at__gte=end).aggregate(at=Min("saved_at"))["at"]
    return found.astimezone(dt.UTC).date() if found else None
