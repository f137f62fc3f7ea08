"""Maintenance actions: confirmed, audited, run by a real RQ worker as the owner role."""

import django_rq
from django.conf import settings
from django.db import connections
from rq import Queue
from rq.job import Job
from rq.registry import FailedJobRegistry

from audit.models import Event
from core.models import MaintenanceRun
from tests.monitoring.conftest import SCRATCH, flush_stats


def _maintenance_queue():
    return django_rq.get_queue("maintenance")


def test_an_action_asks_for_confirmation_first(client, committed, make_user, scratch):
    otto = make_user("otto", "ops")
    scratch.execute(f"CREATE TABLE {SCRATCH}.churn (id int)")
    client.force_login(otto)
    before = _maintenance_queue().count
    page = client.get(f"/ops/actions/vacuum/?target={SCRATCH}.churn").content.decode()
    assert "Yes, vacuum (analyze) a table" in page and f'value="{SCRATCH}.churn"' in page
    # A POST without the confirmation field changes nothing either.
    client.post("/ops/actions/vacuum/", {"target": f"{SCRATCH}.churn"})
    assert _maintenance_queue().count == before
    assert not Event.objects.filter(action="ops.vacuum", actor_id=otto.pk).exists()


def test_a_confirmed_vacuum_runs_as_the_owner_and_is_audited(client, committed, make_user, scratch, run_worker):
    otto = make_user("otto", "ops")
    scratch.execute(f"CREATE TABLE {SCRATCH}.churn (id int) WITH (autovacuum_enabled = off)")
    scratch.execute(f"ALTER TABLE {SCRATCH}.churn OWNER TO {settings.DB_OWNER_ROLE}")
    scratch.execute(f"INSERT INTO {SCRATCH}.churn SELECT generate_series(1, 1000)")
    scratch.execute(f"DELETE FROM {SCRATCH}.churn WHERE id <= 600")
    flush_stats(scratch)
    client.force_login(otto)
    response = client.post("/ops/actions/vacuum/", {"target": f"{SCRATCH}.churn", "confirm": "yes",
                                                    "next": "/ops/vacuum/"})
    # It lands on the action's outcome page, which leads back to where it was asked for.
    assert response.status_code == 302 and response["Location"].startswith("/ops/actions/jobs/ops-")
    assert 'href="/ops/vacuum/"' in client.get(response["Location"]).content.decode()
    event = Event.objects.filter(action="ops.vacuum").order_by("-pk").first()
    assert (event.actor_username, event.target) == ("otto", f"{SCRATCH}.churn")
    result = run_worker("maintenance")
    assert result.returncode == 0, result.stderr[-2000:]
    run = MaintenanceRun.objects.get(kind="vacuum")
    assert (run.outcome, run.details["target"]) == ("ok", f"{SCRATCH}.churn")
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT n_dead_tup, last_vacuum IS NOT NULL, last_analyze IS NOT NULL "
                       "FROM pg_stat_all_tables WHERE schemaname = %s AND relname = 'churn'", [SCRATCH])
        assert cursor.fetchone() == (0, True, True)


def test_vacuuming_a_table_that_does_not_exist_is_refused_with_a_reason(client, committed, make_user):
    client.force_login(make_user("otto", "ops"))
    before = _maintenance_queue().count
    response = client.post("/ops/actions/vacuum/", {"target": "public.nope; DROP TABLE x", "confirm": "yes"},
                           follow=True)
    assert "there is no table public.nope; DROP TABLE x" in response.content.decode()
    assert _maintenance_queue().count == before
    assert not Event.objects.filter(action="ops.vacuum", target__startswith="public.nope").exists()


def test_analyze_parents_records_when_the_parents_were_analyzed(client, committed, make_user, run_worker):
    client.force_login(make_user("otto", "ops"))
    client.post("/ops/actions/analyze-parents/", {"confirm": "yes"})
    assert run_worker("maintenance").returncode == 0
    run = MaintenanceRun.objects.get(kind="analyze-parents")
    assert run.outcome == "ok" and "timeseries.location_point" in run.details["analyzed"]
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT last_analyze IS NOT NULL FROM pg_stat_all_tables "
                       "WHERE relid = 'timeseries.location_point'::regclass")
        assert cursor.fetchone() == (True,)


def test_a_failed_job_is_requeued_after_confirmation(client, committed, make_user, run_worker):
    connection = django_rq.get_connection("default")
    queue = Queue("default", connection=connection)
    job = queue.enqueue("builtins.int", "not a number")  # fails with ValueError
    try:
        run_worker("default")
        failed = FailedJobRegistry(queue=queue)
        assert job.id in failed.get_job_ids()
        client.force_login(make_user("otto", "ops"))
        page = client.get("/ops/queues/").content.decode()
        assert "ValueError: invalid literal for int()" in page
        assert f"?target=default:{job.id}" in page
        client.post("/ops/actions/requeue/", {"target": f"default:{job.id}", "confirm": "yes"})
        assert run_worker("maintenance").returncode == 0
        assert job.id not in failed.get_job_ids()
        assert job.id in queue.get_job_ids()
        assert Event.objects.filter(action="ops.requeue", target=f"default:{job.id}").exists()
    finally:
        queue.remove(job.id)
        Job.fetch(job.id, connection=connection).delete()


def test_dana_cannot_run_maintenance(client, committed, make_user):
    client.force_login(make_user("dana", "admin"))
    assert client.post("/ops/actions/analyze-parents/", {"confirm": "yes"}).status_code == 403
    assert client.post("/ops/partitions/timeseries.location_point/count-default/").status_code == 403


def test_an_exact_default_partition_count_is_audited(client, committed, make_user, scratch):
    scratch.execute(f"CREATE TABLE {SCRATCH}.events (at timestamptz NOT NULL) PARTITION BY RANGE (at)")
    scratch.execute(f"CREATE TABLE {SCRATCH}.events_default PARTITION OF {SCRATCH}.events DEFAULT")
    scratch.execute(f"INSERT INTO {SCRATCH}.events SELECT now() FROM generate_series(1, 7)")
    for table in ("events", "events_default"):  # the lake's tables are the owner role's
        scratch.execute(f"ALTER TABLE {SCRATCH}.{table} OWNER TO {settings.DB_OWNER_ROLE}")
    otto = make_user("otto", "ops")
    client.force_login(otto)
    response = client.post(f"/ops/partitions/{SCRATCH}.events/count-default/", follow=True)
    assert f"{SCRATCH}.events_default holds exactly 7 rows" in response.content.decode()
    event = Event.objects.filter(action="maintenance.health.count_default").order_by("-pk").first()
    assert (event.actor_id, event.target) == (otto.pk, f"{SCRATCH}.events_default")
    assert client.post("/ops/partitions/public.auth_user/count-default/").status_code == 404
