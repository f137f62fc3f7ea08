"""Fixtures with known truth for stay and trip detection: generated fixes and what they contain.

Every scenario is deterministic (its own seeded random) and says which stays and
trips it holds; tests/sources/derived compare detection with them.
"""

import datetime as dt
import math
import random
from dataclasses import dataclass

from sources.derived.detection import Fix

HOME = (48.8566, 2.3522)  # Paris
WORK = (48.8925, 2.2369)  # La Défense, 9.3 km from HOME
CAFE = (48.8530, 2.3499)
CDG = (49.0097, 2.5479)
JFK = (40.6413, -73.7781)
M_PER_DEG = 111_195.0


@dataclass(frozen=True)
class TrueStay:
    start: dt.datetime
    end: dt.datetime
    at: tuple[float, float]


@dataclass(frozen=True)
class TrueTrip:
    start: dt.datetime
    end: dt.datetime
    mode: str
    distance_m: float


@dataclass
class Scenario:
    name: str
    fixes: list
    stays: list
    trips: list


def utc(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC)


def _jitter(rng, at, metres):
    lat, lng = at
    return (lat + rng.gauss(0, metres) / M_PER_DEG,
            lng + rng.gauss(0, metres) / (M_PER_DEG * math.cos(math.radians(lat))))


def dwell(rng, at, start, end, every=dt.timedelta(minutes=2), jitter=12.0, accuracy=15.0, offset=None):
    fixes, when = [], start
    while when <= end:
        lat, lng = _jitter(rng, at, jitter)
        fixes.append(Fix(when, lat, lng, accuracy, offset))
        when += every
    return fixes


def move(rng, a, b, start, end, every=dt.timedelta(seconds=30), activity="", offset=None):
    """Fixes along the straight line a->b from just after `start` to just before `end`."""
    fixes, seconds = [], (end - start).total_seconds()
    when = start + every
    while when < end:
        f = (when - start).total_seconds() / seconds
        lat, lng = _jitter(rng, (a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f), 5.0)
        fixes.append(Fix(when, lat, lng, 10.0, offset, activity))
        when += every
    return fixes


def home_and_work(day=dt.date(2024, 3, 12)) -> Scenario:
    rng = random.Random(1)
    fixes = (dwell(rng, HOME, utc(day, 0), utc(day, 7, 45)) + move(rng, HOME, WORK, utc(day, 7, 45), utc(day, 8))
             + dwell(rng, WORK, utc(day, 8), utc(day, 16, 30))
             + move(rng, WORK, HOME, utc(day, 16, 30), utc(day, 17, 10), activity="IN_PASSENGER_VEHICLE")
             + dwell(rng, HOME, utc(day, 17, 10), utc(day, 23, 58)))
    return Scenario("home and work", fixes,
                    [TrueStay(utc(day, 0), utc(day, 7, 45), HOME), TrueStay(utc(day, 8), utc(day, 16, 30), WORK),
                     TrueStay(utc(day, 17, 10), utc(day, 23, 58), HOME)],
                    [TrueTrip(utc(day, 7, 45), utc(day, 8), "driving", 9300),
                     TrueTrip(utc(day, 16, 30), utc(day, 17, 10), "driving", 9300)])


def night_without_points(day=dt.date(2024, 3, 13)) -> Scenario:
    """Evening at home, the phone off from 22:00 to 07:00, morning at home: one stay."""
    rng = random.Random(2)
    next_day = day + dt.timedelta(days=1)
    fixes = dwell(rng, HOME, utc(day, 19), utc(day, 22)) + dwell(rng, HOME, utc(next_day, 7), utc(next_day, 8))
    return Scenario("night without points", fixes, [TrueStay(utc(day, 19), utc(next_day, 8), HOME)], [])


def cafe_walk(day=dt.date(2024, 3, 14)) -> Scenario:
    """A walk to a café, 45 minutes there with jitter and two wild fixes, and a walk on."""
    rng = random.Random(3)
    start_at = (CAFE[0] + 900 / M_PER_DEG, CAFE[1])  # 900 m north
    end_at = (CAFE[0], CAFE[1] + 1000 / (M_PER_DEG * math.cos(math.radians(CAFE[0]))))  # 1 km east
    fixes = dwell(rng, start_at, utc(day, 9), utc(day, 9, 40))
    fixes += move(rng, start_at, CAFE, utc(day, 9, 40), utc(day, 9, 52), every=dt.timedelta(seconds=20))
    stay = dwell(rng, CAFE, utc(day, 9, 52), utc(day, 10, 37), every=dt.timedelta(minutes=1), jitter=25.0,
                 accuracy=30.0)
    # Two lone fixes 180 m off (poor accuracy indoors): jitter, not a departure.
    for i in (10, 30):
        f = stay[i]
        stay[i] = Fix(f.at, f.lat + 180 / M_PER_DEG, f.lng, 60.0)
    fixes += stay
    fixes += move(rng, CAFE, end_at, utc(day, 10, 37), utc(day, 10, 50), every=dt.timedelta(seconds=20))
    fixes += dwell(rng, end_at, utc(day, 10, 50), utc(day, 11, 30))
    return Scenario("café walk", fixes,
                    [TrueStay(utc(day, 9), utc(day, 9, 40), start_at),
                     TrueStay(utc(day, 9, 52), utc(day, 10, 37), CAFE),
                     TrueStay(utc(day, 10, 50), utc(day, 11, 30), end_at)],
                    [TrueTrip(utc(day, 9, 40), utc(day, 9, 52), "walking", 900),
                     TrueTrip(utc(day, 10, 37), utc(day, 10, 50), "walking", 1000)])


def multi_week_stay(day=dt.date(2024, 7, 1)) -> Scenario:
    """Three weeks at one flat, fixes every 10 minutes by day and none at night."""
    rng = random.Random(4)
    fixes = []
    for n in range(21):
        d = day + dt.timedelta(days=n)
        fixes += dwell(rng, HOME, utc(d, 7), utc(d, 22), every=dt.timedelta(minutes=10), jitter=20.0)
    last = day + dt.timedelta(days=20)
    return Scenario("multi-week stay", fixes, [TrueStay(utc(day, 7), utc(last, 22), HOME)], [])


def flight_with_gap(day=dt.date(2024, 9, 3)) -> Scenario:
    """Two hours at Paris CDG, nothing during the flight, two hours at New York JFK."""
    rng = random.Random(5)
    fixes = (dwell(rng, CDG, utc(day, 8), utc(day, 10), jitter=30.0)
             + dwell(rng, JFK, utc(day, 18, 30), utc(day, 20, 30), jitter=30.0))
    return Scenario("flight with a gap", fixes,
                    [TrueStay(utc(day, 8), utc(day, 10), CDG), TrueStay(utc(day, 18, 30), utc(day, 20, 30), JFK)],
                    [TrueTrip(utc(day, 10), utc(day, 18, 30), "flight", 5_840_000)])


SCENARIOS = (home_and_work, night_without_points, cafe_walk, multi_week_stay, flight_with_gap)
