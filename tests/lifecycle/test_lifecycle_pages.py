"""The lifecycle console: admins only; validation that explains; preview, run and restore buttons."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from core.bootstrap import admin_connect
from lifecycle import lifecycle
from lifecycle.models import ArchivedPartition, LifecycleRun, Policy
from tests.lifecycle.conftest import add_location_history, attached_partitions, location_rows

PAGES = [
    ("get", "lifecycle:policies", {}),
    ("get", "lifecycle:policy_new", {}),
    ("get", "lifecycle:policy_edit", {"policy_id": "POLICY"}),
    ("post", "lifecycle:policy_edit", {"policy_id": "POLICY"}),
    ("post", "lifecycle:policy_delete", {"policy_id": "POLICY"}),
    ("get", "lifecycle:plan", {}),
    ("post", "lifecycle:run", {}),
    ("get", "lifecycle:archive", {"archive_id": "ARCHIVE"}),
    ("post", "lifecycle:restore", {"archive_id": "ARCHIVE"}),
]


def _url(name, kwargs, policy, archive):
    values = {"POLICY": policy.pk, "ARCHIVE": archive.pk}
    return reverse(name, kwargs={k: values[v] for k, v in kwargs.items()})


@pytest.fixture
def policy_and_archive(db):
    # Only the owner connection may write archive records, and the pages read
    # them through the app's: commit them on a connection of their own.
    with admin_connect(dbname=settings.DATABASES["default"]["NAME"]) as conn:
        policy_id = conn.execute(
            "INSERT INTO ops.lifecycle_policy (name, enabled, \"table\", archive_after_days, quarantine_days,"
            " schedule, created_at, updated_at) VALUES ('year', true, 'timeseries.location_point', 365, 7,"
            " 'daily', now(), now()) RETURNING id").fetchone()[0]
        archive_id = conn.execute(
            "INSERT INTO ops.archived_partition (policy_id, table_label, partition_name, period_start, period_end,"
            " state, rows, table_bytes, file_bytes, created_at, error) VALUES (%s, 'timeseries.location_point',"
            " 'location_point_p2020_01', %s, %s, 'dropped', 0, 0, 0, now(), '') RETURNING id",
            [policy_id, timezone.datetime(2020, 1, 1, tzinfo=timezone.UTC),
             timezone.datetime(2020, 2, 1, tzinfo=timezone.UTC)]).fetchone()[0]
    yield Policy.objects.get(pk=policy_id), ArchivedPartition.objects.get(pk=archive_id)
    with admin_connect(dbname=settings.DATABASES["default"]["NAME"]) as conn:
        conn.execute("DELETE FROM ops.archived_partition WHERE id = %s", [archive_id])
        conn.execute("DELETE FROM ops.lifecycle_policy WHERE id = %s", [policy_id])


@pytest.mark.django_db(databases=["default", "owner"])
@pytest.mark.parametrize(("method", "name", "kwargs"), PAGES)
@pytest.mark.parametrize("persona", ["alice", "otto"])
def test_users_and_ops_cannot_see_or_change_policies(client, request, persona, method, name, kwargs,
                                                      policy_and_archive):
    person = request.getfixturevalue(persona)
    client.force_login(person)
    response = getattr(client, method)(_url(name, kwargs, *policy_and_archive),
                                       {"name": "changed", "archive_after_days": 1})
    assert response.status_code == 403
    assert Policy.objects.get().name == "year"
    assert ArchivedPartition.objects.get().state == ArchivedPartition.State.DROPPED


@pytest.mark.django_db(databases=["default", "owner"])
def test_dana_creates_a_policy_and_the_change_is_audited(client, dana):
    client.force_login(dana)
    assert client.get(reverse("lifecycle:policies")).status_code == 200
    response = client.post(reverse("lifecycle:policy_new"), {
        "name": "location-history", "enabled": "on", "table": "timeseries.location_point",
        "archive_after_days": 365, "delete_after_days": 1825, "quarantine_days": 7, "schedule": "daily"})
    assert response.status_code == 302, response.content.decode()[:2000]
    policy = Policy.objects.get()
    assert (policy.archive_after_days, policy.delete_after_days) == (365, 1825)
    event = Event.objects.get(action="lifecycle.policy_created")
    assert (event.actor_username, event.target) == ("dana", "policy:location-history")


@pytest.mark.django_db(databases=["default", "owner"])
def test_delete_before_archive_is_refused_and_the_page_says_why(client, dana):
    client.force_login(dana)
    response = client.post(reverse("lifecycle:policy_new"), {
        "name": "contradiction", "enabled": "on", "table": "timeseries.location_point",
        "archive_after_days": 365, "delete_after_days": 100, "quarantine_days": 7, "schedule": "daily"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Delete after (100 days) comes before the data is safely archived" in page
    assert "Use at least 372 days" in page
    assert not Policy.objects.exists()


@pytest.fixture
def worker_env(child_env):
    """Workers must find the same archive tree and keys as this test."""
    child_env.update(ARCHIVE_DIR=str(settings.ARCHIVE_DIR), KEYS_DIR=str(settings.KEYS_DIR),
                     MASTER_KEY_FILE=str(settings.MASTER_KEY_FILE))
    return child_env


@pytest.mark.usefixtures("clean_archive_schema", "worker_env")
def test_dana_previews_runs_and_restores_with_the_buttons(client, make_user, run_worker):
    dana, alice = make_user("dana", "admin"), make_user("alice", "user")
    now = timezone.now()
    add_location_history(alice, now, months=14, per_month=3)
    before = location_rows(alice)
    Policy.objects.create(name="location-year", table="timeseries.location_point", archive_after_days=365)
    client.force_login(dana)

    preview = client.get(reverse("lifecycle:plan")).content.decode()
    plan = lifecycle.make_plan()
    assert plan.archives
    for item in plan.archives:
        assert item.partition.name in preview
        assert item.files[0] in preview

    assert client.post(reverse("lifecycle:run")).status_code == 302
    worker = run_worker("maintenance")
    assert worker.returncode == 0, worker.stderr[-2000:]
    run = LifecycleRun.objects.get(kind=LifecycleRun.Kind.ARCHIVE)
    assert run.outcome == LifecycleRun.Outcome.OK, run.error
    assert Event.objects.filter(action="lifecycle.run_requested", actor_username="dana").exists()
    record = ArchivedPartition.objects.order_by("period_start").first()
    assert record.state == ArchivedPartition.State.DETACHED
    assert len(location_rows(alice)) < len(before)

    page = client.get(reverse("lifecycle:archive", args=[record.pk])).content.decode()
    assert "Restore this month" in page and record.files.first().relative_path in page
    for archived in ArchivedPartition.objects.all():
        assert client.post(reverse("lifecycle:restore", args=[archived.pk])).status_code == 302
    worker = run_worker("maintenance")
    assert worker.returncode == 0, worker.stderr[-2000:]
    assert set(ArchivedPartition.objects.values_list("state", flat=True)) == {ArchivedPartition.State.RESTORED}
    assert record.partition_name in attached_partitions()
    assert location_rows(alice) == before
