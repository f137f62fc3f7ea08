"""Enrichment of one user's points into stays, trips and significant places, owning its transaction.

`enrich(user_id)` notices which UTC days' points changed since it last ran
(per-day counts and checksums in `derived_day`) and rebuilds only from just
before the first changed day until the detection converges again after the
last one (see sources.derived.detection: restarting after a stored stay, or
meeting a stored stay's first fix again, reproduces the full pass exactly).
`enrich(user_id, rebuild=True)` starts from nothing. Either way the result is
the same rows a full pass gives; tests/sources/derived prove it.
"""

import datetime as dt
import time
from collections import defaultdict

import django_rq
from django.db import connection, transaction

from audit.actions import record_event
from core.rls import user_scope
from sources import geo
from sources.derived.detection import Fix, Params, Stay, Trip, stays, trip_between
from sources.derived.models import Day, SignificantPlace
from sources.derived.models import Settings as DetectionSettings
from sources.derived.models import Stay as StayRow
from sources.derived.models import Trip as TripRow
from sources.localtime import local, local_day
from sources.location.models import LocationPoint

BATCH = 1000  # rows per INSERT, and stays per flush of a pass (their trips' paths are in memory till then)
# Stays within this distance of a significant place's anchor are visits of it.
PLACE_RADIUS_M = 150.0
_CELL = 0.002  # degrees: the place grid's cell, larger than PLACE_RADIUS_M in latitude
_UTC_DAY = "(recorded_at AT TIME ZONE 'UTC')::date"


def params_for(user_id: int) -> Params:
    row = DetectionSettings.objects.filter(user_id=user_id).first()
    if row is None:
        return Params()
    return Params(radius_m=row.radius_m, min_stay_minutes=row.min_stay_minutes, max_gap_hours=row.max_gap_hours,
                  max_accuracy_m=row.max_accuracy_m)


def save_params(user_id: int, params: Params) -> None:
    """Store a user's parameters; the caller has everything rebuilt with them (a maintenance job)."""
    with user_scope(user_id):
        DetectionSettings.objects.update_or_create(user_id=user_id, defaults={
            "radius_m": params.radius_m, "min_stay_minutes": params.min_stay_minutes,
            "max_gap_hours": params.max_gap_hours, "max_accuracy_m": params.max_accuracy_m})


def fixes_between(start: dt.datetime | None, end: dt.datetime | None = None):
    """The scope user's points after `start` (exclusive) and before `end`, in time order, as Fixes."""
    points = LocationPoint.objects.all()
    if start is not None:
        points = points.filter(recorded_at__gt=start)
    if end is not None:
        points = points.filter(recorded_at__lt=end)
    rows = points.order_by("recorded_at", "lat_e7", "lng_e7").values_list(
        "recorded_at", "lat_e7", "lng_e7", "accuracy_m", "utc_offset_minutes", "activity_type")
    for at, lat, lng, accuracy, offset, activity in rows.iterator(chunk_size=20_000):
        yield Fix(at, lat / 1e7, lng / 1e7, accuracy, offset, activity)


def _day_checksums(days: list[dt.date] | None = None) -> dict[dt.date, tuple[int, int]]:
    """(points, checksum) per UTC day: of every day, or of `days` only (a range read of the key)."""
    where, params = "", []
    if days:
        where = " WHERE recorded_at >= %s AND recorded_at < %s"
        params = [dt.datetime.combine(min(days), dt.time(), tzinfo=dt.UTC),
                  dt.datetime.combine(max(days), dt.time(), tzinfo=dt.UTC) + dt.timedelta(days=1)]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {_UTC_DAY}, count(*), sum(extract(epoch FROM recorded_at)::bigint + lat_e7 + lng_e7)"
                       f" FROM timeseries.location_point{where} GROUP BY 1", params)
        found = {day: (count, int(total)) for day, count, total in cursor.fetchall()}
    return found if not days else {day: found[day] for day in days if day in found}


def days_of_run(run_id: int) -> list[dt.date]:
    """The UTC days an import run brought points for (its rows' index, not a scan of every point)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT {_UTC_DAY} FROM timeseries.location_point WHERE import_run_id = %s",
                       [run_id])
        return sorted(row[0] for row in cursor.fetchall())


def enrich(user_id: int, *, rebuild: bool = False, days: list[dt.date] | None = None, progress=None) -> dict:
    """Bring one user's derived rows up to date with their points; the counts they now have.

    Without `days` every day's checksum is compared (after a deletion, or by hand); with `days`
    (an import run's, a live batch's) only those are, so one new day costs one day's work.
    `progress(fraction)` is told how far a rebuild is, for the maintenance job's page.
    """
    with user_scope(user_id):
        params = params_for(user_id)
        if rebuild:
            current = _day_checksums()
            StayRow.objects.all().delete()
            TripRow.objects.all().delete()
            Day.objects.all().delete()
            changed = sorted(current)
        else:
            current = _day_checksums(days)
            stored = Day.objects.filter(day__in=days) if days else Day.objects.all()
            stored = {row.day: (row.points, row.checksum) for row in stored}
            changed = sorted(day for day in (set(days) if days else current.keys() | stored.keys())
                             if current.get(day) != stored.get(day))
        if changed:
            first = dt.datetime.combine(changed[0], dt.time(), tzinfo=dt.UTC)
            last = dt.datetime.combine(changed[-1], dt.time(), tzinfo=dt.UTC) + dt.timedelta(days=1)
            _rebuild_range(first, last, params, progress=progress, total=sum(c for c, _ in current.values()))
            Day.objects.filter(day__in=changed).delete()
            Day.objects.bulk_create([Day(user_id=user_id, day=day, points=current[day][0],
                                         checksum=current[day][1]) for day in changed if day in current],
                                    batch_size=BATCH)
            _assign_places(user_id)
            _refresh_place_stats()
        return counts(user_id)


def enrich_run(user_id: int, run_id: int) -> dict:
    """`enrich` of the days import run `run_id` brought points for (none: nothing to do)."""
    with user_scope(user_id):
        days = days_of_run(run_id)
        if not days:
            return counts(user_id)
        return enrich(user_id, days=days)


def counts(user_id: int) -> dict:
    return {"user": user_id, "days": Day.objects.count(), "stays": StayRow.objects.count(),
            "trips": TripRow.objects.count(),
            "places": SignificantPlace.objects.filter(merged_into_id__isnull=True).count()}


def _stored_stay(row: StayRow) -> Stay:
    return Stay(row.started_at, row.ended_at, row.lat_e7 / 1e7, row.lng_e7 / 1e7, row.fixes, row.radius_m,
                row.utc_offset_minutes if row.offset_from == "source" else None)


def _rebuild_range(first: dt.datetime, last: dt.datetime, params: Params, *, progress=None, total=0) -> None:
    """Recompute stays and trips for points changed in [first, last), and as far around as that reaches."""
    # Restart after the stay before the last one that ended before the change: that stay was closed
    # by fixes that did not change, so the pass is in the same fresh state just after it.
    before = list(StayRow.objects.filter(ended_at__lt=first).order_by("-started_at")[:2])
    previous = _stored_stay(before[1]) if len(before) == 2 else None
    restart = previous.ended_at if previous else None
    later = set(StayRow.objects.filter(started_at__gte=last).values_list("started_at", flat=True))
    writer = _Writer(_scope_user(), restart)
    seen, step = 0, max(total // 50, 1)
    last_stay = previous
    counter = _Counted(fixes_between(restart))
    for stay, way in stays(counter, params):
        if last_stay is not None:
            writer.trips.append(trip_between(last_stay, stay, way))
        if stay.started_at in later:
            # Converged: from this stay on, the stored rows are what the pass would find.
            writer.flush(until=stay.started_at)
            return
        writer.stays.append(stay)
        last_stay = stay
        if len(writer.stays) >= BATCH:
            writer.flush()
        if progress is not None and counter.count - seen >= step:
            seen = counter.count
            progress(min(counter.count / total, 1.0) if total else 1.0)
    writer.flush(until=None, final=True)


class _Writer:
    """Replaces the stored rows with the pass's in batches, so memory stays flat over ten years.

    Each flush deletes the stored rows up to the last new stay it writes (stays after `lower`,
    trips from `lower`: a trip starts where its stay before it ends) and inserts the new ones.
    """

    def __init__(self, user_id: int, restart: dt.datetime | None):
        self.user_id, self.lower, self.first = user_id, restart, True
        self.stays: list[Stay] = []
        self.trips: list[Trip] = []

    def flush(self, *, until: dt.datetime | None = None, final: bool = False) -> None:
        upper = until if (until is not None or final) else self.stays[-1].started_at
        old_stays, old_trips = StayRow.objects.all(), TripRow.objects.all()
        if self.lower is not None:
            old_stays = old_stays.filter(started_at__gt=self.lower)
            old_trips = old_trips.filter(started_at__gte=self.lower)
        if upper is not None:
            # Up to and including the batch's last stay; at convergence, short of the stay met again.
            old_stays = old_stays.filter(**{"started_at__lt" if until is not None else "started_at__lte": upper})
            old_trips = old_trips.filter(started_at__lt=upper)
        old_stays.delete()
        old_trips.delete()
        StayRow.objects.bulk_create(_stay_rows(self.user_id, self.stays), batch_size=BATCH)
        TripRow.objects.bulk_create(_trip_rows(self.user_id, self.trips), batch_size=BATCH)
        self.stays, self.trips, self.lower = [], [], upper


class _Counted:
    """An iterator that counts what went through it, for progress."""

    def __init__(self, iterable):
        self._it, self.count = iter(iterable), 0

    def __iter__(self):
        return self

    def __next__(self):
        item = next(self._it)
        self.count += 1
        return item


def _scope_user() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT user_data.current_user_id()")
        return cursor.fetchone()[0]


def _zone_and_offset(lat: float, lng: float, when: dt.datetime, stated: int | None) -> tuple[str, int, str]:
    zone = geo.zone_name(lat, lng)
    if stated is not None:  # the source's own offset stays authoritative
        return zone, stated, "source"
    return zone, geo.offset_minutes(zone, when), "zone"


def _stay_rows(user_id: int, found: list[Stay]) -> list[StayRow]:
    names = geo.place_names([(s.lat, s.lng) for s in found])
    rows = []
    for stay, name in zip(found, names, strict=True):
        zone, offset, offset_from = _zone_and_offset(stay.lat, stay.lng, stay.started_at, stay.utc_offset_minutes)
        end_offset = _end_offset(zone, stay.ended_at, offset, offset_from)
        rows.append(StayRow(
            user_id=user_id, started_at=stay.started_at, ended_at=stay.ended_at, lat_e7=round(stay.lat * 1e7),
            lng_e7=round(stay.lng * 1e7), fixes=stay.fixes, radius_m=stay.radius_m, utc_offset_minutes=offset,
            offset_from=offset_from, end_utc_offset_minutes=end_offset, tz_name=zone,
            local_start_day=local_day(stay.started_at, offset), local_end_day=local_day(stay.ended_at, end_offset),
            city=name.city[:200], region=name.region[:200], country=name.country[:100],
            country_code=name.country_code[:2]))
    return rows


def _end_offset(zone: str, when: dt.datetime, offset: int, offset_from: str) -> int:
    # A stay across a DST change ends in the zone's other offset; a stated offset is kept as stated.
    return offset if offset_from == "source" else geo.offset_minutes(zone, when)


def _trip_rows(user_id: int, found: list[Trip]) -> list[TripRow]:
    rows = []
    for trip in found:
        zone, offset, offset_from = _zone_and_offset(*trip.start, trip.started_at, trip.utc_offset_minutes)
        end_zone = geo.zone_name(*trip.end)
        end_offset = trip.utc_offset_minutes if offset_from == "source" else geo.offset_minutes(end_zone,
                                                                                                 trip.ended_at)
        rows.append(TripRow(
            user_id=user_id, started_at=trip.started_at, ended_at=trip.ended_at,
            start_lat_e7=round(trip.start[0] * 1e7), start_lng_e7=round(trip.start[1] * 1e7),
            end_lat_e7=round(trip.end[0] * 1e7), end_lng_e7=round(trip.end[1] * 1e7), distance_m=trip.distance_m,
            seconds=trip.seconds, mode=trip.mode, mode_from=trip.mode_from, fixes=trip.fixes, path=trip.path,
            utc_offset_minutes=offset, end_utc_offset_minutes=end_offset, tz_name=zone, end_tz_name=end_zone,
            local_start_day=local_day(trip.started_at, offset), local_end_day=local_day(trip.ended_at, end_offset)))
    return rows


def _cell(lat: float, lng: float) -> tuple[int, int]:
    return int(lat // _CELL), int(lng // _CELL)


def _assign_places(user_id: int) -> None:
    """Give each stay without a place the nearest place within PLACE_RADIUS_M, or a new place of its own."""
    grid = defaultdict(list)
    for place in SignificantPlace.objects.only("id", "lat_e7", "lng_e7", "merged_into_id"):
        lat, lng = place.lat_e7 / 1e7, place.lng_e7 / 1e7
        grid[_cell(lat, lng)].append((lat, lng, place.merged_into_id or place.id))
    unplaced = list(StayRow.objects.filter(place_id__isnull=True).order_by("started_at").only(
        "started_at", "lat_e7", "lng_e7", "city", "region", "country", "country_code"))
    chosen: dict[int, list] = defaultdict(list)
    for stay in unplaced:
        lat, lng = stay.lat_e7 / 1e7, stay.lng_e7 / 1e7
        place_id = _nearest(grid, lat, lng)
        if place_id is None:
            place = SignificantPlace.objects.create(
                user_id=user_id, lat_e7=stay.lat_e7, lng_e7=stay.lng_e7, city=stay.city, region=stay.region,
                country=stay.country, country_code=stay.country_code, first_seen_at=stay.started_at)
            place_id = place.id
            grid[_cell(lat, lng)].append((lat, lng, place_id))
        chosen[place_id].append(stay.started_at)
    for place_id, starts in chosen.items():
        StayRow.objects.filter(started_at__in=starts).update(place_id=place_id)


def _nearest(grid, lat: float, lng: float) -> int | None:
    from sources.derived.detection import haversine_m

    row, col = _cell(lat, lng)
    best, best_m = None, PLACE_RADIUS_M
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            for plat, plng, place_id in grid.get((row + dr, col + dc), ()):
                distance = haversine_m(lat, lng, plat, plng)
                if distance <= best_m:
                    best, best_m = place_id, distance
    return best


def _refresh_place_stats() -> None:
    """Visits, time spent, first visit and kind of every place, from its stays.

    Home: the place holding most nights (a stay covering 03:00 local). Work: of the rest, the one
    holding most weekday middays (11:00 local on Monday to Friday). Frequent: visited on 3+ days.
    """
    visits, seconds, first, nights, middays, days = (defaultdict(int), defaultdict(float), {}, defaultdict(int),
                                                     defaultdict(int), defaultdict(set))
    rows = StayRow.objects.filter(place_id__isnull=False).values_list(
        "place_id", "started_at", "ended_at", "utc_offset_minutes")
    for place_id, start, end, offset in rows.iterator(chunk_size=20_000):
        visits[place_id] += 1
        seconds[place_id] += (end - start).total_seconds()
        first[place_id] = min(first.get(place_id, start), start)
        begin, finish = local(start, offset), local(end, offset)
        day = begin.date()
        while day <= finish.date() and len(days[place_id]) < 10_000:
            days[place_id].add(day)
            if begin <= dt.datetime.combine(day, dt.time(3)) <= finish:
                nights[place_id] += 1
            if day.weekday() < 5 and begin <= dt.datetime.combine(day, dt.time(11)) <= finish:
                middays[place_id] += 1
            day += dt.timedelta(days=1)
    home = max(nights, key=lambda p: (nights[p], -p), default=None)
    work_candidates = {p: n for p, n in middays.items() if p != home and n >= 3}
    work = max(work_candidates, key=lambda p: (work_candidates[p], -p), default=None)
    fields = ("visits", "total_seconds", "first_seen_at", "kind")
    changed = []
    for place in SignificantPlace.objects.filter(merged_into_id__isnull=True):
        was = tuple(getattr(place, name) for name in fields)
        place.visits, place.total_seconds = visits.get(place.id, 0), seconds.get(place.id, 0.0)
        place.first_seen_at = first.get(place.id, place.first_seen_at)
        if place.id == home and nights[home] >= 3:
            place.kind = SignificantPlace.Kind.HOME
        elif place.id == work:
            place.kind = SignificantPlace.Kind.WORK
        elif len(days.get(place.id, ())) >= 3:
            place.kind = SignificantPlace.Kind.FREQUENT
        else:
            place.kind = SignificantPlace.Kind.OTHER
        if tuple(getattr(place, name) for name in fields) != was:
            changed.append(place)
    # Only what changed: after one new day that is a place or two, not every place of ten years.
    SignificantPlace.objects.bulk_update(changed, fields, batch_size=BATCH)


def rename_place(user_id: int, place_id: int, name: str, *, request=None) -> None:
    with user_scope(user_id):
        place = SignificantPlace.objects.get(id=place_id)
        old, place.name = place.name, name.strip()[:200]
        place.save(update_fields=["name"])
        record_event("place.renamed", target=f"place:{place_id}", details={"from": old, "to": place.name},
                     request=request)


def hide_place(user_id: int, place_id: int, hidden: bool = True, *, request=None) -> None:
    with user_scope(user_id):
        SignificantPlace.objects.filter(id=place_id).update(hidden=hidden)
        record_event("place.hidden" if hidden else "place.shown", target=f"place:{place_id}", request=request)


def merge_places(user_id: int, into_id: int, other_ids: list[int], *, request=None) -> int:
    """Merge `other_ids` into `into_id`: their stays become its visits, and new stays at them follow."""
    others = [pid for pid in other_ids if pid != into_id]
    with user_scope(user_id):
        SignificantPlace.objects.get(id=into_id, merged_into_id__isnull=True)
        # Places already merged into one of these now point at the survivor too.
        SignificantPlace.objects.filter(merged_into_id__in=others).update(merged_into_id=into_id)
        merged = SignificantPlace.objects.filter(id__in=others).update(merged_into_id=into_id)
        StayRow.objects.filter(place_id__in=others).update(place_id=into_id)
        _refresh_place_stats()
        record_event("place.merged", target=f"place:{into_id}", details={"merged": others}, request=request)
    return merged


def change_params(user_id: int, params: Params, *, request=None) -> None:
    """Store a user's parameters and rebuild everything with them on the maintenance queue, after commit."""
    with user_scope(user_id):
        save_params(user_id, params)
        record_event("derived.settings_changed", target=f"user:{user_id}", details=params.__dict__, request=request)
        # By name: sources.derived.jobs wraps this module, not the other way round.
        transaction.on_commit(lambda: django_rq.get_queue("maintenance").enqueue(
            "sources.derived.jobs.rebuild", user_id, job_timeout=6 * 3600))


def timed_enrich(user_id: int, **kwargs) -> tuple[dict, float]:
    started = time.perf_counter()
    result = enrich(user_id, **kwargs)
    return result, time.perf_counter() - started


def preview(day: dt.date, params: Params) -> tuple[list[Stay], list[Trip]]:
    """What `params` would find on local `day` in the scope user's points; nothing is stored.

    Detection runs over the day and a day either side (a stay can begin the evening before);
    what overlaps the local day (in each stay's zone) is kept.
    """
    from sources.derived.detection import detect

    begin = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    found, trips = detect(fixes_between(begin, begin + dt.timedelta(days=3)), params)

    def on_day(start, end, lat, lng):
        offset = dt.timedelta(minutes=geo.offset_minutes(geo.zone_name(lat, lng), start))
        return (start + offset).date() <= day <= (end + offset).date()

    return ([s for s in found if on_day(s.started_at, s.ended_at, s.lat, s.lng)],
            [t for t in trips if on_day(t.started_at, t.ended_at, *t.start)])


def sample_day() -> dt.date | None:
    """A recent local day with stays, to preview parameters on."""
    row = StayRow.objects.order_by("-started_at").values_list("local_start_day", flat=True).first()
    return row
