"""The upload page in headless Chromium when the chosen files were imported before."""

import re

import pytest

from core.rls import user_scope
from imports.models import ImportRun
from tests.uploads.test_upload_page import takeout_zip

pytestmark = pytest.mark.browser


def test_the_same_files_again_say_when_they_were_imported_and_import_again_opens_a_new_run(
        page, live_url, sign_in, make_user, tmp_path):
    alice = make_user("alice", "user")
    archive = takeout_zip(tmp_path / "takeout-20240101T000000Z-001.zip")
    sign_in(page, alice)
    page.goto(f"{live_url}/uploads/")
    page.set_input_files("#files", str(archive))
    page.click("#start")
    page.wait_for_url(re.compile(rf"{live_url}/imports/runs/\d+/"))
    first = int(page.url.rstrip("/").rsplit("/", 1)[-1])

    page.goto(f"{live_url}/uploads/")
    page.set_input_files("#files", str(archive))
    page.click("#start")
    page.wait_for_selector("#import-again")
    status = page.locator("#upload-status").inner_text()
    assert status.startswith("These files were already imported on ") and f"Import #{first}" in status
    assert page.url == f"{live_url}/uploads/"  # it stays here instead of opening the old report unasked
    page.screenshot(path=str(tmp_path / "already-imported.png"), full_page=True)

    page.click("#import-again")
    page.wait_for_url(re.compile(rf"{live_url}/imports/runs/\d+/"))
    second = int(page.url.rstrip("/").rsplit("/", 1)[-1])
    assert second != first
    with user_scope(alice.pk):
        assert ImportRun.objects.count() == 2
