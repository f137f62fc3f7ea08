"""Stays and trips from raw position fixes. Pure: points in, stays and trips out.

The algorithm (one pass, in time order, O(n)):

1. Fixes whose stated accuracy is worse than `max_accuracy_m` are dropped.
2. A *candidate* gathers fixes while each new one lies within `radius_m` of the
   candidate's accuracy-weighted centroid (weight 1/accuracy², so a 10 m fix
   counts 25 times a 50 m one), widened by the fix's own accuracy up to
   `radius_m` again: GPS jitter of a phone lying on a café table stays inside.
3. One fix outside is not yet a departure: it is held. Only `confirm` fixes in
   a row outside (or one outside after a gap longer than `max_gap`) close the
   candidate; a held fix followed by one inside again was jitter and joins.
4. A closed candidate whose first and last fix are at least `min_stay` apart
   is a *stay*. A gap without fixes inside a candidate is fine as long as the
   next fix is back within the radius and the gap is at most `max_gap`: a
   night at home with the phone off is one stay, and so is a multi-week stay
   with sparse fixes.
5. Between two consecutive stays lies a *trip*: from the first stay's last fix
   to the next stay's first fix, its distance is the haversine length along
   its fixes (endpoints being the stays' centroids), its mode the source's own
   activity type where fixes carry one, else a guess from the speed profile.

A stay always begins on a fix where the candidate started afresh, so running
the pass again from any stored stay's first fix reproduces everything after it
exactly: that is what makes the day-range rebuild (`sources.derived.actions`)
give the same rows as a full one.
"""

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class Params:
    """Per-user detection parameters (stored in `derived_settings`, previewed on a sample day)."""

    radius_m: float = 100.0
    min_stay_minutes: float = 5.0
    max_gap_hours: float = 36.0
    max_accuracy_m: float = 250.0
    confirm: int = 2

    @property
    def min_stay(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.min_stay_minutes)

    @property
    def max_gap(self) -> dt.timedelta:
        return dt.timedelta(hours=self.max_gap_hours)


@dataclass(frozen=True)
class Fix:
    at: dt.datetime  # aware, UTC
    lat: float
    lng: float
    accuracy_m: float | None = None
    utc_offset_minutes: int | None = None
    activity_type: str = ""


@dataclass
class Stay:
    started_at: dt.datetime
    ended_at: dt.datetime
    lat: float
    lng: float
    fixes: int
    radius_m: float  # weighted RMS distance of its fixes from the centroid: how spread it is
    utc_offset_minutes: int | None  # the most common offset its fixes stated, or None


@dataclass
class Trip:
    started_at: dt.datetime
    ended_at: dt.datetime
    start: tuple[float, float]
    end: tuple[float, float]
    distance_m: float
    fixes: int
    mode: str
    mode_from: str  # "source" (the fixes' activity type) or "speed" (the guess)
    path: list = field(default_factory=list)  # [[lat, lng], ...] with both stays' centroids at its ends
    utc_offset_minutes: int | None = None

    @property
    def seconds(self) -> float:
        return (self.ended_at - self.started_at).total_seconds()

    @property
    def speed_mps(self) -> float:
        return self.distance_m / self.seconds if self.seconds > 0 else 0.0


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lng2 - lng1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def _weight(fix: Fix) -> float:
    accuracy = max(fix.accuracy_m or 20.0, 5.0)
    return 1.0 / (accuracy * accuracy)


class _Candidate:
    __slots__ = ("fixes", "sw", "slat", "slng", "coslat")

    def __init__(self, fix: Fix):
        self.fixes = [fix]
        w = _weight(fix)
        self.sw, self.slat, self.slng = w, w * fix.lat, w * fix.lng
        self.coslat = math.cos(math.radians(fix.lat))

    @property
    def lat(self) -> float:
        return self.slat / self.sw

    @property
    def lng(self) -> float:
        return self.slng / self.sw

    def distance(self, fix: Fix) -> float:
        # Equirectangular: exact enough within a few hundred metres and much cheaper than haversine.
        dy = (fix.lat - self.lat) * 111_195.0
        dx = (fix.lng - self.lng) * 111_195.0 * self.coslat
        return math.hypot(dx, dy)

    def add(self, fix: Fix) -> None:
        self.fixes.append(fix)
        w = _weight(fix)
        self.sw += w
        self.slat += w * fix.lat
        self.slng += w * fix.lng

    def to_stay(self) -> Stay:
        # Rounded as stored (degrees x 10^7): a pass restarted from a stored stay measures the same way.
        lat, lng = round(self.lat * 1e7) / 1e7, round(self.lng * 1e7) / 1e7
        spread = math.sqrt(sum(_weight(f) * self.distance(f) ** 2 for f in self.fixes) / self.sw)
        offsets = Counter(f.utc_offset_minutes for f in self.fixes if f.utc_offset_minutes is not None)
        return Stay(self.fixes[0].at, self.fixes[-1].at, lat, lng, len(self.fixes), round(spread, 1),
                    offsets.most_common(1)[0][0] if offsets else None)


def stays(fixes: Iterable[Fix], params: Params = Params()) -> Iterator[tuple[Stay, list[Fix]]]:
    """Each stay with the fixes that came after it up to the next candidate (the way out).

    Yields (stay, fixes_before_it): the fixes between the previous stay's end and this
    stay's start, in order, for the trip that led here.
    """
    candidate: _Candidate | None = None
    held: list[Fix] = []
    moving: list[Fix] = []  # fixes since the last stay that belong to no stay
    limit = params.radius_m

    def close():
        nonlocal candidate, moving
        if candidate is not None:
            if candidate.fixes[-1].at - candidate.fixes[0].at >= params.min_stay:
                way = moving
                moving = []
                return candidate.to_stay(), way
            moving.extend(candidate.fixes)
        return None

    queue: list[Fix] = []
    for fix in fixes:
        if fix.accuracy_m is not None and fix.accuracy_m > params.max_accuracy_m:
            continue
        queue.append(fix)
        while queue:
            fix = queue.pop(0)
            if candidate is None:
                candidate = _Candidate(fix)
                continue
            last = held[-1].at if held else candidate.fixes[-1].at
            gap = fix.at - last
            inside = candidate.distance(fix) <= limit + min(fix.accuracy_m or 0.0, limit)
            if inside and gap <= params.max_gap:
                # Held fixes between two inside ones were jitter: they belong to the stay.
                for h in held:
                    candidate.add(h)
                held = []
                candidate.add(fix)
                continue
            held.append(fix)
            if len(held) < params.confirm and gap <= params.max_gap:
                continue
            done = close()
            if done is not None:
                yield done
            # The way out starts afresh at the first fix outside; the rest are fed again.
            restart, held = held, []
            candidate = _Candidate(restart[0])
            queue[:0] = restart[1:]
    # Fixes still held at the end are the start of a way out that later data will tell about.
    done = close()
    if done is not None:
        yield done


def guess_mode(distance_m: float, seconds: float, fixes: list[Fix]) -> str:
    """A transport mode from the speed profile (m/s): the 85th percentile of the speeds between
    consecutive fixes where there are enough of them (a car's stretches at 50 km/h, not its stops at
    lights), else the average over the whole way (a flight recorded only at both airports)."""
    if seconds <= 0:
        return "unknown"
    average = distance_m / seconds
    if average > 55 or (distance_m > 300_000 and average > 35):
        return "flight"
    speeds = sorted(haversine_m(a.lat, a.lng, b.lat, b.lng) / gap
                    for a, b in zip(fixes, fixes[1:], strict=False)
                    if (gap := (b.at - a.at).total_seconds()) >= 5)
    moving = speeds[int(len(speeds) * 0.85)] if len(speeds) >= 5 else average
    if moving > 42:
        return "train" if distance_m < 1_000_000 else "flight"
    if moving > 8.5:
        return "driving"
    if moving > 2.6:
        return "cycling"
    return "walking"


# Google's activity types (Records.json `activity`, segments) -> our modes; the rest say nothing.
SOURCE_MODES = {
    "WALKING": "walking", "ON_FOOT": "walking", "RUNNING": "walking",
    "ON_BICYCLE": "cycling", "CYCLING": "cycling",
    "IN_VEHICLE": "driving", "IN_PASSENGER_VEHICLE": "driving", "IN_CAR": "driving", "DRIVING": "driving",
    "IN_BUS": "driving", "MOTORCYCLING": "driving", "IN_TAXI": "driving",
    "IN_TRAIN": "train", "IN_SUBWAY": "train", "IN_TRAM": "train", "IN_RAIL_VEHICLE": "train",
    "FLYING": "flight", "IN_FLIGHT": "flight",
}
MODES = ("walking", "cycling", "driving", "train", "flight", "unknown")


def trip_between(before: Stay, after: Stay, way: list[Fix]) -> Trip:
    path = [(before.lat, before.lng), *((f.lat, f.lng) for f in way), (after.lat, after.lng)]
    distance = sum(haversine_m(*a, *b) for a, b in zip(path, path[1:], strict=False))
    seconds = (after.started_at - before.ended_at).total_seconds()
    stated = Counter(SOURCE_MODES[f.activity_type] for f in way if f.activity_type in SOURCE_MODES)
    if stated:
        mode, mode_from = stated.most_common(1)[0][0], "source"
    else:
        mode, mode_from = guess_mode(distance, seconds, way), "speed"
    offsets = Counter(f.utc_offset_minutes for f in way if f.utc_offset_minutes is not None)
    offset = offsets.most_common(1)[0][0] if offsets else before.utc_offset_minutes
    return Trip(before.ended_at, after.started_at, (before.lat, before.lng), (after.lat, after.lng),
                round(distance, 1), len(way), mode, mode_from, [[round(a, 6), round(b, 6)] for a, b in path],
                offset)


def detect(fixes: Iterable[Fix], params: Params = Params(), *, previous: Stay | None = None
           ) -> tuple[list[Stay], list[Trip]]:
    """Stays and the trips between them. `previous`: the stay just before these fixes, if any,
    so the first trip (from it to the first new stay) is found too."""
    found, trips = [], []
    last = previous
    for stay, way in stays(fixes, params):
        if last is not None:
            trips.append(trip_between(last, stay, way))
        found.append(stay)
        last = stay
    return found, trips
