"""The turn of the year: month arithmetic in the lifecycle and partition logic.

CI once went red every December because a test helper built month 13. These
runs freeze "now" at the last minute of a year and the first of the next, so
the planner, the run and partition maintenance all cross a year boundary.
"""

import datetime as dt

import pytest
from django.db import connections

from core import partitions
from core.maintenance import run_partition_maintenance
from core.models import MaintenanceRun
from lifecycle import lifecycle
from lifecycle.models import LifecycleRun, Policy
from sources.location.tables import LOCATION_POINT
from tests.lifecycle.conftest import add_location_history, archive_tables, months_back

pytestmark = pytest.mark.usefixtures("clean_archive_schema")

YEAR_END = dt.datetime(2026, 12, 31, 23, 59, tzinfo=dt.UTC)
NEW_YEAR = dt.datetime(2027, 1, 1, 0, 0, tzinfo=dt.UTC)


def test_months_back_crosses_the_year_both_ways():
    assert months_back(YEAR_END, -1) == dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    assert months_back(YEAR_END, 0) == dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    assert months_back(NEW_YEAR, 1) == dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    assert months_back(NEW_YEAR, 13) == dt.datetime(2025, 12, 1, tzinfo=dt.UTC)
    assert months_back(NEW_YEAR, -12) == dt.datetime(2028, 1, 1, tzinfo=dt.UTC)


def test_next_month_of_december_is_january():
    assert partitions.next_month(dt.date(2026, 12, 1)) == dt.date(2027, 1, 1)
    assert partitions.month_start(YEAR_END) == dt.date(2026, 12, 1)


@pytest.mark.parametrize("now", [YEAR_END, NEW_YEAR], ids=["31-december-23-59", "1-january-00-00"])
def test_partition_maintenance_premakes_into_the_next_year(committed, now):
    run = run_partition_maintenance(now=now)

    assert run.outcome == MaintenanceRun.Outcome.OK, run.error
    with connections["owner"].cursor() as cursor:
        for table in partitions.REGISTRY.values():
            found = partitions.list_partitions(cursor, table)
            assert partitions.months_ahead(found, now) >= table.premake
            names = {p.name for p in found}
            assert table.partition_name(dt.date(2027, 1, 1)) in names
            assert table.partition_name(dt.date(2027, 2, 1)) in names


@pytest.mark.parametrize("now", [YEAR_END, NEW_YEAR], ids=["31-december-23-59", "1-january-00-00"])
def test_the_lifecycle_plans_and_runs_across_the_year_end(make_user, committed, now):
    alice = make_user("alice", "user")
    add_location_history(alice, now, months=14, per_month=2)
    Policy.objects.create(name="location-year", table="timeseries.location_point",
                          archive_after_days=365, quarantine_days=7)
    threshold = now - dt.timedelta(days=365)
    expected = [LOCATION_POINT.partition_name(months_back(now, m).date())
                for m in range(14, -1, -1) if months_back(now, m - 1) <= threshold]

    plan = lifecycle.make_plan(now=now)
    run = lifecycle.run_lifecycle(now=now)

    assert [a.partition.name for a in plan.archives] == expected
    # A year before 31 December 23:59 December 2025 is not yet whole; a year
    # before 1 January it just is.
    assert expected == (["location_point_p2025_10", "location_point_p2025_11"] if now == YEAR_END
                        else ["location_point_p2025_11", "location_point_p2025_12"])
    assert run.outcome == LifecycleRun.Outcome.OK, run.error
    assert run.partitions_archived == len(expected)
    assert archive_tables() == sorted(expected)
