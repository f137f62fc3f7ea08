"""The audit log is append-only for the app role and, by trigger, for the owner too."""

import pytest
from django.db import connections, transaction
from django.db.utils import DatabaseError

from audit.actions import record_event
from audit.models import Event

pytestmark = pytest.mark.django_db(databases=["default", "owner"])


def test_record_event_stores_who_what_target_and_where(rf, alice):
    request = rf.post("/x", REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="pytest")
    request.user = alice
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
