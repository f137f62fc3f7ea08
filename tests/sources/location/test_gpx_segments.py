"""The GPX export's track segments: one per local day, and a new one after a gap of over an hour."""

import datetime as dt

from sources.location.exports import starts_segment


def point(hour, minute=0, *, day=14, offset=None):
    return {"recorded_at": dt.datetime(2024, 5, day, hour, minute, tzinfo=dt.UTC), "utc_offset_minutes": offset}


def segments(points) -> list[int]:
    """Sizes of the segments the points fall into."""
    sizes, previous = [], None
    for row in points:
        if starts_segment(previous, row):
            sizes.append(0)
        sizes[-1] += 1
        previous = row
    return sizes


def test_a_gap_of_over_an_hour_starts_a_segment_and_an_hour_exactly_does_not():
    assert segments([point(8), point(9), point(10, 1), point(10, 30)]) == [2, 2]


def test_midnight_starts_a_segment_on_the_points_own_clock():
    # 21:50 and 22:10 UTC are 23:50 and 00:10 at UTC+2: two local days, though 20 minutes apart.
    assert segments([point(21, 50, offset=120), point(22, 10, offset=120)]) == [1, 1]
    # Without a stated offset the day is UTC's: the same two instants are one day.
    assert segments([point(21, 50), point(22, 10)]) == [2]
    # West of UTC: 23:50 UTC on the 14th and 00:10 UTC on the 15th are 18:50 and 19:10 at UTC-5.
    assert segments([point(23, 50, offset=-300), point(0, 10, day=15, offset=-300)]) == [2]


def test_the_first_point_opens_the_first_segment():
    assert segments([point(8)]) == [1] and segments([]) == []
