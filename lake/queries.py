"""Read queries over the per-user tables. They run as the app role inside the
request's user scope, so row-level security decides whose rows they see."""

import datetime as dt
import math
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.models import Count, Max, Min

from lake import textsearch
from lake.models import ActivitySegment, LocationPoint, PlaceVisit

KINDS = (
    ("Location points", LocationPoint, "recorded_at"),
    ("Place visits", PlaceVisit, "started_at"),
    ("Activity segments", ActivitySegment, "started_at"),
)
# Offsets in the wild stay within UTC-12..UTC+14: a local day lies inside this UTC window.
_MAX_WEST, _MAX_EAST = dt.timedelta(hours=12), dt.timedelta(hours=14)


def product_counts() -> list[dict]:
    """One row per kind (always all three): records and the time they span."""
    rows = []
    for label, model, column in KINDS:
        summary = model.objects.aggregate(n=Count("*"), first=Min(column), last=Max(column))
        rows.append({"label": label, **summary})
    return rows


def per_product_counts() -> list[dict]:
    """Records per kind and per product, with the time they span."""
    rows = []
    for label, model, column in KINDS:
        per_product = model.objects.values("product").annotate(n=Count("*"), first=Min(column), last=Max(column))
        for row in per_product.order_by("product"):
            rows.append({"label": label, **row})
    return rows


def total_records(counts: list[dict]) -> int:
    return sum(row["n"] for row in counts)


# --- Calendar heatmap -------------------------------------------------------------

@dataclass
class HeatmapYear:
    year: int
    cells: list = field(default_factory=list)  # (x, y, level, date, total)
    days: int = 0
    months: list = field(default_factory=list)  # (x, label)


CELL = 12  # px per day square, including the gap


def daily_totals() -> dict[dt.date, int]:
    """Records per local day, from the analytics summary (refreshed after imports)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT day, points + visits + segments FROM analytics.my_daily")
        return dict(cursor.fetchall())


def heatmap(totals: dict[dt.date, int], max_years: int = 12) -> list[HeatmapYear]:
    """One GitHub-style grid per year with data (newest first), for server-side SVG."""
    if not totals:
        return []
    # Four shades on a square-root scale of the busiest day: one huge day does
    # not wash every other day out, and equal days get the same middle shade.
    busiest = max(totals.values()) or 1
    years = sorted({day.year for day in totals}, reverse=True)[:max_years]
    result = []
    for year in years:
        first = dt.date(year, 1, 1)
        offset = first.weekday()  # Monday-first rows
        entry = HeatmapYear(year)
        day = first
        while day.year == year:
            index = (day - first).days + offset
            x, y = (index // 7) * CELL, (index % 7) * CELL
            total = totals.get(day, 0)
            level = 0 if total <= 0 else max(1, math.ceil(4 * math.sqrt(total / busiest)))
            entry.cells.append((x, y, level, day, total))
            entry.days += bool(total)
            if day.day == 1:
                entry.months.append((x, day.strftime("%b")))
            day += dt.timedelta(days=1)
        result.append(entry)
    return result


# --- Storage -----------------------------------------------------------------------

def _table_size(cursor, model) -> tuple[int, int]:
    """A table's leaf partitions: their bytes (indexes included) and estimated rows."""
    cursor.execute(
        """
        SELECT coalesce(sum(pg_total_relation_size(relid)), 0)::bigint,
               coalesce(sum(greatest(c.reltuples, 0)), 0)::bigint
          FROM pg_partition_tree(%s::regclass) t JOIN pg_class c ON c.oid = t.relid
         WHERE t.isleaf
        """,
        [model._meta.db_table.replace('"', "")],
    )
    return cursor.fetchone()


def _estimated_bytes(rows: int, size: int, tuples: int) -> int:
    if rows and tuples:
        return int(rows * size / max(tuples, rows))
    return rows * 120  # never analyzed yet: a typical row's size


def storage_used(user_id: int) -> int:
    """Bytes this user's rows take, estimated: their row count times each
    table's average bytes per row (partitions and indexes included), plus
    the archives they uploaded, where the imports app records them."""
    used = 0
    with connection.cursor() as cursor:
        for _label, model, _column in KINDS:
            rows = model.objects.count()
            if rows:
                used += _estimated_bytes(rows, *_table_size(cursor, model))
    import_file = _model("imports", "ImportFile")
    if import_file is not None:
        from django.db.models import Sum

        used += import_file.objects.filter(user_id=user_id).aggregate(s=Sum("size"))["s"] or 0
    return used


def storage_by_user(using: str) -> dict[int, int]:
    """storage_used for every user at once, on a connection past row-level security
    (the caller's audited maintenance scope): a few grouped queries, not one set per person."""
    from django.db import connections
    from django.db.models import Sum

    used: dict[int, int] = {}
    with connections[using].cursor() as cursor:
        for _label, model, _column in KINDS:
            size, tuples = _table_size(cursor, model)
            for row in model.objects.using(using).values("user_id").annotate(n=Count("*")).order_by():
                used[row["user_id"]] = used.get(row["user_id"], 0) + _estimated_bytes(row["n"], size, tuples)
    import_file = _model("imports", "ImportFile")
    if import_file is not None:
        for row in import_file.objects.using(using).values("user_id").annotate(s=Sum("size")).order_by():
            used[row["user_id"]] = used.get(row["user_id"], 0) + (row["s"] or 0)
    return used


def quota() -> int:
    return settings.USER_QUOTA_BYTES


# --- Imports (the imports app, where installed) ------------------------------------

def _model(app_label: str, name: str):
    if not apps.is_installed(app_label):
        return None
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def recent_imports(user, limit: int = 5) -> list | None:
    """The latest import runs with their state; None when there is no imports app."""
    run = _model("imports", "ImportRun")
    if run is None:
        return None
    order = "-created_at" if any(f.name == "created_at" for f in run._meta.fields) else "-pk"
    return list(run.objects.filter(user=user).order_by(order)[:limit])


def import_run_ids() -> list[dict]:
    """The import runs that left rows here, newest first, with how many rows of each kind."""
    found: dict[int, dict] = {}
    for label, model, _column in KINDS:
        for row in model.objects.exclude(import_run_id=None).values("import_run_id").annotate(n=Count("*")):
            entry = found.setdefault(row["import_run_id"], {"id": row["import_run_id"], "rows": 0, "kinds": {}})
            entry["rows"] += row["n"]
            entry["kinds"][label] = row["n"]
    return sorted(found.values(), key=lambda entry: -entry["id"])


# --- Day timeline -----------------------------------------------------------------

def local(when: dt.datetime, offset_minutes: int | None) -> dt.datetime | None:
    """The wall-clock time the source stated (UTC when it stated no offset).

    Naive on purpose: templates convert aware datetimes to the server's zone.
    """
    if when is None:
        return None
    return (when.astimezone(dt.UTC) + dt.timedelta(minutes=offset_minutes or 0)).replace(tzinfo=None)


def offset_label(offset_minutes: int | None) -> str:
    minutes = offset_minutes or 0
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


@dataclass
class DayTimeline:
    day: dt.date
    entries: list  # visits and segments in order: dicts with kind, start, end, ...
    path: list  # [[lat, lng], ...] of the day's points, in time order
    points: int
    previous_day: dt.date | None
    next_day: dt.date | None


MAX_PATH_POINTS = 4000


def _utc_window(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    return start - _MAX_EAST, start + dt.timedelta(days=1) + _MAX_WEST


def day_timeline(day: dt.date) -> DayTimeline:
    """Visits, segments and the path of one local day, in order."""
    start, end = _utc_window(day)
    entries = []
    for visit in PlaceVisit.objects.filter(started_at__gte=start, started_at__lt=end, is_child=False).order_by(
            "started_at"):
        begin = local(visit.started_at, visit.utc_offset_minutes)
        if begin.date() != day:
            continue
        entries.append({"kind": "visit", "start": begin, "end": local(visit.ended_at, visit.utc_offset_minutes),
                        "tz": offset_label(visit.utc_offset_minutes),
                        "name": visit.name or visit.place_id or "Unnamed place", "address": visit.address,
                        "semantic_type": visit.semantic_type.removeprefix("TYPE_").replace("_", " ").lower(),
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
                        "activity_type": segment.activity_type, "distance_m": segment.distance_m,
                        "waypoints": waypoints})
    entries.sort(key=lambda entry: entry["start"])
    path = []
    for when, offset, lat, lng in LocationPoint.objects.filter(recorded_at__gte=start, recorded_at__lt=end).order_by(
            "recorded_at").values_list("recorded_at", "utc_offset_minutes", "lat_e7", "lng_e7").iterator(5000):
        if local(when, offset).date() == day:
            path.append([lat / 1e7, lng / 1e7])
    points = len(path)
    if points > MAX_PATH_POINTS:  # thin evenly: the small map needs the shape, not every fix
        step = points / MAX_PATH_POINTS
        path = [path[int(i * step)] for i in range(MAX_PATH_POINTS)] + [path[-1]]
    return DayTimeline(day, entries, path, points, *neighbour_days(day))


def neighbour_days(day: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """The nearest earlier and later days that have data (from the daily summary)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(day) FROM analytics.my_daily WHERE day < %s", [day])
        previous_day = cursor.fetchone()[0]
        cursor.execute("SELECT min(day) FROM analytics.my_daily WHERE day > %s", [day])
        next_day = cursor.fetchone()[0]
    return previous_day, next_day


def latest_day() -> dt.date | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(day) FROM analytics.my_daily")
        return cursor.fetchone()[0]


# --- Search ------------------------------------------------------------------------

SEARCH_LIMIT = 100


def search_products() -> list[str]:
    """Products that have something to search (place visits for now)."""
    return list(PlaceVisit.objects.order_by().values_list("product", flat=True).distinct())


def search(text: str, *, product: str = "", start: dt.date | None = None, end: dt.date | None = None) -> list[dict]:
    """Visits whose name or address match `text` (web-search syntax: "quotes", or, -not).

    Dates are local days, inclusive; they bound the UTC search window with a
    day's margin and are checked exactly on each result.
    """
    visits = textsearch.matching(PlaceVisit.objects.all(), text)
    if product:
        visits = visits.filter(product=product)
    if start:
        visits = visits.filter(started_at__gte=_utc_window(start)[0])
    if end:
        visits = visits.filter(started_at__lt=_utc_window(end)[1])
    results = []
    for visit in visits.order_by("-rank", "-started_at")[: SEARCH_LIMIT * 2]:
        when = local(visit.started_at, visit.utc_offset_minutes)
        if (start and when.date() < start) or (end and when.date() > end):
            continue
        results.append({"kind": "Place visit", "title": visit.name or visit.place_id or "Unnamed place",
                        "detail": visit.address, "when": when, "day": when.date(), "product": visit.product})
    return results[:SEARCH_LIMIT]


# --- Stats (the analytics summaries) ----------------------------------------------

def stats(grain: str = "month") -> dict:
    """Chart-ready series from the per-user analytics views."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT period_start, activity_type, distance_m, duration_s FROM analytics.my_activity_periods "
            "WHERE grain = %s ORDER BY period_start, activity_type",
            [grain],
        )
        periods = cursor.fetchall()
        cursor.execute(
            "SELECT name, address, place_key, visits, duration_s, last_visit FROM analytics.my_top_places "
            "ORDER BY visits DESC, duration_s DESC LIMIT 15"
        )
        places = [dict(zip(("name", "address", "place_key", "visits", "duration_s", "last_visit"), row, strict=True))
                  for row in cursor.fetchall()]
        cursor.execute("SELECT day, points FROM analytics.my_daily WHERE points > 0 ORDER BY day")
        daily = cursor.fetchall()
    labels = sorted({row[0] for row in periods})
    types = sorted({row[1] for row in periods})
    index = {label: i for i, label in enumerate(labels)}
    distance = {t: [0.0] * len(labels) for t in types}
    duration = {t: [0.0] * len(labels) for t in types}
    for period, activity, metres, seconds in periods:
        distance[activity][index[period]] = round(metres / 1000, 2)
        duration[activity][index[period]] = round(seconds / 3600, 2)
    return {
        "grain": grain,
        "labels": [label.isoformat() for label in labels],
        "distance_km": distance,
        "duration_h": duration,
        "places": places,
        "daily": {"labels": [day.isoformat() for day, _ in daily], "points": [n for _, n in daily]},
    }
