"""The audit log is append-only for the app role and, by trigger, for the owner too."""

import datetime as dt

import pytest
from django.conf import settings
from django.db import connections, transaction
from django.db.utils import DatabaseError
from django.utils import timezone

from audit.actions import record_event
from audit.models import Event
from core.rls import user_scope

pytestmark = pytest.mark.django_db(databases=["default", "owner"])


def test_record_event_stores_who_what_target_and_where(rf, alice):
    request = rf.post("/x", REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="pytest")
    request.user = alice
    with user_scope(alice.pk):  # as the middleware does for her requests
        event = record_event("upload.created", target="upload:5", details={"bytes": 10}, request=request)
    stored = Event.objects.get(pk=event.pk)
    assert (stored.actor_id, stored.actor_username, stored.action, stored.target) == (
        alice.pk, "alice", "upload.created", "upload:5")
    assert (stored.remote_addr, stored.user_agent, stored.details) == ("203.0.113.9", "pytest", {"bytes": 10})
    assert stored.at is not None


@pytest.mark.parametrize("alias", ["default", "owner"])
@pytest.mark.parametrize("statement", [
    "UPDATE audit.event SET action = 'forged'",
    "DELETE FROM audit.event",
    "TRUNCATE audit.event",
])
def test_nobody_can_rewrite_history(alias, statement):
    # Written on the same connection, so the statement sees the row it targets.
    record_event("policy.changed", target="policy:1", using=alias)
    with pytest.raises(DatabaseError), transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        cursor.execute(statement)
    assert Event.objects.using(alias).filter(action="policy.changed").count() == 1


def test_admins_can_filter_the_log(client, dana):
    record_event("import.finished", target="run:1")
    record_event("policy.changed", target="policy:2")
    client.force_login(dana)
    response = client.get("/audit/", {"action": "policy."})
    assert [e.action for e in response.context["page"]] == ["policy.changed"]


FORGED = ("INSERT INTO audit.event (at, actor_id, actor_username, action, target, user_agent, details, db_role)"
          " VALUES (%s, %s, %s, 'lifecycle.policy_deleted', 'policy:1', '', '{}', 'postgres') RETURNING id")
BACKDATED = dt.datetime(2001, 1, 1, tzinfo=dt.UTC)


def _forge(alias, actor):
    with connections[alias].cursor() as cursor:
        cursor.execute(FORGED, [BACKDATED, actor.pk, actor.username])
        return Event.objects.using(alias).get(pk=cursor.fetchone()[0])


def test_the_app_role_cannot_backdate_or_write_in_another_actors_name(alice, bob):
    with user_scope(bob.pk):
        event = _forge("default", alice)
    # Bob's transaction wrote it: the record says Bob, now, and the app role.
    assert (event.actor_id, event.actor_username, event.db_role) == (bob.pk, "bob", settings.DB_APP_ROLE)
    assert abs(event.at - timezone.now()) < dt.timedelta(minutes=5)


def test_without_a_user_scope_the_app_role_records_no_actor(alice):
    event = _forge("default", alice)
    assert (event.actor_id, event.actor_username) == (None, "")
    assert event.at > BACKDATED


def test_record_event_cannot_name_someone_else_either(alice, bob):
    with user_scope(bob.pk):
        event = record_event("device.renamed", actor=alice, target="device:1")
    stored = Event.objects.get(pk=event.pk)
    assert (stored.actor_id, stored.actor_username) == (bob.pk, "bob")


def test_the_owner_keeps_the_actor_its_job_names_but_not_the_time(dana):
    # Owner jobs run on an admin's behalf, outside any user scope; the time is still the database's.
    event = _forge("owner", dana)
    assert (event.actor_id, event.actor_username, event.db_role) == (dana.pk, "dana", settings.DB_OWNER_ROLE)
    assert event.at > BACKDATED
