"""Delete-everything's redaction is the one change the append-only log admits, and only for its user."""

import json

import pytest
from django.db import connections, transaction
from django.db.utils import DatabaseError

from audit.actions import REDACTED, record_event, redact_events_of
from audit.models import Event
from core.rls import user_scope

pytestmark = pytest.mark.django_db(databases=["default", "owner"])


def test_redaction_blanks_the_content_of_her_events_only(alice, bob):
    # Each in its author's scope, as the app writes them: the database takes the actor from it.
    with user_scope(alice.pk):
        hers = record_event("upload.created", actor=alice, target="upload:1", details={"filename": "mine.zip"})
    with user_scope(bob.pk):
        his = record_event("upload.created", actor=bob, target="upload:2", details={"filename": "his.zip"})

    with user_scope(alice.pk):
        assert redact_events_of(alice) == 1

    hers_now, his_now = Event.objects.get(pk=hers.pk), Event.objects.get(pk=his.pk)
    assert hers_now.details == REDACTED
    assert (hers_now.action, hers_now.actor_id, hers_now.actor_username, hers_now.target) == (
        "upload.created", alice.pk, "alice", "upload:1")
    assert his_now.details == {"filename": "his.zip"}


def test_nobody_can_redact_another_users_events(alice, bob):
    his = record_event("upload.created", actor=bob, target="upload:2", details={"filename": "his.zip"})

    with pytest.raises(DatabaseError, match="user in scope"), user_scope(alice.pk):
        redact_events_of(bob)

    assert Event.objects.get(pk=his.pk).details == {"filename": "his.zip"}


@pytest.mark.parametrize("statement", [
    # The marker alone, without the function's flag.
    "UPDATE audit.event SET details = %(marker)s::jsonb",
    # The flag set by hand, but something besides the details changed.
    "SELECT set_config('audit.redacting', 'on', true); "
    "UPDATE audit.event SET details = %(marker)s::jsonb, action = 'forged'",
    # The flag set by hand, but the details rewritten rather than blanked.
    "SELECT set_config('audit.redacting', 'on', true); UPDATE audit.event SET details = '{\"x\": 1}'::jsonb",
])
def test_the_owner_still_cannot_rewrite_history(statement):
    record_event("policy.changed", target="policy:1", details={"from": 1}, using="owner")
    with pytest.raises(DatabaseError), transaction.atomic(using="owner"), \
            connections["owner"].cursor() as cursor:
        cursor.execute(statement, {"marker": json.dumps(REDACTED)})
    event = Event.objects.using("owner").get(action="policy.changed")
    assert event.details == {"from": 1}
