"""Records.json end to end: archive in, rows in timeseries.location_point out."""

from core.rls import user_scope
from imports.models import ImportMember, ImportRun
from tests.imports.conftest import (
    LH,
    all_rows,
    count_rows,
    default_partition_rows,
    make_zip,
    minute_points,
    records_json,
)


def test_records_json_in_a_zip_lands_in_location_point(import_files, alice, tmp_path):
    archive = make_zip(tmp_path / "takeout-001.zip", {f"{LH}/Records.json": records_json(minute_points(120))})

    run = import_files(archive)

    assert run.status == ImportRun.Status.SUCCEEDED, run.error
    assert run.products["location.records"]["accepted"] == 120
    assert run.products["location.records"]["first"] == "2021-03-04T00:00:00.000000Z"
    assert run.products["location.records"]["last"] == "2021-03-04T01:59:00.000000Z"
    assert count_rows(alice, "timeseries.location_point") == 120
    assert default_partition_rows("timeseries.location_point") == 0
    first = all_rows(alice, "timeseries.location_point", "lat_e7, lng_e7, source, device_tag, import_run_id")[0]
    assert first == (480000000, 20000000, "GPS", 1234, run.pk)
    # Records.json's device tags become devices (named later by Settings.json).
    assert count_rows(alice, "user_data.device", "WHERE device_tag = 1234") == 1


def test_batches_that_need_new_months_mid_member_route_rows_to_their_partitions(import_files, alice, tmp_path):
    # 2009 has no premade partitions: each 50-row batch needs a month the
    # previous one did not, inside one member transaction.
    points = minute_points(50, day="2009-01-10") + minute_points(50, day="2009-02-10") \
        + minute_points(50, day="2009-03-10")
    archive = make_zip(tmp_path / "old.zip", {f"{LH}/Records.json": records_json(points)})

    run = import_files(archive, batch_rows=50)

    assert run.status == ImportRun.Status.SUCCEEDED, run.error
    assert count_rows(alice, "timeseries.location_point") == 150
    assert default_partition_rows("timeseries.location_point") == 0
    with user_scope(alice.pk):
        member = ImportMember.objects.get(run=run)
    assert (member.status, member.accepted, member.product) == ("done", 150, "location.records")
