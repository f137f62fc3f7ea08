"""What most new Takeouts hold: Settings.json, Timeline Edits without positions and
Encrypted Backups.txt. The run must say where the timeline went, not just "Succeeded"."""

import json

from django.test import Client
from django.urls import reverse

from imports.models import ImportRun
from tests.imports.conftest import LH, make_zip, minute_points, records_json

BACKUPS = b"You have encrypted Timeline backups stored on Google servers.\n"
SETTINGS = json.dumps({"deviceSettings": [{"deviceTag": 1234, "devicePrettyName": "Pixel 7",
                                           "platformType": "ANDROID"}]}).encode()
# Timeline Edits of a new Takeout: wifi scans and activity records, no position among them.
EDITS = json.dumps({"timelineEdits": [
    {"deviceId": "1", "rawSignal": {"signal": {"wifiScan": {"deliveryTime": "2024-01-01T00:00:00Z"}}}},
    {"deviceId": "1", "rawSignal": {"signal": {"activityRecord": {"timestamp": "2024-01-01T00:01:00Z"}}}},
]}).encode()


def test_settings_edits_and_the_backups_note_end_with_the_phone_export_guidance(import_files, alice, tmp_path):
    archive = make_zip(tmp_path / "takeout-001.zip", {
        f"{LH}/Settings.json": SETTINGS,
        f"{LH}/Timeline Edits.json": EDITS,
        f"{LH}/Encrypted Backups.txt": BACKUPS,
    })

    run = import_files(archive)

    assert run.status == ImportRun.Status.SUCCEEDED  # the device names were read: nothing failed
    assert len(run.notices) == 1 and "export it on the phone" in run.notices[0]
    assert run.notices[0].startswith("This export holds no location history")
    client = Client()
    client.force_login(alice)
    page = client.get(reverse("imports:run", args=[run.pk])).content.decode()
    assert 'id="run-headline"' in page and "Export Timeline data" in page


def test_the_guidance_stays_away_when_the_export_did_hold_location_points(import_files, alice, tmp_path):
    archive = make_zip(tmp_path / "takeout-001.zip", {
        f"{LH}/Records.json": records_json(minute_points(5)),
        f"{LH}/Settings.json": SETTINGS,
        f"{LH}/Encrypted Backups.txt": BACKUPS,
    })

    run = import_files(archive)

    assert run.status == ImportRun.Status.SUCCEEDED and run.accepted >= 5
    assert run.notices == []


def test_the_same_points_already_in_the_lake_do_not_count_as_no_location_history(import_files, alice, tmp_path):
    archive = make_zip(tmp_path / "takeout-001.zip", {
        f"{LH}/Records.json": records_json(minute_points(5)), f"{LH}/Encrypted Backups.txt": BACKUPS})
    import_files(archive)

    again = import_files(archive)

    assert again.duplicates == 5 and again.notices == []
