"""Dana sets "archive location history after a year, delete after five" in a real browser and previews it."""

import os
from pathlib import Path

import django_rq
import pytest
from django.utils import timezone

from lifecycle import lifecycle
from lifecycle.models import Policy
from tests.lifecycle.conftest import add_location_history

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("clean_archive_schema")]
# Kept after the run so a person can look at the pages (SCREENSHOT_DIR to put them elsewhere).
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", "/tmp/dl_life-shots"))  # noqa: S108


def test_dana_sets_a_policy_is_told_why_a_contradiction_fails_and_previews_it(page, live_url, sign_in,
                                                                               make_user):
    SHOTS.mkdir(parents=True, exist_ok=True)
    django_rq.get_queue("maintenance").empty()
    dana, alice = make_user("dana", "admin"), make_user("alice", "user")
    add_location_history(alice, timezone.now(), months=14, per_month=3)
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    sign_in(page, dana)

    page.click("header nav >> text=Lifecycle")
    assert page.locator("h1").inner_text() == "Lifecycle and archive"
    page.click("text=New policy")
    page.fill("#id_name", "location-history")
    page.select_option("#id_table", "timeseries.location_point")
    page.fill("#id_archive_after_days", "365")
    page.fill("#id_delete_after_days", "300")
    page.click("button:has-text('Save policy')")
    error = page.locator("[role=alert]").first.inner_text()
    assert "comes before the data is safely archived" in error
    page.screenshot(path=str(SHOTS / "lifecycle-policy-refused.png"), full_page=True)

    page.fill("#id_delete_after_days", "1825")
    page.click("button:has-text('Save policy')")
    page.wait_for_url(f"{live_url}/lifecycle/")
    assert "location-history" in page.locator("table").first.inner_text()
    assert Policy.objects.get().delete_after_days == 1825

    page.click("text=Preview (dry run)")
    assert page.locator("h1").inner_text() == "Preview: what a run would do now"
    assert "location_point_p" in page.locator("main").inner_text()
    page.screenshot(path=str(SHOTS / "lifecycle-plan.png"), full_page=True)
    assert "delete the archive files" in page.locator("main").inner_text()

    # The run itself (a worker's job; here in-process), then the archive and its restore button.
    run = lifecycle.run_lifecycle()
    assert run.partitions_archived >= 1, run.error
    page.click("text=Back")
    assert "Detached (in quarantine)" in page.locator("main").inner_text()
    page.screenshot(path=str(SHOTS / "lifecycle-policies.png"), full_page=True)
    page.click("main table >> nth=1 >> a >> nth=0")
    assert "/part-0.parquet" in page.locator("main").inner_text()
    page.screenshot(path=str(SHOTS / "lifecycle-archive.png"), full_page=True)
    page.click("button:has-text('Restore this month')")
    assert "Restore of location_point_p" in page.locator(".flash").inner_text()
    queue = django_rq.get_queue("maintenance")
    assert [job.func_name for job in queue.jobs] == ["lifecycle.jobs.lifecycle_restore"]
    queue.empty()  # the worker side of the button is tested in test_lifecycle_pages
    assert not [p for p in problems if "Content Security Policy" in p], problems
