"""The run page in headless Chromium: it follows a run live (htmx) and then shows the report."""

import time

import pytest
from django.core.cache import cache
from django.utils import timezone

from core.rls import user_scope
from imports.actions import create_run
from imports.models import ImportRun
from imports.pipeline import process_run
from imports.progress import progress_key
from tests.imports.conftest import LH, make_zip, minute_points, raw_file, records_json

pytestmark = pytest.mark.browser


def test_the_run_page_follows_a_run_from_waiting_to_its_report(page, live_url, sign_in, alice, tmp_path):
    bad = {"timestamp": "2021-03-04T05:00:00Z", "latitudeE7": 990000000, "longitudeE7": 1}
    records = records_json(minute_points(40))[:-2] + b", " + str(bad).replace("'", '"').encode() + b"]}"
    archive = make_zip(tmp_path / "takeout-001.zip", {
        f"{LH}/Records.json": records,
        f"{LH}/Encrypted Backups.txt": b"You have encrypted Timeline backups stored on Google servers."})
    run = create_run(alice, [raw_file(archive)], enqueue=False)
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    sign_in(page, alice)

    page.goto(f"{live_url}/imports/runs/{run.pk}/")
    assert page.locator("#run-stage").inner_text() == "Waiting for a worker"
    # A worker picks it up and reports progress: the page follows without a reload.
    with user_scope(alice.pk):
        ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.RUNNING, stage=ImportRun.Stage.LOADING,
                                                   started_at=timezone.now(), members_total=2, bytes_total=2000)
    cache.set(progress_key(run.pk), {"member": f"{LH}/Records.json", "bytes": 500, "size": 1000, "rows": 20,
                                     "since": time.time() - 2, "at": time.time()}, timeout=60)
    page.locator("#run-rate").filter(has_text="rows/s").wait_for(timeout=15_000)
    assert page.locator("#run-stage").inner_text() == "Loading members"
    page.screenshot(path=str(tmp_path / "running.png"), full_page=True)
    with user_scope(alice.pk):
        ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.QUEUED)
    process_run(run.pk)
    # No reload: the htmx poll swaps the finished fragment in within a few seconds.
    page.locator("#report-products").wait_for(timeout=15_000)

    assert "Succeeded" in page.locator(".run-summary").inner_text()
    products = page.locator("#report-products").inner_text()
    assert "Location history: Records.json" in products and "40" in products
    page.click("#report-rejections summary")
    assert "latitude_out_of_range" in page.locator("#report-rejections").inner_text()
    assert "backups themselves are not part of Takeout" in page.locator("#report-skipped").inner_text()
    assert [e for e in errors if "Refused" in e or "Content Security Policy" in e] == []
    assert page.evaluate("typeof window.htmx") == "object"
    page.screenshot(path=str(tmp_path / "run.png"), full_page=True)

    page.click("text=Imports")
    assert f"Import #{run.pk}" in page.locator("table.import-runs").inner_text()
    page.screenshot(path=str(tmp_path / "list.png"), full_page=True)
