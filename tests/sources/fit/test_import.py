"""Google Fit end to end: a Takeout zip through the pipeline; TCX points land in location history."""

import datetime as dt
import json
from collections import Counter

from core.rls import user_scope
from sources.export import Range
from sources.fit import exports, search, stats, timeline
from sources.localtime import utc_window
from tests.imports.conftest import all_rows, count_rows, make_zip
from tests.sources.fit.fixtures import (
    BOMB,
    DAILY_EN,
    INTERVALS,
    RUN,
    SESSION,
    WALK,
    session,
    tcx,
    trackpoint,
)

F = "Takeout/Fit"
# A session JSON and a TCX of one run start at one instant: they are one session.
SAME_RUN = tcx([trackpoint("2019-08-12T05:15:00Z", 48.1, 11.5)], start="2019-08-12T05:14:08.709Z", seconds=843.063)
MEMBERS = {
    f"{F}/Daily activity metrics/Daily activity metrics.csv": DAILY_EN,
    f"{F}/Daily activity metrics/2019-08-12.csv": INTERVALS,
    f"{F}/All Sessions/2019-08-12T05_14_08.709Z_RUNNING.json": session(SESSION),
    f"{F}/All Sessions/2019-08-13T17_00_00Z_WALKING.json": session(WALK),
    f"{F}/Activities/2019-08-14T06_00_00.000Z_PT10M_Running.tcx": RUN,
    f"{F}/Activities/2019-08-12T05_14_08.709Z_PT14M3.063S_Running.tcx": SAME_RUN,
    f"{F}/Activities/bomb.tcx": BOMB,
    # Recognized, said to be not imported.
    f"{F}/All Data/derived_com.google.step_count.delta_com.google.a.json":
        b'{"Data Source": "derived:com.google.step_count.delta", "Data Points": []}',
}


def test_an_export_imports_days_sessions_and_workout_tracks_once(import_files, alice, bob, tmp_path):
    run = import_files(make_zip(tmp_path / "takeout-001.zip", MEMBERS))

    # The entity bomb kept nothing and failed alone.
    assert run.status == "partial"
    with user_scope(alice.pk):
        bomb = run.members.get(name__endswith="bomb.tcx")
    assert bomb.status == "failed" and "DTD" in bomb.error
    with user_scope(alice.pk):
        raw = run.members.get(name__contains="All Data")
    assert (raw.status, raw.product) == ("skipped", "fit.data") and "All Data" in raw.error
    assert {name: (e["accepted"], e["rejected"], e["duplicates"]) for name, e in run.products.items()} == {
        "fit.daily": (3, 0, 0), "fit.intervals": (3, 0, 0), "fit.sessions": (2, 0, 0), "fit.tcx": (5, 0, 1)}
    assert count_rows(alice, "timeseries.fit_daily") == 6
    assert count_rows(alice, "timeseries.fit_daily", "WHERE span = 'day'") == 3
    assert count_rows(alice, "timeseries.fit_session") == 3
    assert count_rows(bob, "timeseries.fit_session") == 0
    sessions = all_rows(alice, "timeseries.fit_session", "started_at, activity, product, duration_s, distance_m")
    assert sessions == [
        (dt.datetime(2019, 8, 12, 5, 14, 8, 709000, tzinfo=dt.UTC), "running", "fit.sessions", 843.063, 2500.0),
        (dt.datetime(2019, 8, 13, 17, tzinfo=dt.UTC), "walking", "fit.sessions", 1800.0, None),
        (dt.datetime(2019, 8, 14, 6, tzinfo=dt.UTC), "running", "fit.tcx", 600.0, 1800.0)]
    points = all_rows(alice, "timeseries.location_point", "recorded_at, lat_e7, lng_e7, product, activity_type")
    assert len(points) == 4 and {p[3] for p in points} == {"fit.tcx"}
    assert points[0] == (dt.datetime(2019, 8, 12, 5, 15, tzinfo=dt.UTC), 481000000, 115000000, "fit.tcx", "RUNNING")
    assert points[-1][:3] == (dt.datetime(2019, 8, 14, 6, 3, tzinfo=dt.UTC), 525230000, 134080000)

    again = import_files(make_zip(tmp_path / "takeout-002.zip", MEMBERS))

    assert again.accepted == 0 and again.duplicates == 14
    assert count_rows(alice, "timeseries.location_point") == 4
    assert count_rows(alice, "timeseries.fit_session") == 3


def test_runs_show_on_the_days_map_and_timeline_and_are_searchable_and_exported(import_files, alice, bob,
                                                                                   tmp_path):
    from sources.location import timeline as location_timeline

    import_files(make_zip(tmp_path / "takeout-001.zip", MEMBERS))
    run_day, summary_day = dt.date(2019, 8, 14), dt.date(2019, 8, 12)

    with user_scope(alice.pk):
        on_run = timeline.day_part(run_day, *utc_window(run_day)).entries
        on_summary = timeline.day_part(summary_day, *utc_window(summary_day)).entries
        path = location_timeline.day_part(run_day, *utc_window(run_day)).path
        found = search.search("walking")
        products = search.search_products()
        counts = Counter()
        lines = [json.loads(line) for line in exports.ndjson(Range(), counts)]
        csv_text = "".join(exports.csv_rows(Range(), counts))
        tables = stats.stats("month")
        neighbours = (timeline.neighbour_day(before=run_day), timeline.neighbour_day(after=dt.date(2019, 8, 10)))
    with user_scope(bob.pk):
        bobs = (search.search("walking"), timeline.day_part(run_day, *utc_window(run_day)).entries,
                list(exports.ndjson(Range(), Counter())))

    assert [(e["kind"], e["start"], e["source"], e["label"], e["title"]) for e in on_run] == [
        ("event", dt.datetime(2019, 8, 14, 6), "fit", "Workout", "Running · 1.80 km · 10 min")]
    assert on_run[0]["detail"] == "150 kcal"
    assert [(e["label"], e["title"]) for e in on_summary] == [
        ("Daily activity", "8123 steps · 5.20 km · 2100 kcal"), ("Workout", "Running · 2.50 km · 14 min")]
    assert len(path) == 3 and path[0] == [52.52, 13.405]
    assert [(r["kind"], r["day"], r["product"]) for r in found] == [("Workout", dt.date(2019, 8, 13), "fit.sessions")]
    assert products == ["fit.sessions", "fit.tcx"]
    assert counts == {"fit_session": 6, "fit_daily": 12}
    assert Counter(line["kind"] for line in lines) == {"fit_session": 3, "fit_daily": 6}
    assert csv_text.splitlines()[0].startswith("table,started_at,ended_at,kind")
    assert len(csv_text.splitlines()) == 10
    per_activity, steps = tables
    assert per_activity.rows == [("running", 2), ("walking", 1)]
    assert steps.rows == [("2019-08-01", 11523)]
    assert neighbours == (dt.date(2019, 8, 13), dt.date(2019, 8, 11))
    assert bobs == ([], [], [])
