"""Importing the same data twice, or overlapping exports, adds nothing the second time."""

from imports.models import ImportRun
from tests.imports.conftest import LH, all_rows, count_rows, make_zip, minute_points, records_json


def test_the_same_archive_imported_twice_gives_the_rows_of_one(import_files, alice, tmp_path):
    archive = make_zip(tmp_path / "takeout.zip", {f"{LH}/Records.json": records_json(minute_points(90))})

    first = import_files(archive)
    second = import_files(archive)

    assert count_rows(alice, "timeseries.location_point") == 90
    assert (first.accepted, first.duplicates) == (90, 0)
    assert (second.status, second.accepted, second.duplicates) == (ImportRun.Status.SUCCEEDED, 0, 90)
    assert second.products["location.records"]["duplicates"] == 90


def test_two_overlapping_exports_give_the_rows_of_one(import_files, alice, tmp_path):
    points = minute_points(100)
    older = make_zip(tmp_path / "2023.zip", {f"{LH}/Records.json": records_json(points[:70])})
    newer = make_zip(tmp_path / "2024.zip", {f"{LH}/Records.json": records_json(points[40:])})
    clean = make_zip(tmp_path / "clean.zip", {f"{LH}/Records.json": records_json(points)})

    import_files(older)
    second = import_files(newer)
    overlapping = all_rows(alice, "timeseries.location_point", "recorded_at, lat_e7, lng_e7")

    assert (second.accepted, second.duplicates) == (30, 30)
    assert len(overlapping) == 100
    # The same rows a single clean import makes, for another user.
    from django.contrib.auth import get_user_model

    from console.personas import grant_persona

    charlie = get_user_model().objects.create_user("charlie", password="charlie-pass-123")
    grant_persona(charlie, "user")
    import_files(clean, user=charlie)
    assert all_rows(charlie, "timeseries.location_point", "recorded_at, lat_e7, lng_e7") == overlapping


def test_duplicates_inside_one_file_are_counted_not_stored_twice(import_files, alice, tmp_path):
    points = minute_points(10)
    archive = make_zip(tmp_path / "dup.zip", {f"{LH}/Records.json": records_json(points + points[:4])})

    run = import_files(archive)

    assert count_rows(alice, "timeseries.location_point") == 10
    assert (run.accepted, run.duplicates) == (10, 4)
