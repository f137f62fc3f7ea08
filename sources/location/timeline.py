"""How location history appears on a local day's page: visits, segments and the path."""

import datetime as dt

from sources import geo
from sources.base import DayPart
from sources.labels import activity_label, place_type_label
from sources.localtime import local, offset_label
from sources.location.models import ActivitySegment, LocationPoint, PlaceVisit

MAX_PATH_POINTS = 4000
# Points further apart than this are two stretches of recording on the timeline.
RUN_GAP = dt.timedelta(minutes=30)


def day_part(day: dt.date, start: dt.datetime, end: dt.datetime) -> DayPart:
    """Visits, segments and the path of local `day`; `start`..`end` is the UTC window around it."""
    entries = []
    for visit in PlaceVisit.objects.filter(started_at__gte=start, started_at__lt=end, is_child=False).order_by(
            "started_at"):
        begin = local(visit.started_at, visit.utc_offset_minutes)
        if begin.date() != day:
            continue
        entries.append({"kind": "visit", "start": begin, "end": local(visit.ended_at, visit.utc_offset_minutes),
                        "tz": offset_label(visit.utc_offset_minutes),
                        "name": visit.name or _gazetteer_name(visit), "address": visit.address,
                        "semantic_type": place_type_label(visit.semantic_type),
                        "lat": visit.lat_e7 / 1e7, "lng": visit.lng_e7 / 1e7})
    for segment in ActivitySegment.objects.filter(started_at__gte=start, started_at__lt=end).order_by("started_at"):
        begin = local(segment.started_at, segment.utc_offset_minutes)
        if begin.date() != day:
            continue
        waypoints = [[lat / 1e7, lng / 1e7] for lat, lng in (segment.waypoints or []) if lat is not None]
        if not waypoints and segment.start_lat_e7 is not None and segment.end_lat_e7 is not None:
            waypoints = [[segment.start_lat_e7 / 1e7, segment.start_lng_e7 / 1e7],
                         [segment.end_lat_e7 / 1e7, segment.end_lng_e7 / 1e7]]
        entries.append({"kind": "segment", "start": begin, "end": local(segment.ended_at, segment.utc_offset_minutes),
                        "tz": offset_label(segment.utc_offset_minutes),
                        "activity_type": segment.activity_type, "activity": activity_label(segment.activity_type),
                        "distance_m": segment.distance_m,
                        "waypoints": waypoints})
    path, runs = [], []
    for when, offset, lat, lng in LocationPoint.objects.filter(recorded_at__gte=start, recorded_at__lt=end).order_by(
            "recorded_at").values_list("recorded_at", "utc_offset_minutes", "lat_e7", "lng_e7").iterator(5000):
        at = local(when, offset)
        if at.date() == day:
            path.append([lat / 1e7, lng / 1e7])
            if runs and at - runs[-1]["end"] <= RUN_GAP:
                runs[-1]["end"], runs[-1]["points"] = at, runs[-1]["points"] + 1
            else:
                runs.append({"kind": "points", "start": at, "end": at, "tz": offset_label(offset), "points": 1})
    # Raw points are the map's path; on the timeline each stretch of them is one line, so a day
    # of Records.json shows when the phone was recording beside the day's other entries.
    entries += runs
    points = len(path)
    if points > MAX_PATH_POINTS:  # thin evenly: the small map needs the shape, not every fix
        step = points / MAX_PATH_POINTS
        path = [path[int(i * step)] for i in range(MAX_PATH_POINTS)] + [path[-1]]
    return DayPart(entries, path, points)


def _gazetteer_name(visit) -> str:
    """A visit Google named only by a place ID reads as the offline gazetteer's town, never the raw ID."""
    return geo.place_name(visit.lat_e7 / 1e7, visit.lng_e7 / 1e7).label


def neighbour_day(before: dt.date | None = None, after: dt.date | None = None) -> dt.date | None:
    """The nearest local day before `before` (or after `after`) with location data, from the daily summary."""
    from django.db import connection

    with connection.cursor() as cursor:
        if before is not None:
            cursor.execute("SELECT max(day) FROM analytics.my_daily WHERE day < %s", [before])
        else:
            cursor.execute("SELECT min(day) FROM analytics.my_daily WHERE day > %s", [after])
        return cursor.fetchone()[0]
