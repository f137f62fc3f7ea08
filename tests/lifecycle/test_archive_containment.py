"""Forged lifecycle records cannot make a run delete files outside the archive.

The attack: as the app role, insert a policy, an archived partition in state
`dropped` and an archive file whose path is `/some/file`; the hourly scheduled
run would then unlink that file. The app role may no longer write those
records, and whatever a record says, a run touches only files under ARCHIVE_DIR.
"""

import datetime as dt

import pytest
from django.conf import settings
from django.db import ProgrammingError, connections
from psycopg.errors import InsufficientPrivilege

from lifecycle import jobs
from lifecycle.models import ArchivedPartition, LifecycleRun

OLD = dt.datetime(2001, 1, 1, tzinfo=dt.UTC)


def forge(cursor, relative_path):
    """The attacker's three rows; returns the archived partition's id."""
    cursor.execute(
        "INSERT INTO ops.lifecycle_policy (name, enabled, \"table\", archive_after_days, delete_after_days,"
        " quarantine_days, schedule, created_at, updated_at) VALUES ('forged', true, 'timeseries.location_point',"
        " 365, 400, 7, 'hourly', now(), now()) ON CONFLICT (name) DO UPDATE SET enabled = true RETURNING id")
    policy_id = cursor.fetchone()[0]
    cursor.execute(
        "INSERT INTO ops.archived_partition (policy_id, table_label, partition_name, period_start, period_end,"
        " state, rows, table_bytes, file_bytes, created_at, error) VALUES (%s, 'timeseries.location_point',"
        " 'location_point_p2001_01', %s, %s, 'dropped', 0, 0, 0, now(), '') RETURNING id",
        [policy_id, OLD, OLD + dt.timedelta(days=31)])
    archive_id = cursor.fetchone()[0]
    cursor.execute(
        "INSERT INTO ops.archive_file (archived_partition_id, data_owner_id, relative_path, key_id, rows,"
        " plaintext_bytes, ciphertext_bytes, plaintext_sha256, ciphertext_sha256, rows_sha256, arrow_schema)"
        " VALUES (%s, 1, %s, 'k', 0, 0, 0, '', '', '', '')", [archive_id, relative_path])
    return archive_id


@pytest.fixture
def victim(tmp_path):
    path = tmp_path / "precious.key"
    path.write_bytes(b"not yours to delete")
    settings.ARCHIVE_DIR.mkdir(parents=True, exist_ok=True)
    return path


def test_the_app_role_attack_leaves_the_file(committed, victim):
    refused = []
    with connections["default"].cursor() as cursor:
        try:
            forge(cursor, str(victim))
        except ProgrammingError as error:
            assert isinstance(error.__cause__, InsufficientPrivilege)
            refused.append(str(error))
    jobs.scheduled_lifecycle_run()
    assert victim.read_bytes() == b"not yours to delete"
    assert refused and "permission denied for table archived_partition" in refused[0]


@pytest.mark.parametrize("table", ["archive_file", "archived_partition", "lifecycle_run", "maintenance_run"])
def test_the_app_role_cannot_write_lifecycle_or_maintenance_records(committed, table):
    with connections["owner"].cursor() as cursor:
        cursor.execute(f"SELECT has_table_privilege(%s, 'ops.{table}', 'SELECT'),"
                       f" has_table_privilege(%s, 'ops.{table}', 'INSERT'),"
                       f" has_table_privilege(%s, 'ops.{table}', 'UPDATE'),"
                       f" has_table_privilege(%s, 'ops.{table}', 'DELETE'),"
                       f" has_table_privilege(%s, 'ops.{table}', 'TRUNCATE')",
                       [settings.DB_APP_ROLE] * 5)
        # Read for the pages, never written: the runs write through the owner connection.
        assert cursor.fetchone() == (True, False, False, False, False)


def test_policies_stay_editable_by_the_app_role(committed):
    # Admins manage policies through the console, which connects as the app role.
    with connections["default"].cursor() as cursor:
        cursor.execute("INSERT INTO ops.lifecycle_policy (name, enabled, \"table\", archive_after_days,"
                       " quarantine_days, schedule, created_at, updated_at) VALUES ('mine', true,"
                       " 'timeseries.place_visit', 30, 7, 'daily', now(), now())")
        cursor.execute("DELETE FROM ops.lifecycle_policy WHERE name = 'mine'")
        assert cursor.rowcount == 1


@pytest.mark.parametrize("kind", ["absolute", "climbing", "symlink"])
def test_a_record_pointing_outside_the_archive_is_refused_and_the_file_stays(committed, victim, kind):
    # Even a record written with the owner's rights (a restored backup, a bug)
    # must not reach outside ARCHIVE_DIR.
    if kind == "absolute":
        relative = str(victim)
    elif kind == "climbing":
        relative = "timeseries.location_point/user=1/../../../" + victim.name
    else:
        (settings.ARCHIVE_DIR / "escape").symlink_to(victim.parent)
        relative = f"escape/{victim.name}"
    with connections["owner"].cursor() as cursor:
        archive_id = forge(cursor, relative)
    jobs.scheduled_lifecycle_run()
    assert victim.read_bytes() == b"not yours to delete"
    record = ArchivedPartition.objects.get(pk=archive_id)
    assert record.state == ArchivedPartition.State.DROPPED  # nothing expired
    run = LifecycleRun.objects.get()
    assert run.outcome == LifecycleRun.Outcome.FAILED
    assert "lies outside the archive folder" in run.error
