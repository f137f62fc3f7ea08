"""How photos appear on a local day's page (the day they were taken) and on the map.

A photo is read from its own sidecar: the position and time there are that
photo's, whether or not its media file is in the lake. The same photo's
sidecar in its year folder and in album folders is one photo: rows are
collapsed on the photo's URL (else its title and time).
Takeout states no offset for photoTakenTime, so a local day is a UTC day.
"""

import datetime as dt
from urllib.parse import urlsplit

from django.db.models import Max, Min

from sources.base import DayPart, MapLayer
from sources.localtime import local, offset_label
from sources.photos.models import PhotoSidecar

MAX_ENTRIES = 2000
MAX_MARKERS = 50_000
_FIELDS = ("path", "name", "title", "description", "taken_at", "lat_e7", "lng_e7", "people", "url", "favorited")


def safe_url(url: str) -> str:
    try:
        scheme = urlsplit(url or "").scheme.lower()
    except ValueError:
        return ""
    return url if scheme in ("http", "https") else ""


def photo_identity(row: dict) -> str:
    """What makes copies of one photo's sidecar one photo."""
    if row["url"]:
        return row["url"]
    return f"{row['title']}\n{row['taken_at'].isoformat() if row['taken_at'] else row['path']}"


def distinct_photos(rows):
    seen = set()
    for row in rows:
        key = photo_identity(row)
        if key not in seen:
            seen.add(key)
            yield row


def photo_title(row: dict) -> str:
    return row["title"] or row["name"] or "Photo"


def photo_detail(row: dict) -> str:
    parts = [row["description"] or "", ", ".join(row["people"] or [])]
    if row["lat_e7"] is not None:
        parts.append(f"{row['lat_e7'] / 1e7:.5f}, {row['lng_e7'] / 1e7:.5f}")
    if row["favorited"]:
        parts.append("★")
    return " · ".join(part for part in parts if part)


def day_part(day: dt.date, start: dt.datetime, end: dt.datetime) -> DayPart:
    entries = []
    rows = (PhotoSidecar.objects.filter(taken_at__gte=start, taken_at__lt=end)
            .order_by("taken_at", "path").values(*_FIELDS))
    for row in distinct_photos(rows.iterator(2000)):
        when = local(row["taken_at"], None)
        if when.date() != day:
            continue
        if len(entries) >= MAX_ENTRIES:
            entries[-1]["more"] = entries[-1].get("more", 0) + 1
            continue
        entries.append({"kind": "event", "start": when, "tz": offset_label(None), "source": "photos",
                        "label": "Photo", "title": photo_title(row), "url": safe_url(row["url"]),
                        "detail": photo_detail(row), "item": row["path"]})
    return DayPart(entries)


def map_layers() -> list[MapLayer]:
    rows = (PhotoSidecar.objects.filter(lat_e7__isnull=False).order_by("taken_at", "path").values(*_FIELDS))
    markers = []
    for row in distinct_photos(rows.iterator(5000)):
        if len(markers) >= MAX_MARKERS:
            break
        day = local(row["taken_at"], None).date().isoformat() if row["taken_at"] else None
        markers.append([row["lat_e7"] / 1e7, row["lng_e7"] / 1e7, photo_title(row), day, row["path"]])
    return [MapLayer("photos", "Photos", markers)] if markers else []


def neighbour_day(before: dt.date | None = None, after: dt.date | None = None) -> dt.date | None:
    rows = PhotoSidecar.objects.order_by()
    if before is not None:
        start = dt.datetime.combine(before, dt.time(), tzinfo=dt.UTC)
        found = rows.filter(taken_at__lt=start).aggregate(at=Max("taken_at"))["at"]
    else:
        end = dt.datetime.combine(after, dt.time(), tzinfo=dt.UTC) + dt.timedelta(days=1)
        found = rows.filter(taken_at__gte=end).aggregate(at=Min("taken_at"))["at"]
    return found.astimezone(dt.UTC).date() if found else None
