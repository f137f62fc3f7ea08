"""DuckDB opens an archived month in place with the user's archive key, and cannot without it.

The tree holds Alice's and Bob's files, each under its own key. With Alice's
key (printed by `lifecycle archive-key`, the PRAGMA an operator pastes),
a query filtered on her hive partition reads her month: the filter prunes
Bob's files, which her key could not open. Without a key, or with Bob's, it
fails. Only an admin may print a key, and each time is audited.
"""

import io

import duckdb
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from audit.models import Event
from lifecycle import lifecycle
from lifecycle.models import ArchiveFile, Policy
from tests.lifecycle.conftest import LOCATION_FIELDS, add_location_history, location_rows

pytestmark = pytest.mark.usefixtures("clean_archive_schema")


@pytest.fixture
def archived(make_user):
    from django.utils import timezone

    alice, bob = make_user("alice", "user"), make_user("bob", "user")
    now = timezone.now()
    add_location_history(alice, now, months=14, per_month=3)
    add_location_history(bob, now, months=14, per_month=3, lat=400000000)
    before = {alice.pk: location_rows(alice), bob.pk: location_rows(bob)}
    Policy.objects.create(name="year", table="timeseries.location_point", archive_after_days=365)
    run = lifecycle.run_lifecycle(now=now)
    assert run.partitions_archived > 0, run.error
    return alice, bob, before


def pragma_for(user, admin) -> str:
    out = io.StringIO()
    call_command("lifecycle", "archive-key", "--user", user.username, "--admin", admin.username, stdout=out,
                 stderr=io.StringIO())
    return out.getvalue().strip()


def month_query(user_id: int, period: str, key_name: str | None) -> str:
    tree = f"{settings.ARCHIVE_DIR}/timeseries.location_point/*/*/*.parquet"
    config = f", encryption_config = {{footer_key: '{key_name}'}}" if key_name else ""
    return (f"SELECT * FROM read_parquet('{tree}', hive_partitioning = true{config}) "
            f"WHERE \"user\" = {user_id} AND period = '{period}' ORDER BY recorded_at, lat_e7, lng_e7")


def test_duckdb_reads_one_users_month_with_her_key_and_hive_pruning(archived, make_user):
    alice, bob, before = archived
    admin = make_user("ada", "admin")
    hers = ArchiveFile.objects.filter(data_owner_id=alice.pk).select_related("archived_partition").first()
    record = hers.archived_partition
    period = f"{record.period_start:%Y-%m}"
    assert ArchiveFile.objects.filter(archived_partition=record, data_owner_id=bob.pk).exists()

    pragma = pragma_for(alice, admin)
    assert pragma.startswith(f"PRAGMA add_parquet_key('lake_user_{alice.pk}', '")
    db = duckdb.connect()
    db.execute(pragma)
    found = db.execute(month_query(alice.pk, period, f"lake_user_{alice.pk}"))
    names = [d[0] for d in found.description]
    rows = [tuple(row[names.index(c)] for c in LOCATION_FIELDS) for row in found.fetchall()]
    expected = [r for r in before[alice.pk] if record.period_start <= r[1] < record.period_end]
    assert len(rows) == hers.rows == len(expected) > 0
    assert [(r[0], r[2], r[3]) for r in rows] == [(r[0], r[2], r[3]) for r in expected]  # user, lat, lng
    assert [r[1] for r in rows] == [r[1] for r in expected]  # the instants, to the microsecond

    # Without the filter her key meets Bob's files and fails: the pruning above is what spared them.
    with pytest.raises(duckdb.Error):
        db.execute(month_query(alice.pk, period, f"lake_user_{alice.pk}").split(" WHERE")[0]).fetchall()
    # No key at all: DuckDB refuses the encrypted file.
    with pytest.raises(duckdb.Error, match="encrypt"):
        duckdb.connect().execute(month_query(alice.pk, period, None)).fetchall()
    # Bob's key on her month: the footer does not authenticate.
    other = duckdb.connect()
    other.execute(pragma_for(bob, admin).replace(f"lake_user_{bob.pk}", "wrong"))
    with pytest.raises(duckdb.Error):
        other.execute(month_query(alice.pk, period, "wrong")).fetchall()


def test_only_an_admin_may_print_an_archive_key_and_it_is_audited(archived, make_user):
    alice, bob, _ = archived
    admin = make_user("ada", "admin")
    with pytest.raises(CommandError, match="only an active admin"):
        pragma_for(alice, bob)  # Bob is a user, not an admin
    disclosed = Event.objects.using("owner").filter(action="lifecycle.archive_key_disclosed",
                                                    target=f"user:{alice.pk}", actor_id__in=[admin.pk, bob.pk])
    assert not disclosed.exists()
    pragma_for(alice, admin)
    event = disclosed.get()
    assert (event.actor_id, event.target) == (admin.pk, f"user:{alice.pk}")
    assert "key" not in str(event.details).replace("key_id", "")  # the key itself is never recorded
