"""Enrichment against the real database: incremental equals full, the command's contract,
Google's visits first on the day page, and the derived rows stay each user's own."""

import datetime as dt
import json
from io import StringIO

import django_rq
from django.core.management import call_command

from core.rls import user_scope
from explore.queries import day_timeline
from sources.derived import actions
from sources.derived import jobs as jobs_module
from sources.derived.detection import detect
from sources.derived.models import SignificantPlace, Stay, Trip
from tests.imports.conftest import make_zip
from tests.sources.derived import truth
from tests.sources.derived.lake import derived_rows, insert_points, records_json


def _all_fixes():
    return sorted((f for scenario in truth.SCENARIOS for f in scenario().fixes), key=lambda f: f.at)


def _export(tmp_path, name, fixes):
    return make_zip(tmp_path / name, {"Takeout/Location History (Timeline)/Records.json": records_json(fixes)})


def test_importing_an_overlapping_second_export_gives_the_rows_of_a_full_rebuild(tmp_path, import_files, alice):
    fixes = _all_fixes()
    # The first export ends in the middle of the café morning; the second one repeats its last
    # two days and goes on to the multi-week stay and the flight.
    split = next(i for i, f in enumerate(fixes) if f.at >= truth.utc(dt.date(2024, 3, 14), 10))
    overlap = next(i for i, f in enumerate(fixes) if f.at >= truth.utc(dt.date(2024, 3, 13), 0))
    import_files(_export(tmp_path, "takeout-001.zip", fixes[:split]))
    first = actions.enrich(alice.pk)
    assert first["stays"] > 0
    queue = django_rq.get_queue("maintenance")
    queued = len(queue.jobs)
    second = import_files(_export(tmp_path, "takeout-002.zip", fixes[overlap:]))
    # The run's end queued the enrichment of its own days (and the checksum pass any change queues).
    jobs = queue.jobs[queued:]
    assert [(job.func_name, job.args) for job in jobs if job.func_name.endswith("enrich_run")] == [
        ("sources.derived.jobs.enrich_run", (alice.pk, second.pk))]
    incremental = jobs_module.enrich_run(alice.pk, second.pk)
    assert actions.enrich(alice.pk) == incremental  # the checksum pass finds nothing left to do
    with user_scope(alice.pk):
        after_incremental = derived_rows()
    rebuilt = actions.enrich(alice.pk, rebuild=True)
    with user_scope(alice.pk):
        after_rebuild = derived_rows()
    assert after_incremental == after_rebuild
    assert incremental == rebuilt
    # And both are what detection finds over all the points at once.
    stays, trips = detect(fixes)
    assert [row[0] for row in after_rebuild[0]] == [s.started_at for s in stays]
    assert [row[4] for row in after_rebuild[1]] == [t.mode for t in trips]


def test_a_day_inserted_in_the_middle_rebuilds_the_same_as_from_scratch(alice, committed):
    fixes = _all_fixes()
    middle_day = dt.date(2024, 3, 14)
    insert_points(alice.pk, [f for f in fixes if f.at.date() != middle_day])
    actions.enrich(alice.pk)
    insert_points(alice.pk, [f for f in fixes if f.at.date() == middle_day])
    actions.enrich(alice.pk)
    with user_scope(alice.pk):
        incremental = derived_rows()
    actions.enrich(alice.pk, rebuild=True)
    with user_scope(alice.pk):
        assert derived_rows() == incremental


def test_nothing_changed_means_nothing_recomputed(alice, committed):
    insert_points(alice.pk, truth.home_and_work().fixes)
    actions.enrich(alice.pk)
    with user_scope(alice.pk):
        Stay.objects.update(city="Marker")  # a rebuild would overwrite it
    actions.enrich(alice.pk)
    with user_scope(alice.pk):
        assert set(Stay.objects.values_list("city", flat=True)) == {"Marker"}


def test_the_command_ends_with_the_counts_as_json(alice, committed):
    insert_points(alice.pk, truth.home_and_work().fixes)
    out = StringIO()
    call_command("enrich", "--user", str(alice.pk), "--json", stdout=out)
    last = json.loads(out.getvalue().strip().splitlines()[-1])
    assert list(last) == ["user", "days", "stays", "trips", "places"]
    assert last == {"user": alice.pk, "days": 1, "stays": 3, "trips": 2, "places": 2}
    out = StringIO()
    call_command("enrich", "--user", str(alice.pk), "--rebuild", "--json", stdout=out)
    assert json.loads(out.getvalue().strip().splitlines()[-1]) == last


def test_places_are_named_offline_and_home_is_found(alice, committed):
    day = dt.date(2024, 3, 11)
    fixes = []
    for n in range(5):  # five working days
        fixes += truth.home_and_work(day + dt.timedelta(days=n)).fixes
    insert_points(alice.pk, fixes)
    actions.enrich(alice.pk)
    with user_scope(alice.pk):
        kinds = {p.kind: p for p in SignificantPlace.objects.all()}
        assert kinds["home"].city == "Paris" and kinds["home"].country_code == "FR"
        assert kinds["work"].visits == 5
        # Each evening runs on into the next morning: one stay per night, and the first morning.
        assert Stay.objects.filter(place_id=kinds["home"].id).count() == 6


def test_named_merged_and_hidden_places_survive_a_rebuild(alice, committed):
    insert_points(alice.pk, truth.cafe_walk().fixes)
    actions.enrich(alice.pk)
    with user_scope(alice.pk):
        first, second, third = SignificantPlace.objects.order_by("first_seen_at")
    actions.rename_place(alice.pk, second.id, "Café de Flore")
    actions.merge_places(alice.pk, first.id, [third.id])
    actions.hide_place(alice.pk, first.id)
    actions.enrich(alice.pk, rebuild=True)
    with user_scope(alice.pk):
        assert SignificantPlace.objects.get(id=second.id).name == "Café de Flore"
        assert SignificantPlace.objects.get(id=first.id).hidden
        assert set(Stay.objects.values_list("place_id", flat=True)) == {first.id, second.id}
        assert SignificantPlace.objects.get(id=first.id).visits == 2


def test_the_day_page_shows_ours_only_where_google_has_no_visits(alice, committed):
    from django.db import connections

    case = truth.home_and_work()
    insert_points(alice.pk, case.fixes)
    actions.enrich(alice.pk)
    day = case.stays[0].start.date()
    with user_scope(alice.pk):
        ours = [e for e in day_timeline(day).entries if e.get("source") == "derived"]
        assert [e["label"] for e in ours] == ["Stay", "Trip", "Stay", "Trip", "Stay"]
        assert "worked out from your points" in ours[0]["detail"]
        assert ours[0]["title"] == "Paris, France"
    with connections["owner"].cursor() as cursor:
        cursor.execute("INSERT INTO timeseries.place_visit (user_id, started_at, ended_at, lat_e7, lng_e7, place_id,"
                       " name, address, semantic_type, product, is_child) VALUES (%s, %s, %s, 488566000, 23522000,"
                       " 'ChIJ123', '', '', '', 'location.semantic', false)",
                       [alice.pk, truth.utc(day, 9), truth.utc(day, 10)])
    with user_scope(alice.pk):
        entries = day_timeline(day).entries
        assert not [e for e in entries if e.get("source") == "derived"]
        # Google's visit without a name reads as the gazetteer's town, never its raw place ID.
        assert [e["name"] for e in entries if e["kind"] == "visit"] == ["Paris, France"]


def test_an_overnight_stay_is_on_both_days_marked_plus_one(alice, committed):
    case = truth.night_without_points()
    insert_points(alice.pk, case.fixes)
    actions.enrich(alice.pk)
    first = case.stays[0].start.date()
    with user_scope(alice.pk):
        evening = [e for e in day_timeline(first).entries if e.get("source") == "derived"]
        morning = [e for e in day_timeline(first + dt.timedelta(days=1)).entries if e.get("source") == "derived"]
    assert len(evening) == len(morning) == 1
    assert "(+1 day)" in evening[0]["detail"]
    assert "(-1 day)" in morning[0]["detail"]


def test_bob_sees_none_of_alices_derived_rows(alice, bob, committed):
    insert_points(alice.pk, truth.home_and_work().fixes)
    actions.enrich(alice.pk)
    with user_scope(bob.pk):
        assert (Stay.objects.count(), Trip.objects.count(), SignificantPlace.objects.count()) == (0, 0, 0)
    assert actions.enrich(bob.pk) == {"user": bob.pk, "days": 0, "stays": 0, "trips": 0, "places": 0}
    with user_scope(alice.pk):
        assert Stay.objects.count() == 3


def test_a_pass_written_in_many_small_batches_gives_the_same_rows(alice, committed, monkeypatch):
    fixes = _all_fixes()
    insert_points(alice.pk, [f for f in fixes if f.at.date() != dt.date(2024, 3, 13)])
    actions.enrich(alice.pk)
    with user_scope(alice.pk):
        whole_batches = derived_rows()
    monkeypatch.setattr(actions, "BATCH", 2)
    actions.enrich(alice.pk, rebuild=True)
    with user_scope(alice.pk):
        assert derived_rows() == whole_batches
    insert_points(alice.pk, [f for f in fixes if f.at.date() == dt.date(2024, 3, 13)])
    actions.enrich(alice.pk)
    with user_scope(alice.pk):
        incremental = derived_rows()
    monkeypatch.setattr(actions, "BATCH", 5000)
    actions.enrich(alice.pk, rebuild=True)
    with user_scope(alice.pk):
        assert derived_rows() == incremental


def test_deleting_a_day_of_points_takes_its_stays_away_on_the_next_pass(alice, committed):
    from explore.deletion import delete_range

    fixes = _all_fixes()
    insert_points(alice.pk, fixes)
    actions.enrich(alice.pk)
    with user_scope(alice.pk):  # as the delete page's request is
        assert delete_range(alice, dt.date(2024, 3, 14), dt.date(2024, 3, 14)).deleted["location_point"] > 0
    after_delete = actions.enrich(alice.pk)  # the checksum pass a deletion queues
    with user_scope(alice.pk):
        incremental = derived_rows()
        assert not Stay.objects.filter(started_at__date=dt.date(2024, 3, 14)).exists()
    assert actions.enrich(alice.pk, rebuild=True) == after_delete
    with user_scope(alice.pk):
        assert derived_rows() == incremental
