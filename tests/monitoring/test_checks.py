"""Each health check against a real database, Redis and RQ state built to trigger it."""

import datetime as dt

import django_rq
import pytest
from django.utils import timezone
from psycopg.errors import UniqueViolation
from rq import Queue, Worker
from rq.executions import Execution
from rq.registry import StartedJobRegistry

from core.models import MaintenanceRun
from monitoring import snapshot
from monitoring.health import check_workers
from monitoring.snapshot import collect
from tests.monitoring.conftest import SCRATCH, flush_stats

pytestmark = pytest.mark.django_db(databases=["default", "owner"])


def check(snap, key):
    return next(c for c in snap["checks"] if c.key == key)


def texts(found):
    return " | ".join(text for _, text in found.items)


def month(offset: int) -> dt.datetime:
    now = timezone.now()
    index = now.year * 12 + now.month - 1 + offset
    return dt.datetime(index // 12, index % 12 + 1, 1, tzinfo=dt.UTC)


def make_monthly(conn, name, offsets, default=True):
    """A table partitioned by month with partitions `offsets` months from now."""
    conn.execute(f"CREATE TABLE {SCRATCH}.{name} (at timestamptz NOT NULL, v int) PARTITION BY RANGE (at)")
    for offset in offsets:
        lower, upper = month(offset), month(offset + 1)
        conn.execute(f"CREATE TABLE {SCRATCH}.{name}_m{offset + 100} PARTITION OF {SCRATCH}.{name} "
                     f"FOR VALUES FROM ('{lower.isoformat()}') TO ('{upper.isoformat()}')")
    if default:
        conn.execute(f"CREATE TABLE {SCRATCH}.{name}_default PARTITION OF {SCRATCH}.{name} DEFAULT")


def test_rows_in_a_default_partition_are_flagged_with_the_fix(scratch):
    make_monthly(scratch, "events", range(0, 5))
    # Five years back: no partition covers them, so they land in the default partition.
    scratch.execute(f"INSERT INTO {SCRATCH}.events SELECT now() - interval '5 years', g FROM generate_series(1, 40) g")
    flush_stats(scratch)
    snap = collect()
    found = check(snap, "default_partition")
    assert found.state == "warn"
    assert f"{SCRATCH}.events_default holds about 40 rows" in texts(found)
    assert "Create partitions ahead" in found.action
    root = next(r for r in snap["roots"] if r["label"] == f"{SCRATCH}.events")
    assert (root["partitions"], root["default_rows"], root["rows"]) == (5, 40, 40)


def test_an_empty_default_partition_is_fine(scratch):
    make_monthly(scratch, "quiet", range(0, 5))
    scratch.execute(f"INSERT INTO {SCRATCH}.quiet VALUES (now(), 1)")
    flush_stats(scratch)
    found = check(collect(), "default_partition")
    assert f"{SCRATCH}.quiet" not in texts(found)


def test_missing_future_partitions_are_flagged(scratch):
    make_monthly(scratch, "short", [0, 1])  # this month and one ahead: wants 4
    make_monthly(scratch, "stale", [-3, -2, -1])  # nothing covers now
    make_monthly(scratch, "full", range(0, 5))
    snap = collect()
    found = check(snap, "future_partitions")
    assert found.state == "crit"
    assert f"{SCRATCH}.short has 1 partition(s) ahead, wants 4" in texts(found)
    assert f"{SCRATCH}.stale has no partition for now" in texts(found)
    assert f"{SCRATCH}.full" not in texts(found)
    roots = {r["label"]: r for r in snap["roots"]}
    assert (roots[f"{SCRATCH}.short"]["ahead"], roots[f"{SCRATCH}.full"]["ahead"]) == (1, 4)
    assert roots[f"{SCRATCH}.stale"]["covers_now"] is False


def test_the_lakes_own_tables_are_premade_ahead():
    snap = collect()
    roots = {r["label"]: r for r in snap["roots"]}
    for label in ("timeseries.location_point", "ops.health_sample"):
        assert roots[label]["covers_now"] and roots[label]["ahead"] >= 4
    assert check(snap, "future_partitions").state == "ok"


def test_dead_tuples_over_the_autovacuum_trigger_are_flagged(scratch):
    # Autovacuum off for the table, so it cannot clean up before the check looks.
    scratch.execute(f"CREATE TABLE {SCRATCH}.churn (id int) WITH (autovacuum_enabled = off)")
    scratch.execute(f"INSERT INTO {SCRATCH}.churn SELECT generate_series(1, 1000)")
    scratch.execute(f"ANALYZE {SCRATCH}.churn")
    scratch.execute(f"DELETE FROM {SCRATCH}.churn WHERE id <= 600")
    flush_stats(scratch)
    snap = collect()
    table = next(t for t in snap["tables"] if t["label"] == f"{SCRATCH}.churn")
    # 50 + 0.2 x 1000 reltuples
    assert (table["n_dead_tup"], table["trigger"], table["over_trigger"]) == (600, 250, True)
    found = check(snap, "dead_tuples")
    assert found.state == "warn"
    assert f"{SCRATCH}.churn: 600 dead rows, trigger 250, last vacuum never" in texts(found)


def test_a_per_table_trigger_is_respected(scratch):
    scratch.execute(f"CREATE TABLE {SCRATCH}.lenient (id int) WITH (autovacuum_enabled = off, "
                    "autovacuum_vacuum_threshold = 5000)")
    scratch.execute(f"INSERT INTO {SCRATCH}.lenient SELECT generate_series(1, 1000)")
    scratch.execute(f"DELETE FROM {SCRATCH}.lenient WHERE id <= 600")
    flush_stats(scratch)
    snap = collect()
    table = next(t for t in snap["tables"] if t["label"] == f"{SCRATCH}.lenient")
    assert table["trigger"] >= 5000 and not table["over_trigger"]
    assert f"{SCRATCH}.lenient" not in texts(check(snap, "dead_tuples"))


def test_an_invalid_index_left_by_a_failed_concurrent_build_is_critical(scratch):
    scratch.execute(f"CREATE TABLE {SCRATCH}.dupes (email text)")
    scratch.execute(f"INSERT INTO {SCRATCH}.dupes VALUES ('a@example.org'), ('a@example.org')")
    with pytest.raises(UniqueViolation):
        scratch.execute(f"CREATE UNIQUE INDEX CONCURRENTLY dupes_email_uniq ON {SCRATCH}.dupes (email)")
    found = check(collect(), "index_health")
    assert found.state == "crit"
    assert f"{SCRATCH}.dupes_email_uniq on {SCRATCH}.dupes is INVALID" in texts(found)


def test_a_redundant_index_is_reported(scratch):
    scratch.execute(f"CREATE TABLE {SCRATCH}.pairs (a int, b int)")
    scratch.execute(f"CREATE INDEX pairs_a ON {SCRATCH}.pairs (a)")
    scratch.execute(f"CREATE INDEX pairs_a_b ON {SCRATCH}.pairs (a, b)")
    found = check(collect(), "index_health")
    assert f"{SCRATCH}.pairs_a is redundant beside {SCRATCH}.pairs_a_b" in texts(found)


def test_autovacuum_disabled_on_a_table_is_flagged(scratch):
    scratch.execute(f"CREATE TABLE {SCRATCH}.neglected (id int) WITH (autovacuum_enabled = false)")
    scratch.execute(f"CREATE TABLE {SCRATCH}.cared_for (id int)")
    found = check(collect(), "autovacuum_disabled")
    assert found.state in ("warn", "crit")
    assert f"{SCRATCH}.neglected has autovacuum_enabled = off" in texts(found)
    assert f"{SCRATCH}.cared_for" not in texts(found)


def test_a_redis_hit_ratio_drop_between_samples_is_flagged():
    redis = django_rq.get_connection("default")
    redis.set("ops-test:present", "1")
    now = timezone.now()
    snapshot.take_sample(now=now - dt.timedelta(minutes=10))
    # A good window: nearly every lookup hits (other clients of the server add noise, so many).
    pipe = redis.pipeline(transaction=False)
    for _ in range(5000):
        pipe.get("ops-test:present")
    pipe.execute()
    snapshot.take_sample(now=now - dt.timedelta(minutes=5))
    # Then a bad one: every lookup misses.
    for i in range(5000):
        pipe.get(f"ops-test:absent:{i}")
    pipe.execute()
    snap = collect(now=now)
    window = snap["windows"]["redis"]
    # INFO counts the whole server, which other clients share: hence margins, not exact ratios.
    assert window["baseline"] > 0.7 and window["ratio"] < 0.3
    found = check(snap, "redis_hits")
    assert found.state == "crit"
    assert "hit ratio fell from" in texts(found)
    redis.delete("ops-test:present")


def test_without_samples_the_redis_ratio_says_it_is_since_reset():
    found = check(collect(), "redis_hits")
    assert found.state == "ok" and "since Redis started" in found.summary


def _job():
    """Stands in for real work; the test never runs it."""


def test_a_dead_worker_with_a_job_in_flight_is_critical():
    connection = django_rq.get_connection("default")
    queue = Queue("imports", connection=connection)
    worker = Worker([queue], connection=connection, name="ghost-worker")
    worker.register_birth()
    job = queue.enqueue(_job)
    queue.remove(job)
    try:
        with connection.pipeline() as pipe:
            Execution.create(job, ttl=3600, pipeline=pipe, worker_name=worker.name)
            pipe.execute()
        worker.set_current_job_id(job.id)
        # Its last heartbeat was an hour ago: the process is gone without deregistering.
        stale = (timezone.now() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        connection.hset(worker.key, "last_heartbeat", stale)
        snap = collect()
        found = check(snap, "rq")
        assert found.state == "crit"
        said = texts(found)
        assert f"worker ghost-worker stopped heartbeating 60 min ago while running job {job.id}" in said
        assert f"job {job.id} on imports is marked started by ghost-worker, which is not alive" in said
        assert job.id in StartedJobRegistry(queue=queue).get_job_ids(cleanup=False)
        # Readiness does not count it as a worker either.
        assert check_workers()[0] is False
    finally:
        worker.register_death()
        StartedJobRegistry(queue=queue).remove_executions(job)
        job.delete()


def test_partition_maintenance_that_failed_last_is_critical(scratch):
    # Only the owner connection records runs; commit one where the app's connection sees it.
    run_id = scratch.execute(
        "INSERT INTO ops.maintenance_run (kind, started_at, finished_at, outcome, details, error)"
        " VALUES ('partitions', now(), now(), %s, '{}', 'LockNotAvailable: could not obtain lock') RETURNING id",
        [MaintenanceRun.Outcome.FAILED]).fetchone()[0]
    try:
        found = check(collect(), "maintenance")
    finally:
        scratch.execute("DELETE FROM ops.maintenance_run WHERE id = %s", [run_id])
    assert found.state == "crit"
    assert "the last run failed: LockNotAvailable" in texts(found)


def test_thresholds_come_from_settings(settings, scratch):
    scratch.execute(f"CREATE TABLE {SCRATCH}.young (id int)")
    scratch.execute(f"INSERT INTO {SCRATCH}.young VALUES (1)")
    # Every table is "old" once the warning level is one transaction.
    settings.HEALTH_THRESHOLDS = {**settings.HEALTH_THRESHOLDS, "xid_age": (1, 10**12)}
    found = check(collect(), "xid_wraparound")
    assert found.state == "warn"
    assert f"{SCRATCH}.young (with its TOAST)" in texts(found)


def test_problems_come_first(scratch):
    scratch.execute(f"CREATE TABLE {SCRATCH}.neglected (id int) WITH (autovacuum_enabled = false)")
    states = [c.state for c in collect()["checks"]]
    assert states == sorted(states, key=["crit", "warn", "info", "ok"].index)
    assert len(states) == 23


def test_retention_lag_is_measured_against_the_lifecycle_policy(scratch):
    from lifecycle.models import Policy

    make_monthly(scratch, "kept", range(-6, 5))  # six months back, the oldest ended five months ago
    make_monthly(scratch, "relaxed", range(-6, 5))
    make_monthly(scratch, "unruled", range(-6, 5))
    Policy.objects.create(name="kept-30", table=f"{SCRATCH}.kept", archive_after_days=30)
    Policy.objects.create(name="relaxed-year", table=f"{SCRATCH}.relaxed", archive_after_days=365)
    # Policies in place for a year: a lag counts from when a policy was made (see test_ops_page_fixes).
    Policy.objects.update(created_at=timezone.now() - dt.timedelta(days=365))
    snap = collect()
    found = check(snap, "retention_lag")
    assert found.state == "crit"
    said = texts(found)
    assert f"{SCRATCH}.kept: its oldest partition ended {month(-5):%Y-%m-%d}" in said and "policy kept-30" in said
    assert f"{SCRATCH}.relaxed" not in said
    roots = {r["label"]: r for r in snap["roots"]}
    assert roots[f"{SCRATCH}.unruled"]["policy"] is None
    assert roots[f"{SCRATCH}.relaxed"]["retention_lag"] < dt.timedelta(0)


def test_a_session_idle_in_transaction_holding_the_horizon_is_flagged(settings, scratch):
    from core.bootstrap import admin_connect

    settings.HEALTH_THRESHOLDS = {**settings.HEALTH_THRESHOLDS, "xmin_age": (1, 10**9)}
    idle = admin_connect(dbname=settings.DATABASES["default"]["NAME"], autocommit=False,
                         application_name="forgotten-transaction")
    try:
        # BEGIN, take an xid, then do nothing (with a user's words in the query text).
        idle.execute("SELECT txid_current(), 'alice searched for her doctor'")
        scratch.execute("SELECT txid_current()")  # the world moves on by one transaction
        snap = collect()
        queries, horizon = check(snap, "queries"), check(snap, "xmin_horizon")
        assert queries.state in ("warn", "crit") and "idle in transaction" in texts(queries)
        pid = idle.info.backend_pid
        assert f"session {pid} (postgres, idle in transaction) holds the horizon" in texts(horizon)
        shown = next(session for session in snap["sessions"] if session["pid"] == pid)["query"]
        assert shown == "SELECT txid_current(), ?"  # ops see the query's shape, not the words
    finally:
        idle.close()


def test_file_areas_are_measured_against_their_budgets(settings, tmp_path):
    settings.DATA_DIR, settings.ARCHIVE_DIR, settings.TEMP_DIR = tmp_path / "data", tmp_path / "archive", tmp_path / "t"
    (tmp_path / "data" / "alice").mkdir(parents=True)
    (tmp_path / "data" / "alice" / "takeout.zip").write_bytes(b"\1" * 900_000)
    settings.STORAGE_BUDGETS_GB = {"data": 0.001, "archive": 500, "temp": 50}  # a 1 MB budget
    snap = collect()
    areas = {a["area"]: a for a in snap["storage"]}
    assert areas["data"]["bytes"] >= 900_000 and areas["archive"]["bytes"] == 0
    found = check(snap, "storage")
    assert found.state in ("warn", "crit")
    assert "data uses" in texts(found) and "archive" not in texts(found)
