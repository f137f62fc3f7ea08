"""Read queries over the per-user tables. They run as the app role inside the
request's user scope, so row-level security decides whose rows they see."""

import datetime as dt
import math
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, connections
from django.db.models import Count, Max, Min, Sum

from imports.models import ImportFile, ImportRun
from sources import registry
from sources.labels import activity_label
from sources.localtime import utc_window

# (label, model, time field) of every dataset placed in time, across all sources.
KINDS = tuple((dataset.label, dataset.model, dataset.time_field)
              for _source, dataset in registry.datasets() if dataset.time_field)


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
            rows.append({"label": label, "product_label": registry.product_label(row["product"]), **row})
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
    used += ImportFile.objects.filter(user_id=user_id).aggregate(s=Sum("size"))["s"] or 0
    return used


def storage_by_user(using: str) -> dict[int, int]:
    """storage_used for every user at once, on a connection past row-level security
    (the caller's audited maintenance scope): a few grouped queries, not one set per person."""
    used: dict[int, int] = {}
    with connections[using].cursor() as cursor:
        for _label, model, _column in KINDS:
            size, tuples = _table_size(cursor, model)
            for row in model.objects.using(using).values("user_id").annotate(n=Count("*")).order_by():
                used[row["user_id"]] = used.get(row["user_id"], 0) + _estimated_bytes(row["n"], size, tuples)
    for row in ImportFile.objects.using(using).values("user_id").annotate(s=Sum("size")).order_by():
        used[row["user_id"]] = used.get(row["user_id"], 0) + (row["s"] or 0)
    return used


def quota() -> int:
    return settings.USER_QUOTA_BYTES


# --- Imports ---------------------------------------------------------------------

def recent_imports(user, limit: int = 5) -> list:
    """The latest import runs with their state."""
    return list(ImportRun.objects.filter(user=user).order_by("-created_at")[:limit])


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

@dataclass
class DayTimeline:
    day: dt.date
    entries: list  # visits and segments in order: dicts with kind, start, end, ...
    path: list  # [[lat, lng], ...] of the day's points, in time order
    points: int
    previous_day: dt.date | None
    next_day: dt.date | None
    sources: list = field(default_factory=list)  # (name, label, entries) of the sources with entries




def day_timeline(day: dt.date) -> DayTimeline:
    """Everything every source holds of one local day, in order, and the day's path."""
    start, end = utc_window(day)
    entries, path, points = [], [], 0
    for source in registry.SOURCES:
        if source.day is None:
            continue
        part = source.day(day, start, end)
        entries += part.entries
        path += part.path
        points += part.points
    entries.sort(key=lambda entry: entry["start"])
    return DayTimeline(day, entries, path, points, *neighbour_days(day), sources=_sources_of(entries))


def _sources_of(entries: list[dict]) -> list[tuple[str, str, int]]:
    """(source name, label, entries) of the sources that have entries this day: the day page's filter."""
    labels = {source.name: source.label for source in registry.SOURCES}
    counts: dict[str, int] = {}
    for entry in entries:
        name = entry.get("source", "location")
        counts[name] = counts.get(name, 0) + 1
    return [(name, labels.get(name, name), count) for name, count in counts.items()]


def neighbour_days(day: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """The nearest earlier and later days that have data in any source (from their daily summaries)."""
    finders = [source.neighbour_day for source in registry.SOURCES if source.neighbour_day is not None]
    earlier = [found for find in finders if (found := find(before=day)) is not None]
    later = [found for find in finders if (found := find(after=day)) is not None]
    return (max(earlier) if earlier else None), (min(later) if later else None)


def latest_day() -> dt.date | None:
    """The last local day with data in any source."""
    # A day past any plausible record, with room for the sources' own day arithmetic.
    beyond = dt.date(9000, 1, 1)
    found = [day for source in registry.SOURCES if source.neighbour_day is not None
             if (day := source.neighbour_day(before=beyond)) is not None]
    return max(found) if found else None


# --- Search ------------------------------------------------------------------------

SEARCH_LIMIT = 100


def search_products() -> list[str]:
    """Products that have something to search."""
    return sorted({product for source in registry.SOURCES if source.search_products
                   for product in source.search_products()})


def search(text: str, *, product: str = "", start: dt.date | None = None, end: dt.date | None = None) -> list[dict]:
    """What matches `text` (web-search syntax: "quotes", or, -not) in every source that has words.

    Dates are local days, inclusive; they bound the UTC search window with a
    day's margin and are checked exactly on each result.
    """
    lower = utc_window(start)[0] if start else None
    upper = utc_window(end)[1] if end else None
    results = []
    for source in registry.SOURCES:
        if source.search is None:
            continue
        for hit in source.search(text, product=product, start=lower, end=upper, limit=SEARCH_LIMIT * 2):
            day = hit.get("day")  # None for things without a date (a subscription, a saved list entry)
            if (start or end) and day is None:
                continue
            if (start and day < start) or (end and day > end):
                continue
            results.append(hit)
    results.sort(key=lambda hit: -hit.get("rank", 0))  # stable: each source's own order breaks ties
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
    # The charts' series are named in words (sources.labels); two codes with one name share it.
    types = sorted({activity_label(row[1]) for row in periods})
    index = {label: i for i, label in enumerate(labels)}
    distance = {t: [0.0] * len(labels) for t in types}
    duration = {t: [0.0] * len(labels) for t in types}
    for period, activity, metres, seconds in periods:
        name = activity_label(activity)
        distance[name][index[period]] = round(distance[name][index[period]] + metres / 1000, 2)
        duration[name][index[period]] = round(duration[name][index[period]] + seconds / 3600, 2)
    return {
        "grain": grain,
        # Every other source's tables (My Activity per product, top channels, …)
        "sections": [(source.label, source.stats(grain)) for source in registry.SOURCES if source.stats is not None],
        "labels": [label.isoformat() for label in labels],
        "distance_km": distance,
        "duration_h": duration,
        "places": places,
        "daily": {"labels": [day.isoformat() for day, _ in daily], "points": [n for _, n in daily]},
    }
