"""The loader on its own: staged COPY + INSERT ... ON CONFLICT under row-level security."""

import datetime as dt

import psycopg
import pytest
from django.db import connections

from core.rls import user_scope
from imports import loader
from sources.location.tables import LOAD_POINTS
from tests.imports.conftest import all_rows, count_rows, default_partition_rows

AT = dt.datetime(2016, 7, 1, 12, 0, tzinfo=dt.UTC)


def point(minutes, lat=1, tag=None):
    return (AT + dt.timedelta(minutes=minutes), None, lat, 2, 5.0, None, None, None, None, "GPS", tag, None, None,
            None)


@pytest.mark.parametrize("threaded", [False, True], ids=["inline", "writer-thread"])
def test_batches_count_inserted_and_duplicates_and_register_devices(alice, threaded):
    writer = loader.Writer() if threaded else None
    with user_scope(alice.pk):
        batch = loader.BatchLoader(LOAD_POINTS, user_id=alice.pk, run_id=None, product="test",
                                   batch_rows=3, writer=writer)
        for row in [point(0), point(1, tag=9), point(1, tag=9), point(60 * 24 * 40), point(2)]:
            batch.add(row)
        result = batch.finish()
        if writer:
            writer.close()

    assert (result.staged, result.inserted, result.duplicates) == (5, 4, 1)
    assert (result.first, result.last) == (AT, AT + dt.timedelta(days=40))
    assert count_rows(alice, "timeseries.location_point") == 4
    assert default_partition_rows("timeseries.location_point") == 0  # August 2016 was created on the way
    assert all_rows(alice, "user_data.device", "device_tag, name, platform") == [(9, "", "")]


def test_rows_of_another_user_are_refused_by_the_policy(alice, bob):
    # The loader talks to psycopg directly (COPY), so psycopg's own errors surface.
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"), user_scope(alice.pk):
        batch = loader.BatchLoader(LOAD_POINTS, user_id=bob.pk, run_id=None, product="test")
        batch.add(point(0))
        batch.finish()
    assert count_rows(bob, "timeseries.location_point") == 0


def test_the_app_role_cannot_copy_into_the_table_itself(alice):
    # Why the loader stages: PostgreSQL refuses COPY into a table with row-level security.
    statement = ("COPY timeseries.location_point (user_id, recorded_at, lat_e7, lng_e7, product, source, platform,"
                 " activity_type) FROM STDIN")
    with pytest.raises(psycopg.errors.FeatureNotSupported, match="row-level security"), user_scope(alice.pk), \
            connections["default"].cursor() as cursor, cursor.cursor.copy(statement) as copy:
        copy.write_row((alice.pk, AT, 1, 2, "x", "", "", ""))
