"""The upload page in headless Chromium: choose files, watch progress, land on the run, read the report."""

import hashlib
import io
import json
import os
import re
import time
import zipfile

import pytest
from django.conf import settings
from django.utils import timezone

from core.rls import user_scope
from imports.models import ImportRun
from uploads.models import Upload, UploadBatch

pytestmark = pytest.mark.browser
STATUS_URL = re.compile(r"/uploads/batches/\d+/$")
TUS_UPLOAD_URL = re.compile(r"/uploads/tus/[0-9a-f-]{36}$")


def takeout_zip(path, points=60):
    locations = [{"timestamp": f"2021-03-04T{i // 60:02d}:{i % 60:02d}:00.000Z", "latitudeE7": 480000000 + i,
                  "longitudeE7": 20000000 + i, "accuracy": 10, "source": "GPS"} for i in range(points)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Takeout/Location History (Timeline)/Records.json", json.dumps({"locations": locations}))
        archive.writestr("Takeout/archive_browser.html", "<html><body>Takeout</body></html>")
    path.write_bytes(buffer.getvalue())
    return path


def test_alice_uploads_a_takeout_sees_it_reach_100_percent_and_reads_the_report(
        page, live_url, sign_in, make_user, run_worker, tmp_path):
    alice = make_user("alice", "user")
    archive = takeout_zip(tmp_path / "takeout-20240101T000000Z-001.zip")
    sign_in(page, alice)
    page.click("header nav >> text=Upload")
    page.wait_for_url(f"{live_url}/uploads/")
    page.screenshot(path=str(tmp_path / "upload-empty.png"), full_page=True)

    page.set_input_files("#files", str(archive))
    assert page.locator(".file-row .file-name").inner_text() == archive.name
    # Hold the page's first "how is my batch?" request so the finished bars can be seen.
    held = []

    def hold(route):
        held.append(route)

    page.route(STATUS_URL, hold)
    page.click("#start")
    page.wait_for_function("() => document.querySelector('.file-row progress').value === 100")
    page.wait_for_selector(".file-row.is-done")  # the server acknowledged the last byte
    assert page.locator(".file-pct").inner_text() == "100 %"
    assert "on the server" in page.locator(".file-note").inner_text()
    page.screenshot(path=str(tmp_path / "upload-done.png"), full_page=True)
    deadline = time.monotonic() + 10
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert held, "the page asks for its batch's run once every file is on the server"
    page.unroute(STATUS_URL, hold)  # lets the held request through

    page.wait_for_url(re.compile(rf"{live_url}/imports/runs/\d+/"))
    run_id = int(page.url.rstrip("/").rsplit("/", 1)[-1])
    finished = run_worker("imports")
    assert finished.returncode == 0, finished.stderr[-2000:]
    page.reload()

    report = page.locator("#report-products").inner_text()
    assert "Location history: Records.json" in report and "60" in report
    assert archive.name in page.locator("main").inner_text()
    page.screenshot(path=str(tmp_path / "run-report.png"), full_page=True)
    with user_scope(alice.pk):
        run = ImportRun.objects.get(pk=run_id)
        assert run.status == ImportRun.Status.SUCCEEDED
        assert UploadBatch.objects.get().import_run_id == run_id


def test_a_full_quota_is_explained_before_anything_is_sent(page, live_url, sign_in, make_user, settings, tmp_path):
    alice = make_user("alice", "user")
    with user_scope(alice.pk):
        batch = UploadBatch.objects.create(user=alice)
        Upload.objects.create(user=alice, batch=batch, filename="huge.zip", size=settings.USER_QUOTA_BYTES - 100,
                              expires_at=timezone.now())
    archive = takeout_zip(tmp_path / "takeout-001.zip")
    sign_in(page, alice)
    page.goto(f"{live_url}/uploads/")

    page.set_input_files("#files", str(archive))

    alert = page.locator("[role=alert]#upload-error")
    assert alert.is_visible()
    assert "only 100 bytes of your quota is free" in alert.inner_text()
    assert page.locator("#start").is_disabled()
    page.screenshot(path=str(tmp_path / "upload-quota.png"), full_page=True)
    with user_scope(alice.pk):
        assert Upload.objects.count() == 1

    page.click("text=Discard unfinished")  # the way out the message points to
    page.wait_for_url(f"{live_url}/uploads/")
    assert "Discarded 1 unfinished upload;" in page.locator(".flash").inner_text()
    page.set_input_files("#files", str(archive))
    assert page.locator("#upload-error").is_hidden()
    assert page.locator("#start").is_enabled()
    page.screenshot(path=str(tmp_path / "upload-discarded.png"), full_page=True)
    with user_scope(alice.pk):
        assert Upload.objects.get().state == "cancelled"


def test_a_reload_mid_upload_resumes_from_the_servers_offset(page, live_url, sign_in, make_user, tmp_path):
    alice = make_user("alice", "user")
    source = tmp_path / "takeout-20240101T000000Z-001.zip"
    source.write_bytes(os.urandom(40 * 2**20))  # two chunks of the page's 32 MiB
    sign_in(page, alice)
    page.goto(f"{live_url}/uploads/")
    patches = []

    def cut_the_second_chunk(route):
        patches.append(route.request.headers.get("upload-offset"))
        if len(patches) == 1:
            route.continue_()  # the second one hangs until the page is gone

    page.route(TUS_UPLOAD_URL, cut_the_second_chunk)
    page.set_input_files("#files", str(source))
    page.click("#start")
    page.wait_for_function("() => document.querySelector('.file-pct').textContent !== '0 %'")
    deadline = time.monotonic() + 60
    while len(patches) < 2 and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert patches == ["0", str(32 * 2**20)]
    with user_scope(alice.pk):
        assert Upload.objects.get().upload_offset == 32 * 2**20  # the first chunk is durable

    page.reload()
    page.unroute(TUS_UPLOAD_URL, cut_the_second_chunk)
    with user_scope(alice.pk):
        assert Upload.objects.get().upload_offset == 32 * 2**20  # the held chunk never arrived
    creations = []
    page.on("request", lambda r: creations.append(r.url) if r.method == "POST" and "/uploads/tus/" in r.url else None)
    page.set_input_files("#files", str(source))
    page.click("#start")
    page.wait_for_url(re.compile(rf"{live_url}/imports/runs/\d+/"), timeout=60_000)

    assert creations == []  # no new upload: the old one was found and continued
    with user_scope(alice.pk):
        upload = Upload.objects.get()
        assert (upload.state, upload.sha256) == ("complete", hashlib.sha256(source.read_bytes()).hexdigest())
        assert UploadBatch.objects.count() == 1


def test_files_dropped_on_the_page_are_listed_once_and_can_be_removed(page, live_url, sign_in, make_user):
    alice = make_user("alice", "user")
    sign_in(page, alice)
    page.goto(f"{live_url}/uploads/")

    for _ in range(2):  # dropping the same file twice lists it once
        dropped = page.evaluate_handle("""() => {
            const data = new DataTransfer();
            data.items.add(new File(['{"semanticSegments": []}'], 'Timeline.json',
                                    {type: 'application/json', lastModified: 1700000000000}));
            return data;
        }""")
        page.dispatch_event("#dropzone", "drop", {"dataTransfer": dropped})

    assert page.locator(".file-row .file-name").all_inner_texts() == ["Timeline.json"]
    assert page.locator("#start").is_enabled()
    page.click("text=Remove")
    assert page.locator(".file-row").count() == 0
    assert page.locator("#start").is_disabled()


def test_cancel_mid_upload_deletes_the_upload_and_frees_its_space(page, live_url, sign_in, make_user, tmp_path):
    alice = make_user("alice", "user")
    source = tmp_path / "takeout-001.zip"
    source.write_bytes(os.urandom(40 * 2**20))
    sign_in(page, alice)
    page.goto(f"{live_url}/uploads/")
    patches = []

    def hold_the_second_chunk(route):
        if route.request.method == "PATCH":
            patches.append(route.request.headers.get("upload-offset"))
            if len(patches) > 1:
                return  # hangs until the page cancels it
        route.continue_()

    page.route(TUS_UPLOAD_URL, hold_the_second_chunk)
    page.set_input_files("#files", str(source))
    page.click("#start")
    deadline = time.monotonic() + 60
    while len(patches) < 2 and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert patches == ["0", str(32 * 2**20)]
    assert page.locator("#cancel").is_visible()
    page.screenshot(path=str(tmp_path / "upload-running.png"), full_page=True)

    page.click("#cancel")
    page.wait_for_selector(".flash")

    assert page.locator(".flash").inner_text() == "Upload cancelled; nothing of it is kept."
    page.screenshot(path=str(tmp_path / "upload-cancelled.png"), full_page=True)
    with user_scope(alice.pk):
        upload = Upload.objects.get()
        assert upload.state == "cancelled"
        assert UploadBatch.objects.get().state == "abandoned"
    assert not (settings.TEMP_DIR / "uploads" / f"{upload.pk}.part").exists()
    assert "Abandoned" in page.locator(".recent").inner_text()
    assert page.locator("#file-list .file-row").count() == 0
