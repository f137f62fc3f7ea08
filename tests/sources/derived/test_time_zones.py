"""Time zones from coordinates where the source stated no offset: a trip across a zone border,
a stay across a DST change, the date line; and a stated offset stays authoritative."""

import datetime as dt
import random

from core.rls import user_scope
from explore.queries import day_timeline
from sources import geo
from sources.derived import actions
from sources.derived.detection import Fix
from sources.derived.models import Stay, Trip
from sources.localtime import local_day
from tests.sources.derived.lake import insert_points
from tests.sources.derived.truth import dwell, move, utc

BADAJOZ = (38.8794, -6.9707)  # Spain, Europe/Madrid
ELVAS = (38.8815, -7.1631)  # Portugal, 17 km west, Europe/Lisbon
PARIS = (48.8566, 2.3522)
KIRITIMATI = (1.8721, -157.4278)  # UTC+14: the first local day on Earth
NADI = (-17.7557, 177.4433)  # Fiji, UTC+12
PAGO_PAGO = (-14.2756, -170.7020)  # American Samoa, UTC-11, across the date line


def test_a_trip_across_a_zone_border_changes_the_offset(alice, committed):
    day, rng = dt.date(2024, 6, 10), random.Random(6)
    insert_points(alice.pk, dwell(rng, BADAJOZ, utc(day, 8), utc(day, 10))
                  + move(rng, BADAJOZ, ELVAS, utc(day, 10), utc(day, 10, 20))
                  + dwell(rng, ELVAS, utc(day, 10, 20), utc(day, 12)))
    actions.enrich(alice.pk)
    with user_scope(alice.pk):
        spain, portugal = Stay.objects.order_by("started_at")
        trip = Trip.objects.get()
    assert (spain.tz_name, spain.utc_offset_minutes, spain.country_code) == ("Europe/Madrid", 120, "ES")
    assert (portugal.tz_name, portugal.utc_offset_minutes, portugal.country_code) == ("Europe/Lisbon", 60, "PT")
    assert (trip.tz_name, trip.utc_offset_minutes, trip.end_tz_name, trip.end_utc_offset_minutes) == (
        "Europe/Madrid", 120, "Europe/Lisbon", 60)
    assert spain.offset_from == portugal.offset_from == "zone"


def test_a_stay_across_the_spring_dst_change_ends_in_summer_time(alice, committed):
    # Paris moves from UTC+1 to UTC+2 at 01:00 UTC on 31 March 2024.
    rng = random.Random(7)
    insert_points(alice.pk, dwell(rng, PARIS, utc(dt.date(2024, 3, 30), 20), utc(dt.date(2024, 3, 31), 8)))
    actions.enrich(alice.pk)
    with user_scope(alice.pk):
        stay = Stay.objects.get()
        evening = [e for e in day_timeline(dt.date(2024, 3, 30)).entries if e.get("source") == "derived"]
    assert (stay.utc_offset_minutes, stay.end_utc_offset_minutes) == (60, 120)
    assert (stay.local_start_day, stay.local_end_day) == (dt.date(2024, 3, 30), dt.date(2024, 3, 31))
    assert "21:00 to 10:00 (+1 day)" in evening[0]["detail"]


def test_at_the_date_line_the_local_day_is_not_the_utc_day(alice, committed):
    rng = random.Random(8)
    # 10:00-12:00 UTC on 14 May is 00:00-02:00 on 15 May in Kiritimati.
    insert_points(alice.pk, dwell(rng, KIRITIMATI, utc(dt.date(2024, 5, 14), 10), utc(dt.date(2024, 5, 14), 12)))
    actions.enrich(alice.pk)
    with user_scope(alice.pk):
        stay = Stay.objects.get()
        assert [e["title"] for e in day_timeline(dt.date(2024, 5, 15)).entries if e.get("source") == "derived"]
        assert not [e for e in day_timeline(dt.date(2024, 5, 14)).entries if e.get("source") == "derived"]
    assert (stay.tz_name, stay.utc_offset_minutes, stay.local_start_day) == ("Pacific/Kiritimati", 840,
                                                                             dt.date(2024, 5, 15))


def test_a_flight_east_over_the_date_line_lands_the_day_before(alice, committed):
    rng = random.Random(9)
    day = dt.date(2024, 5, 14)
    insert_points(alice.pk, dwell(rng, NADI, utc(day, 20), utc(day, 22), jitter=30.0)
                  + dwell(rng, PAGO_PAGO, utc(day + dt.timedelta(days=1), 0, 30), utc(day + dt.timedelta(days=1), 2),
                          jitter=30.0))
    actions.enrich(alice.pk)
    with user_scope(alice.pk):
        trip = Trip.objects.get()
        on_days = {d: [e["title"] for e in day_timeline(d).entries if e.get("label") == "Trip"]
                   for d in (dt.date(2024, 5, 14), dt.date(2024, 5, 15))}
    assert trip.mode == "flight"
    # Left Nadi at 10:00 on the 15th local, landed at 13:30 on the 14th local.
    assert (trip.local_start_day, trip.local_end_day) == (dt.date(2024, 5, 15), dt.date(2024, 5, 14))
    assert on_days == {dt.date(2024, 5, 14): ["Flight"], dt.date(2024, 5, 15): ["Flight"]}


def test_an_offset_the_source_stated_stays_authoritative(alice, committed):
    # Points in Paris whose source said UTC+05:30 (a phone still on India time): the statement wins.
    fixes = [Fix(f.at, f.lat, f.lng, f.accuracy_m, 330) for f in dwell(random.Random(10), PARIS,
                                                                       utc(dt.date(2024, 6, 1), 8),
                                                                       utc(dt.date(2024, 6, 1), 9))]
    insert_points(alice.pk, fixes)
    actions.enrich(alice.pk)
    with user_scope(alice.pk):
        stay = Stay.objects.get()
    assert (stay.utc_offset_minutes, stay.offset_from, stay.tz_name) == (330, "source", "Europe/Paris")


def test_the_one_local_day_rule():
    at = dt.datetime(2024, 5, 14, 22, 30, tzinfo=dt.UTC)
    assert local_day(at, 120) == dt.date(2024, 5, 15)
    assert local_day(at, -600) == dt.date(2024, 5, 14)
    assert local_day(at, None) == dt.date(2024, 5, 14)  # no offset and no place: UTC
    assert geo.offset_minutes("Pacific/Kiritimati", at) == 840
    assert geo.offset_minutes("America/New_York", dt.datetime(2024, 11, 3, 5, 59, tzinfo=dt.UTC)) == -240
    assert geo.offset_minutes("America/New_York", dt.datetime(2024, 11, 3, 6, 0, tzinfo=dt.UTC)) == -300
