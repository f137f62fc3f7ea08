"""`manage.py lifecycle`: policies as code, the JSON plan, run and restore from the shell."""

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from audit.models import Event
from lifecycle.models import ArchivedPartition, Policy
from tests.lifecycle.conftest import add_location_history, archive_tables, location_rows


def lifecycle(*args):
    out = io.StringIO()
    call_command("lifecycle", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db(databases=["default", "owner"])
def test_policies_apply_from_yaml_and_again_from_json(tmp_path):
    yaml_file = tmp_path / "policies.yaml"
    yaml_file.write_text(
        "policies:\n"
        "  - name: location-history\n    table: timeseries.location_point\n"
        "    archive_after_days: 365\n    delete_after_days: 1825\n    quarantine_days: 14\n"
        "  - name: visits\n    table: timeseries.place_visit\n    archive_after_days: 730\n    enabled: false\n"
    )
    assert lifecycle("apply", str(yaml_file)).splitlines() == [
        "created location-history (timeseries.location_point)", "created visits (timeseries.place_visit)"]
    json_file = tmp_path / "policies.json"
    json_file.write_text(json.dumps([{"name": "location-history", "table": "timeseries.location_point",
                                      "archive_after_days": 400}]))
    assert lifecycle("apply", str(json_file)).strip() == "updated location-history (timeseries.location_point)"
    policy = Policy.objects.using("owner").get(name="location-history")
    assert (policy.archive_after_days, policy.delete_after_days, policy.quarantine_days) == (400, 1825, 14)
    assert not Policy.objects.using("owner").get(name="visits").enabled
    changed = Event.objects.using("owner").get(action="lifecycle.policy_changed")
    assert changed.details == {"changes": {"archive_after_days": [365, 400]}}


@pytest.mark.django_db(databases=["default", "owner"])
def test_a_bad_policy_file_changes_nothing_and_names_every_problem(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([
        {"name": "ok", "table": "timeseries.location_point", "archive_after_days": 365},
        {"name": "early-delete", "table": "timeseries.place_visit", "archive_after_days": 365,
         "delete_after_days": 30},
        {"name": "nowhere", "table": "public.nope", "archive_after_days": 10, "retention": 5},
    ]))
    with pytest.raises(CommandError) as error:
        lifecycle("apply", str(bad))
    message = str(error.value)
    assert "no policy was changed" in message
    assert "early-delete" in message and "comes before the data is safely archived" in message
    assert "nowhere" in message and "unknown field(s) retention" in message
    assert not Policy.objects.using("owner").exists()


@pytest.mark.usefixtures("clean_archive_schema")
def test_plan_json_run_and_restore_from_the_shell(make_user):
    alice = make_user("alice", "user")
    now = timezone.now()
    add_location_history(alice, now, months=14, per_month=3)
    before = location_rows(alice)
    Policy.objects.create(name="year", table="timeseries.location_point", archive_after_days=365)

    output = lifecycle("plan", "--json")
    plan = json.loads(output.strip().splitlines()[-1])
    assert set(plan) >= {"partitions", "rows", "bytes", "files", "drops"}
    assert plan["partitions"] >= 1 and plan["rows"] > 0 and len(plan["files"]) == plan["partitions"]
    assert archive_tables() == []

    assert "archived" in lifecycle("run", "--policy", "year")
    assert len(archive_tables()) == plan["partitions"]
    assert len(location_rows(alice)) == len(before) - plan["rows"]
    with pytest.raises(CommandError, match="no policy named 'nope'"):
        lifecycle("run", "--policy", "nope")

    for record in ArchivedPartition.objects.all():
        assert "restored" in lifecycle("restore", str(record.pk))
    assert location_rows(alice) == before
    with pytest.raises(CommandError, match="cannot be restored"):
        lifecycle("restore", str(ArchivedPartition.objects.first().pk))


@pytest.mark.usefixtures("clean_archive_schema")
def test_the_schedule_runs_each_policy_when_it_is_due(make_user):
    from lifecycle.lifecycle import run_lifecycle

    now = timezone.now()
    weekly = Policy.objects.create(name="weekly", table="timeseries.location_point", archive_after_days=365,
                                   schedule=Policy.Schedule.WEEKLY, last_run_at=now - dt.timedelta(days=2))
    daily = Policy.objects.create(name="daily", table="timeseries.place_visit", archive_after_days=365,
                                  schedule=Policy.Schedule.DAILY, last_run_at=now - dt.timedelta(days=2))
    assert run_lifecycle(now=now, scheduled=True).policy is None
    weekly.refresh_from_db()
    daily.refresh_from_db()
    assert weekly.last_run_at == now - dt.timedelta(days=2)
    assert daily.last_run_at == now
    assert run_lifecycle(now=now + dt.timedelta(hours=1), scheduled=True) is None  # nothing due: no record
