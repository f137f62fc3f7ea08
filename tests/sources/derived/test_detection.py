"""Stay and trip detection on fixtures of known truth (tests/sources/derived/truth.py). Pure: no database.

Tolerances: a stay starts and ends within 3 minutes of the truth (fixes come every
1-2 minutes) and its centre lies within 50 m (the café's 25 m jitter, and the fixes of
the way in that fall inside the radius, pull it); a trip's distance is within 5 % and
its mode exact.
"""

import datetime as dt

import pytest

from sources.derived.detection import Fix, Params, detect, haversine_m
from tests.sources.derived import truth

TIME = dt.timedelta(minutes=3)


@pytest.mark.parametrize("scenario", truth.SCENARIOS, ids=lambda s: s.__name__)
def test_it_finds_the_true_stays_and_trips(scenario):
    case = scenario()
    stays, trips = detect(case.fixes)
    assert len(stays) == len(case.stays), [(s.started_at, s.ended_at) for s in stays]
    for found, true in zip(stays, case.stays, strict=True):
        assert abs(found.started_at - true.start) <= TIME
        assert abs(found.ended_at - true.end) <= TIME
        assert haversine_m(found.lat, found.lng, *true.at) < 50
    assert len(trips) == len(case.trips)
    for found, true in zip(trips, case.trips, strict=True):
        assert abs(found.started_at - true.start) <= TIME
        assert abs(found.ended_at - true.end) <= TIME
        assert found.mode == true.mode
        assert found.distance_m == pytest.approx(true.distance_m, rel=0.05)


def test_the_source_activity_type_wins_over_the_speed_guess():
    _, trips = detect(truth.home_and_work().fixes)
    assert [(t.mode, t.mode_from) for t in trips] == [("driving", "speed"), ("driving", "source")]


def test_a_night_without_points_is_one_stay_over_midnight():
    stays, _ = detect(truth.night_without_points().fixes)
    assert len(stays) == 1 and stays[0].started_at.date() != stays[0].ended_at.date()


def test_a_gap_longer_than_the_limit_splits_a_stay():
    stays, trips = detect(truth.night_without_points().fixes, Params(max_gap_hours=6))
    assert len(stays) == 2
    # The same spot before and after: the way between them is no trip anywhere.
    assert trips[0].distance_m < 100


def test_fixes_worse_than_the_accuracy_limit_are_ignored():
    case = truth.cafe_walk()
    wild = [Fix(f.at + dt.timedelta(seconds=1), f.lat + 0.05, f.lng, 2000.0) for f in case.fixes[::7]]
    with_wild, _ = detect(sorted(case.fixes + wild, key=lambda f: f.at))
    assert [(s.started_at, s.ended_at) for s in with_wild] == [(s.started_at, s.ended_at)
                                                               for s in detect(case.fixes)[0]]


def test_a_short_pause_is_no_stay():
    case = truth.cafe_walk()
    stays, _ = detect(case.fixes, Params(min_stay_minutes=50))
    assert stays == []


def test_restarting_after_any_stay_reproduces_the_rest():
    case = truth.home_and_work()
    fixes = case.fixes
    stays, trips = detect(fixes)
    first = stays[0]
    later_stays, later_trips = detect([f for f in fixes if f.at > first.ended_at], previous=first)
    assert later_stays == stays[1:]
    assert later_trips == trips
