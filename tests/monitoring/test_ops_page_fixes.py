"""Ops pages say one thing, in one unit, with advice the reader can follow."""

import base64
import datetime as dt
import hashlib
import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from monitoring.snapshot import collect
from tests.monitoring.conftest import SCRATCH
from tests.monitoring.test_checks import check, make_monthly, month, texts

pytestmark = pytest.mark.django_db(databases=["default", "owner"])


def test_a_new_policy_is_not_late_before_its_first_run_and_lag_counts_from_then(scratch):
    from lifecycle.models import Policy

    make_monthly(scratch, "fresh", range(-6, 5))  # the oldest partition ended five months ago
    policy = Policy.objects.create(name="fresh-30", table=f"{SCRATCH}.fresh", archive_after_days=30)

    found = check(collect(), "retention_lag")
    assert f"{SCRATCH}.fresh" not in texts(found), "a policy made a minute ago cannot be behind yet"

    # Forty days after it was made, the daily policy has had forty chances: now it is late, from then.
    Policy.objects.filter(pk=policy.pk).update(created_at=timezone.now() - dt.timedelta(days=40))
    snap = collect()
    found = check(snap, "retention_lag")
    assert found.state == "crit"
    assert f"{SCRATCH}.fresh: its oldest partition ended {month(-5):%Y-%m-%d}" in texts(found)
    assert "40 days past policy fresh-30" in texts(found)
    # Ops cannot open Lifecycle: the advice says who can act, and what ops can check themselves.
    assert "An administrator" in found.action and "Lifecycle" in found.action
    root = next(r for r in snap["roots"] if r["label"] == f"{SCRATCH}.fresh")
    assert root["retention_state"] == "crit"


def test_the_partitions_page_shows_the_retention_lag_with_the_overviews_severity(client, otto, scratch):
    from lifecycle.models import Policy

    make_monthly(scratch, "behind", range(-6, 5))
    Policy.objects.create(name="behind-30", table=f"{SCRATCH}.behind", archive_after_days=30)
    Policy.objects.filter(name="behind-30").update(created_at=timezone.now() - dt.timedelta(days=200))
    client.force_login(otto)

    overview = client.get("/ops/").content.decode()
    partitions = client.get("/ops/partitions/").content.decode()

    assert re.search(r'id="check-retention_lag".*?<span class="state crit">critical</span>', overview, re.S)
    assert re.search(r'<div class="state crit">\d+ days behind</div>', partitions)
    assert '<div class="state warn">' not in partitions.split(f"{SCRATCH}.behind")[1].split("</tr>")[0]


def test_index_notes_leave_djangos_own_tables_alone(scratch):
    # auth_permission's content_type_id index is a prefix of its unique key: Django's choice, not ours.
    found = check(collect(), "index_health")
    assert "auth_" not in texts(found) and "django_" not in texts(found)
    scratch.execute(f"CREATE TABLE {SCRATCH}.ours (a int, b int)")
    scratch.execute(f"CREATE INDEX ours_a ON {SCRATCH}.ours (a)")
    scratch.execute(f"CREATE INDEX ours_ab ON {SCRATCH}.ours (a, b)")
    assert f"{SCRATCH}.ours_a is redundant" in texts(check(collect(), "index_health"))


def test_budgets_in_gb_are_shown_as_the_same_number_and_the_unit_is_stated(client, otto, settings, tmp_path):
    settings.STORAGE_BUDGETS_GB = {"data": 100, "archive": 500, "temp": 50}
    settings.DATA_DIR, settings.ARCHIVE_DIR, settings.TEMP_DIR = tmp_path / "d", tmp_path / "a", tmp_path / "t"
    areas = {a["area"]: a for a in collect()["storage"]}
    assert areas["data"]["budget"] == 100 * 1024**3
    client.force_login(otto)
    page = client.get("/ops/storage/").content.decode()
    assert '<td class="num">100.0\xa0GB</td>' in page and "93.1" not in page
    assert "1 GB = 1024³ bytes" in page


def test_optional_extensions_that_are_not_installed_are_grey_not_red(client, otto):
    client.force_login(otto)
    page = client.get("/ops/extensions/").content.decode()
    assert ">missing<" not in page and 'class="state fail"' not in page
    assert '<span class="state muted">not installed</span>' in page


def test_django_rqs_queue_page_runs_its_inline_script_under_our_csp(client):
    staff = get_user_model().objects.create_superuser("root", password="root-pass-123")
    client.force_login(staff)
    page = client.get("/admin/django-rq/queues/0/")
    assert page.status_code == 200
    body = re.search(r"<script type=\"text/javascript\">(.*?)</script>", page.content.decode(), re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
    policy = page["Content-Security-Policy"]
    script_src = next(p for p in policy.split(";") if p.strip().startswith("script-src"))
    assert f"'sha256-{digest}'" in script_src and "unsafe-inline" not in policy
    # Only there: our own pages keep the strict policy.
    assert "sha256-" not in client.get("/ops/").get("Content-Security-Policy", "")
