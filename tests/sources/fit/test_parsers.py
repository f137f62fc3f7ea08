"""Google Fit's parsers on files of ours: every variant, exact values, broken and hostile input."""

import datetime as dt
import http.server
import io
import threading
import tracemalloc

import pytest

from sources.fit.parsers import parse_daily, parse_intervals, parse_session, parse_tcx
from sources.fit.records import FitDaily, FitSession
from sources.location.records import LocationPoint
from sources.records import Rejection
from tests.sources.fit.fixtures import (
    BOMB,
    DAILY_DE,
    DAILY_EN,
    EXTERNAL,
    INTERVALS,
    RUN,
    SESSION,
    WALK,
    session,
    tcx,
    trackpoint,
)

UTC = dt.UTC


class Named(io.BytesIO):
    def __init__(self, data: bytes, name: str):
        super().__init__(data)
        self.name = name


def parsed(parser, data: bytes, name: str = "x"):
    return list(parser(Named(data, name)))


def test_the_daily_summary_gives_one_row_a_day_with_its_metrics():
    rows = parsed(parse_daily, DAILY_EN, "Takeout/Fit/Daily activity metrics/Daily activity metrics.csv")

    assert [type(row) for row in rows] == [FitDaily] * 3
    first, second, empty = rows
    assert (first.started_at, first.ended_at, first.span, first.utc_offset_minutes) == (
        dt.datetime(2019, 8, 11, tzinfo=UTC), dt.datetime(2019, 8, 12, tzinfo=UTC), "day", None)
    assert (second.steps, second.distance_m, second.calories_kcal, second.move_minutes, second.heart_points) == (
        8123, 5200.5, 2100, 45, 30)
    assert second.metrics["Average weight (kg)"] == 71.5 and "Average weight (kg)" not in first.metrics
    assert empty.metrics == {} and empty.steps is None


def test_localized_column_names_are_known_by_unit_and_words_and_kept_verbatim():
    (row,) = parsed(parse_daily, DAILY_DE, "Takeout/Google Fit/Tägliche Aktivitätsmesswerte/x.csv")

    assert (row.started_at, row.steps, row.distance_m, row.calories_kcal, row.move_minutes, row.heart_points) == (
        dt.datetime(2020, 1, 2, tzinfo=UTC), 2100, 1500, 1700, 20, 5)
    assert row.metrics["Kalorien (kcal)"] == 1700


def test_a_days_intervals_take_the_date_from_the_name_and_keep_the_offset():
    rows = parsed(parse_intervals, INTERVALS, "Takeout/Fit/Daily activity metrics/2019-08-12.csv")

    assert [(r.started_at, r.ended_at, r.utc_offset_minutes, r.span) for r in rows] == [
        (dt.datetime(2019, 8, 11, 22, tzinfo=UTC), dt.datetime(2019, 8, 11, 22, 15, tzinfo=UTC), 120, "interval"),
        (dt.datetime(2019, 8, 12, 5, 15, tzinfo=UTC), dt.datetime(2019, 8, 12, 5, 30, tzinfo=UTC), 120, "interval"),
        # The last row ends at the next midnight.
        (dt.datetime(2019, 8, 12, 21, 45, tzinfo=UTC), dt.datetime(2019, 8, 12, 22, tzinfo=UTC), 120, "interval")]
    assert (rows[1].steps, rows[1].distance_m, rows[1].move_minutes) == (1900, 1500.5, 12)


def test_intervals_in_a_file_whose_name_states_no_date_are_rejected_each():
    rows = parsed(parse_intervals, INTERVALS, "Takeout/Fit/x/Tag.csv")

    assert [(r.__class__, r.reason) for r in rows] == [(Rejection, "missing_timestamp")] * 3


@pytest.mark.parametrize(("line", "reason"), [
    ("2019-08-12,lots,1,1,1,1,1,1,1", "bad_number"),
    ("2019-02-30,1,1,1,1,1,1,1,1", "timestamp_malformed"),
    ("yesterday,1,1,1,1,1,1,1,1", "timestamp_malformed"),
    ("1970-01-01,1,1,1,1,1,1,1,1", "timestamp_implausible"),
    ("2019-08-12,1" + "0" * 400 + ",1,1,1,1,1,1,1", "bad_number"),
])
def test_a_bad_daily_row_is_one_rejection_and_the_rest_import(line, reason):
    data = DAILY_EN.replace(b"2019-08-13,,,,,,,,", line.encode())
    rows = parsed(parse_daily, data)

    assert [r.__class__ for r in rows] == [FitDaily, FitDaily, Rejection]
    assert rows[-1].reason == reason


def test_a_csv_that_stops_being_text_is_refused_whole():
    rows = parsed(parse_daily, DAILY_EN + b"\xff\xfe broken")

    assert isinstance(rows[-1], Rejection) and rows[-1].reason == "bad_csv"


def test_a_session_keeps_type_times_duration_and_aggregates():
    (found,) = parsed(parse_session, session(SESSION))

    assert isinstance(found, FitSession)
    assert (found.activity, found.started_at, found.ended_at, found.duration_s) == (
        "running", dt.datetime(2019, 8, 12, 5, 14, 8, 709000, tzinfo=UTC),
        dt.datetime(2019, 8, 12, 5, 28, 11, 772000, tzinfo=UTC), 843.063)
    assert (found.distance_m, found.calories_kcal, found.steps) == (2500.0, 120.5, 2000)
    assert found.extra["aggregate"]["com.google.active_minutes"] == 14
    (walk,) = parsed(parse_session, session(WALK))
    assert (walk.activity, walk.duration_s, walk.distance_m) == ("walking", 1800.0, None)


@pytest.mark.parametrize(("data", "reason"), [
    (session(SESSION)[:-10], "bad_json"),
    (b"[]", "malformed_record"),
    (session({**SESSION, "startTime": None}), "missing_timestamp"),
    (session({**SESSION, "duration": "forever"}), "bad_number"),
    (session({**SESSION, "endTime": "2019-08-01T00:00:00Z"}), "malformed_record"),
    (session({**SESSION, "aggregate": [{"metricName": "x", "floatValue": "NaN"}]}), "bad_number"),
])
def test_a_bad_session_file_is_one_rejection(data, reason):
    (found,) = parsed(parse_session, data)

    assert isinstance(found, Rejection) and found.reason == reason


def test_a_tcx_workout_gives_its_track_points_then_its_session():
    items = parsed(parse_tcx, RUN, "Takeout/Fit/Activities/2019-08-14T06_00_00.000Z_PT10M_Running.tcx")

    points, (workout,) = items[:-1], items[-1:]
    assert [type(p) for p in points] == [LocationPoint] * 3
    assert [(p.recorded_at, p.lat_e7, p.lng_e7, p.altitude_m, p.activity_type) for p in (points[0], points[-1])] == [
        (dt.datetime(2019, 8, 14, 6, tzinfo=UTC), 525200000, 134050000, 35.5, "RUNNING"),
        (dt.datetime(2019, 8, 14, 6, 3, tzinfo=UTC), 525230000, 134080000, 35.5, "RUNNING")]
    assert (workout.activity, workout.started_at, workout.ended_at, workout.duration_s, workout.distance_m,
            workout.calories_kcal) == ("running", dt.datetime(2019, 8, 14, 6, tzinfo=UTC),
                                       dt.datetime(2019, 8, 14, 6, 10, tzinfo=UTC), 600.0, 1800.0, 150.0)
    # The point without a position is counted, not lost.
    assert workout.extra == {"laps": 1, "trackpoints": 4, "positions": 3}


def test_a_bad_track_point_is_one_rejection_and_the_workout_imports():
    data = tcx([trackpoint("2019-08-14T06:00:00Z", 52.5, 13.4), trackpoint("2019-08-14T06:01:00Z", 95.0, 13.4),
                trackpoint("never", 52.5, 13.4)])
    items = parsed(parse_tcx, data)

    assert [i.__class__.__name__ for i in items] == ["LocationPoint", "Rejection", "Rejection", "FitSession"]
    assert [i.reason for i in items[1:3]] == ["latitude_out_of_range", "timestamp_malformed"]


@pytest.mark.parametrize("data", [
    RUN[: len(RUN) // 2],
    RUN[:-30],
    b"<TrainingCenterDatabase><Activities><Activity></Activities>",
    b"<?xml version='1.0'?><TrainingCenterDatabase><Activities/></TrainingCenterDatabase>",
    b"",
    BOMB,
])
def test_a_malformed_cut_or_entity_laden_tcx_is_refused_whole(data):
    items = parsed(parse_tcx, data)

    assert isinstance(items[-1], Rejection) and items[-1].reason == "bad_xml"


def test_entity_expansion_is_refused_before_any_value_is_built():
    (found,) = parsed(parse_tcx, BOMB)

    assert found.reason == "bad_xml" and "DTD" in found.detail


def test_an_external_entity_is_never_fetched():
    hits = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the standard library's name
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"leaked")

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        data = EXTERNAL.replace(b"http://127.0.0.1:9/x", f"http://127.0.0.1:{port}/x".encode())
        (found,) = parsed(parse_tcx, data)
    finally:
        server.shutdown()
        server.server_close()

    assert found.reason == "bad_xml"
    assert hits == []


def test_a_long_workout_is_read_in_flat_memory():
    points = [trackpoint(f"2019-08-14T{6 + i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z", 52.5, 13.4)
              for i in range(20_000)]
    data = tcx(points, seconds=20_000.0)
    tracemalloc.start()
    count = 0
    for _item in parse_tcx(Named(data, "long.tcx")):
        count += 1
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    assert count == 20_001
    # The document is ~3 MB; a tree kept whole would be many times that.
    assert peak < 2_000_000
