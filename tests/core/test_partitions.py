"""Monthly partitions: premade ahead of now, and the default partition kept empty."""

import datetime as dt

import pytest
from django.db import connections
from django.utils import timezone

from core import partitions
from core.maintenance import run_partition_maintenance
from core.models import MaintenanceRun
from core.rls import user_scope
from sources.location.models import LocationPoint
from sources.location.tables import LOCATION_POINT

# Partition DDL runs on the owner connection while rows are written through
# the app's: both must see committed data, so these tests do not wrap
# themselves in a transaction.
pytestmark = pytest.mark.usefixtures("committed")


def owner_count(table):
    with connections["owner"].cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        return cursor.fetchone()[0]


def test_partitions_exist_ahead_of_now():
    with connections["owner"].cursor() as cursor:
        for table in partitions.REGISTRY.values():
            found = partitions.list_partitions(cursor, table)
            assert partitions.months_ahead(found, timezone.now()) >= table.premake
            assert any(p.is_default for p in found)
            assert all(p.managed for p in found if not p.is_default)


def test_a_row_for_a_month_without_partition_leaves_the_default_after_maintenance(make_user):
    alice = make_user("alice", "user")
    old = dt.datetime(2003, 5, 17, 8, 30, tzinfo=dt.UTC)
    with user_scope(alice.pk):
        LocationPoint.objects.create(user=alice, recorded_at=old, lat_e7=1, lng_e7=2, product="location.records")
    assert owner_count("timeseries.location_point_default") == 1

    run = run_partition_maintenance()

    assert run.outcome == MaintenanceRun.Outcome.OK
    assert owner_count("timeseries.location_point_default") == 0
    assert owner_count("timeseries.location_point_p2003_05") == 1
    with user_scope(alice.pk):
        assert LocationPoint.objects.get().recorded_at == old


def test_the_new_partition_is_protected_like_its_parent():
    with connections["owner"].cursor() as cursor:
        partitions.ensure_partition(cursor, LOCATION_POINT, dt.date(2001, 1, 1))
        cursor.execute(
            "SELECT relrowsecurity, relforcerowsecurity, has_table_privilege(%s, oid, 'SELECT') "
            "FROM pg_class WHERE oid = 'timeseries.location_point_p2001_01'::regclass",
            [connections["default"].settings_dict["USER"]],
        )
        assert cursor.fetchone() == (True, True, False)


def test_maintenance_is_idempotent():
    run_partition_maintenance()
    second = run_partition_maintenance()
    assert all(detail["created"] == 0 for detail in second.details.values())


def test_a_failed_maintenance_run_is_recorded(monkeypatch):
    def broken(cursor, table, now):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(partitions, "ensure_ahead", broken)
    with pytest.raises(RuntimeError):
        run_partition_maintenance()
    run = MaintenanceRun.objects.using("owner").latest("started_at")
    assert (run.outcome, run.error) == (MaintenanceRun.Outcome.FAILED, "RuntimeError: disk on fire")
