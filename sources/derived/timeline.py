"""How derived stays and trips appear on a local day's page and on the map.

Google's own visits and segments win: on a day that has any, ours are not shown
(sources.location shows Google's); on the others ours are, labelled as worked
out from the points. A stay over midnight is on both days, marked "+1 day".
"""

import datetime as dt

from django.db.models import Max, Min, Q

from sources.base import DayPart, MapLayer
from sources.derived import labels
from sources.derived.models import SignificantPlace, Stay, Trip
from sources.localtime import local, local_day, offset_label
from sources.location.models import ActivitySegment, PlaceVisit

MAX_MARKERS = 20_000
MAX_LINES = 2_000


def google_has_day(day: dt.date, start: dt.datetime, end: dt.datetime) -> bool:
    """Whether Google's own timeline (visits or segments) has something on local `day`."""
    for model in (PlaceVisit, ActivitySegment):
        for when, offset in model.objects.filter(started_at__gte=start, started_at__lt=end).values_list(
                "started_at", "utc_offset_minutes").iterator(1000):
            if local_day(when, offset) == day:
                return True
    return False


def _day_mark(day: dt.date, local_at: dt.datetime) -> str:
    shift = (local_at.date() - day).days
    return "" if shift == 0 else f" ({shift:+d} day{'s' if abs(shift) > 1 else ''})"


def day_part(day: dt.date, start: dt.datetime, end: dt.datetime) -> DayPart:
    if google_has_day(day, start, end):
        return DayPart()
    entries = []
    places = {p.id: p for p in SignificantPlace.objects.filter(
        id__in=Stay.objects.filter(local_start_day__lte=day, local_end_day__gte=day).values("place_id"))}
    for stay in Stay.objects.filter(local_start_day__lte=day, local_end_day__gte=day).order_by("started_at"):
        begin = local(stay.started_at, stay.utc_offset_minutes)
        finish = local(stay.ended_at, stay.end_utc_offset_minutes)
        place = places.get(stay.place_id)
        title = place.label if place is not None and not place.hidden else labels.place_label(stay)
        detail = (f"Stay, worked out from your points: {begin:%H:%M}{_day_mark(day, begin)} to "
                  f"{finish:%H:%M}{_day_mark(day, finish)} · {labels.duration(stay.ended_at - stay.started_at)}")
        if place is not None and place.kind != SignificantPlace.Kind.OTHER:
            detail += f" · {place.get_kind_display()}"
        entries.append({"kind": "event", "start": begin, "tz": f"{offset_label(stay.utc_offset_minutes)}",
                        "source": "derived", "label": "Stay", "title": title, "url": "", "detail": detail,
                        "lat": stay.lat_e7 / 1e7, "lng": stay.lng_e7 / 1e7})
    on_day = Q(local_start_day__lte=day, local_end_day__gte=day) | Q(local_end_day__lte=day, local_start_day__gte=day)
    for trip in Trip.objects.filter(on_day).order_by("started_at"):
        begin = local(trip.started_at, trip.utc_offset_minutes)
        detail = (f"{labels.distance(trip.distance_m)} in {labels.duration(dt.timedelta(seconds=trip.seconds))}"
                  f"{_day_mark(day, begin)} · {labels.mode_note(trip.mode_from)}")
        entries.append({"kind": "event", "start": begin, "tz": offset_label(trip.utc_offset_minutes),
                        "source": "derived", "label": "Trip", "title": labels.MODE_LABELS.get(trip.mode, trip.mode),
                        "url": "", "detail": detail})
    return DayPart(entries)


def neighbour_day(before: dt.date | None = None, after: dt.date | None = None) -> dt.date | None:
    if before is not None:
        return Stay.objects.filter(local_start_day__lt=before).aggregate(d=Max("local_start_day"))["d"]
    return Stay.objects.filter(local_start_day__gt=after).aggregate(d=Min("local_start_day"))["d"]


def map_layers() -> list[MapLayer]:
    """Significant places and stays as markers, trips as lines ([[[lat, lng], ...], label, day])."""
    layers = []
    places = [[p.lat_e7 / 1e7, p.lng_e7 / 1e7, f"{p.label} · {p.visits} visits",
               p.first_seen_at.date().isoformat() if p.first_seen_at else None]
              for p in SignificantPlace.objects.filter(merged_into_id__isnull=True, hidden=False, visits__gt=0)
              .order_by("-visits", "id")[:MAX_MARKERS]]
    if places:
        layers.append(MapLayer("significant_places", "Your places", places))
    stays = [[lat / 1e7, lng / 1e7, f"{city or 'Stay'} · {started:%Y-%m-%d %H:%M}", day.isoformat()]
             for lat, lng, city, started, day in Stay.objects.order_by("-started_at").values_list(
                 "lat_e7", "lng_e7", "city", "started_at", "local_start_day")[:MAX_MARKERS]]
    if stays:
        layers.append(MapLayer("stays", "Stays (worked out)", stays))
    lines = [[path, f"{labels.MODE_LABELS.get(mode, mode)} · {labels.distance(distance)}", day.isoformat()]
             for path, mode, distance, day in Trip.objects.order_by("-started_at").values_list(
                 "path", "mode", "distance_m", "local_start_day")[:MAX_LINES]]
    if lines:
        layers.append(MapLayer("trips", "Trips (worked out)", [], lines=lines))
    return layers
