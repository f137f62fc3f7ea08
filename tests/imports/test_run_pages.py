"""The run list, the run page and its live fragment: who sees what, and what they say."""

import re

import pytest
from django.urls import reverse

from core.rls import user_scope
from imports.actions import create_run
from imports.models import ImportRun
from tests.imports.conftest import LH, make_zip, minute_points, raw_file, records_json


@pytest.fixture
def alices_run(import_files, tmp_path):
    archive = make_zip(tmp_path / "takeout-001.zip", {
        f"{LH}/Records.json": records_json(minute_points(30)),
        "Takeout/Drive/ideas.txt": b"just some notes of mine"})
    return import_files(archive)


def test_bob_cannot_see_alices_run(client, alices_run, bob):
    client.force_login(bob)
    assert client.get(reverse("imports:run", args=[alices_run.pk])).status_code == 404
    assert client.get(reverse("imports:run_status", args=[alices_run.pk])).status_code == 404
    assert f"Import #{alices_run.pk}" not in client.get(reverse("imports:list")).text


def test_alice_sees_her_run_in_the_list_and_its_report(client, alices_run, alice):
    client.force_login(alice)
    listing = client.get(reverse("imports:list")).text
    assert f"Import #{alices_run.pk}" in listing and "Succeeded" in listing

    page = client.get(reverse("imports:run", args=[alices_run.pk])).text
    assert "Location history: Records.json" in page and "2021-03-04T00:00:00" in page
    assert "ideas.txt" in page and "Not recognized as a Takeout product" in page
    assert 'hx-trigger="every 2s"' not in page  # finished: nothing left to poll


def test_an_open_run_polls_its_status_fragment(client, committed, alice, tmp_path):
    archive = make_zip(tmp_path / "t.zip", {f"{LH}/Records.json": records_json(minute_points(3))})
    run = create_run(alice, [raw_file(archive)], enqueue=False)
    client.force_login(alice)

    page = client.get(reverse("imports:run", args=[run.pk])).text
    fragment = client.get(reverse("imports:run_status", args=[run.pk])).text

    assert 'hx-trigger="every 2s"' in page and "vendor/htmx/htmx.min.js" in page
    assert "Waiting for a worker" in fragment and "<html" not in fragment


def test_people_without_the_lake_permission_get_403(client, committed, make_user, alices_run):
    otto = make_user("otto", "ops")
    client.force_login(otto)
    assert client.get(reverse("imports:list")).status_code == 403
    assert client.get(reverse("imports:run", args=[alices_run.pk])).status_code == 403


def test_create_run_records_files_in_part_order_and_audits(committed, alice, tmp_path):
    from audit.models import Event

    parts = [make_zip(tmp_path / f"takeout-00{i}.zip", {"a.json": b"{}"}) for i in (1, 2)]
    run = create_run(alice, [raw_file(p) for p in parts], enqueue=False)

    with user_scope(alice.pk):
        files = list(run.files.order_by("part").values_list("part", "original_name"))
        assert ImportRun.objects.get(pk=run.pk).status == ImportRun.Status.QUEUED
    assert files == [(1, "takeout-001.zip"), (2, "takeout-002.zip")]
    event = Event.objects.using("owner").filter(action="import.created", target=f"import_run:{run.pk}").get()
    assert event.actor_username == "alice"
    assert [f["name"] for f in event.details["files"]] == ["takeout-001.zip", "takeout-002.zip"]


def test_a_running_run_shows_members_rows_per_second_and_eta(client, committed, alice, tmp_path):
    import time

    from django.core.cache import cache

    from imports.progress import progress_key

    archive = make_zip(tmp_path / "t.zip", {f"{LH}/Records.json": records_json(minute_points(3))})
    run = create_run(alice, [raw_file(archive)], enqueue=False)
    with user_scope(alice.pk):
        ImportRun.objects.filter(pk=run.pk).update(
            status=ImportRun.Status.RUNNING, stage=ImportRun.Stage.LOADING, members_total=4, members_done=1,
            bytes_total=4_000_000, bytes_done=1_000_000, accepted=10_000, load_seconds=10.0)
    now = time.time()
    # The member in flight has read another megabyte and 10,000 rows in 10 s.
    cache.set(progress_key(run.pk), {"member": "Takeout/Records.json", "bytes": 1_000_000, "size": 2_000_000,
                                     "rows": 10_000, "since": now - 10, "at": now}, timeout=60)
    client.force_login(alice)

    fragment = client.get(reverse("imports:run_status", args=[run.pk])).text

    assert "1 of 4" in fragment
    assert "Reading <code>Takeout/Records.json</code> (50 %)" in fragment
    assert "1,000 rows/s" in fragment  # 20,000 rows in 20 s of loading
    # 2 MB to go at 100 kB/s, less the moment since the worker's report.
    assert re.search(r'about <span id="run-eta">(19|20) s</span> left', fragment)
    assert '<progress max="100" value="50">' in fragment


def test_the_report_costs_the_same_queries_for_3_or_30_unrecognized_files(client, import_files, alice, tmp_path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def run_with(n):
        files = {f"Takeout/Other/file-{i}.json": b'{"x": 1}' for i in range(n)}
        files[f"{LH}/Records.json"] = records_json(minute_points(2))
        return import_files(make_zip(tmp_path / f"t{n}.zip", files))

    small, large = run_with(3), run_with(30)
    client.force_login(alice)
    counts = []
    for run in (small, large):
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("imports:run", args=[run.pk])).text
        counts.append(len(queries))
        assert "file-2.json" in page
    assert counts[0] == counts[1]
