"""detect() decides by content: localized, renamed and truncated files included."""

import json
from pathlib import Path

import pytest

from sources.detect import HEAD_BYTES
from sources.location.parsers import FORMATS
from sources.registry import detect

RECORDS = b'{\n  "locations": [{\n    "latitudeE7": 525121303,\n    "timestamp": "2013-04-15T06:31:26.860Z"\n  }, {'
LEGACY = b'{\n  "locations" : [ {\n    "timestampMs" : "1437263846012",\n    "latitudeE7" : 376955289,\n'
SEMANTIC = b'{\n  "timelineObjects": [{\n    "activitySegment": {\n      "startLocation": {'
SETTINGS = b'{\n  "createdTime": "2013-05-15T21:53:59.385Z",\n  "historyEnabled": true,\n  "deviceSettings": [{'
EDITS = b'{\n  "timelineEdits": [{\n    "deviceId": "0",\n    "rawSignal": {'
ANDROID = b'{\n  "semanticSegments" : [ {\n    "startTime" : "2017-05-02T11:40:00+10:00",\n    "timelinePath" : [ {'
IOS = b'[{"endTime":"2024-01-01T18:00:00.000+02:00","startTime":"2024-01-01T12:00:00.000+02:00","visit":{"hier'
ARCHIVE_BROWSER = (
    b"<!DOCTYPE html><html><head><style>.extracted-file-name{color:#000}</style></head><body>"
    b'<div class="job-id hidden">dd79eba9</div><h1 class="header_title">Archive for someone@example.com</h1>'
)
ENCRYPTED_BACKUPS = b"You have encrypted Timeline backups stored on Google servers.\n"


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("Takeout/Location History (Timeline)/Records.json", RECORDS, "location.records"),
        ("Takeout/Standortverlauf (Zeitachse)/Einträge.json", RECORDS, "location.records"),
        ("Takeout/Location History/Location History.json", LEGACY, "location.legacy"),
        ("Takeout/Standortverlauf/Standortverlauf.json", LEGACY, "location.legacy"),
        # A Records.json from the years it too wrote only timestampMs: the name breaks the tie.
        ("Takeout/Location History/Records.json", LEGACY, "location.records"),
        ("Takeout/Location History/Semantic Location History/2023/2023_APRIL.json", SEMANTIC, "location.semantic"),
        ("Takeout/Historial de ubicaciones/Historial semántico/2023/2023_ABRIL.json", SEMANTIC, "location.semantic"),
        ("Takeout/Location History (Timeline)/Settings.json", SETTINGS, "location.settings"),
        ("Takeout/Zeitachse/Einstellungen.json", SETTINGS, "location.settings"),
        ("Takeout/Location History (Timeline)/Timeline Edits.json", EDITS, "location.timeline_edits"),
        ("Timeline.json", ANDROID, "location.android"),
        ("Zeitachse (1).json", ANDROID, "location.android"),
        ("export.json", b'{"rawSignals": [{"position": {}}]}', "location.android"),
        ("location-history.json", IOS, "location.ios"),
        ("Standortverlauf-iPhone.json", IOS, "location.ios"),
        ("Takeout/archive_browser.html", ARCHIVE_BROWSER, "info.archive_browser"),
        ("Takeout/Archiv_Übersicht.html", ARCHIVE_BROWSER, "info.archive_browser"),
        (
            "Takeout/Archiv_U\u0308bersicht.html",
            b"<!DOCTYPE html><html><head><title>Google</title>",
            "info.archive_browser",
        ),
        ("Takeout/Location History (Timeline)/Encrypted Backups.txt", ENCRYPTED_BACKUPS, "info.encrypted_backups"),
        ("Takeout/Zeitachse/Verschlüsselte Sicherungen.txt", ENCRYPTED_BACKUPS, "info.encrypted_backups"),
        (
            "Takeout/Location History (Timeline)/Encrypted Backups.txt",
            "Sie haben verschlüsselte Zeitachsen-Sicherungen auf Google-Servern.".encode(),
            "info.encrypted_backups",
        ),
    ],
)
def test_detects_by_content(name, head, expected):
    assert detect(name, head) == expected


@pytest.mark.parametrize("head", [RECORDS, LEGACY, SEMANTIC, SETTINGS, EDITS, ANDROID, IOS])
def test_bom_and_leading_whitespace_do_not_matter(head):
    name = "Takeout/Location History/Location History.json"
    assert detect(name, b"\xef\xbb\xbf \r\n\t" + head) == detect(name, head) is not None


def test_products_are_parsers_or_notices():
    for head in (RECORDS, LEGACY, SEMANTIC, SETTINGS, EDITS, ANDROID, IOS):
        assert detect("x.json", head) in FORMATS


def test_first_records_keys_are_what_counts_not_a_word_in_a_string():
    head = json.dumps({"title": 'contains "locations": [ and "timelineObjects"', "deviceSettings_note": 1}).encode()
    assert detect("Records.json", head) is None
    nested = json.dumps({"data": {"locations": [{"timestamp": "x"}]}}).encode()
    assert detect("Records.json", nested) is None


@pytest.mark.parametrize(
    ("name", "head"),
    [
        ("Records.json", b""),
        ("Records.json", b"   \n"),
        ("Records.json", b"\x00\x01\x02 binary"),
        ("Records.json", b"{}"),
        ("Records.json", b"[]"),
        ("Records.json", b"[" * HEAD_BYTES),
        ("Records.json", b'{"a": ' + b"[" * 100_000),
        ("Records.json", b"NaN"),
        ("location-history.json", b'[{"startTime": "2024-01-01T00:00:00Z", "other": 1}]'),
        ("Takeout/archive_browser.txt", b"just some notes"),
        ("Takeout/Drive/page.html", b"<html><body>hello</body></html>"),
        ("Encrypted Backups.txt", b"x" * 5000),
    ],
)
def test_anything_else_is_none(name, head):
    assert detect(name, head) is None


def test_a_head_cut_anywhere_still_decides_or_returns_none():
    for head, expected in ((RECORDS, "location.records"), (ANDROID, "location.android"), (IOS, "location.ios")):
        decided = {detect("file.json", head[:n]) for n in range(len(head) + 1)}
        assert decided <= {expected, None}
        assert detect("file.json", head) == expected


@pytest.fixture
def samples(shared_samples) -> Path:
    return shared_samples


@pytest.mark.parametrize(
    ("sample", "name", "expected"),
    [
        ("records-reitti.json", "Takeout/Location History (Timeline)/Records.json", "location.records"),
        ("location-history-legacy-dogsheep.json", "Takeout/Location History/Location History.json", "location.legacy"),
        (
            "semantic-2013-dawarich.json",
            "Takeout/Location History/Semantic Location History/2013/2013_DECEMBER.json",
            "location.semantic",
        ),
        ("timeline-android-reitti.json", "Timeline.json", "location.android"),
        ("my-activity-search-dogsheep.json", "Takeout/My Activity/Search/My Activity.json", "activity.json"),
        ("my-activity-maps-dogsheep.json", "Takeout/Meine Aktivitäten/Maps/MeineAktivitäten.json", "activity.json"),
        ("my-activity-chrome-purarue.html", "Takeout/My Activity/Chrome/MyActivity.html", "activity.html"),
        # Imported by sources/photos.
        ("photos-sidecar-old-immichgo.json", "Takeout/Google Photos/x/PXL_20231006_063851485.jpg.json",
         "photos.sidecar"),
        ("photos-sidecar-2025-immichgo.json", "Takeout/Google Photos/Photos from 2025/x.supplemental-metadata.json",
         "photos.sidecar"),
        ("photos-album-métadonnées-immichgo.json", "Takeout/Google Photos/Album/métadonnées.json", "photos.album"),
    ],
)
def test_real_samples(samples, sample, name, expected):
    head = (samples / sample).read_bytes()[:HEAD_BYTES]
    assert detect(name, head) == expected
    # The sample's own (made-up) file name changes nothing.
    assert detect(sample, head) == expected


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("Takeout/Tasks/Tasks.json", b'{"kind": "tasks#taskLists", "items": [{"kind": "tasks#taskList", "id": "M"}]}',
         "tasks.lists"),
        ("Takeout/Google Chat/Groups/DM abc/messages.json", b'{"messages": [{"creator": {"name": "A"}, '
         b'"created_date": "Monday, 1 January 2024 at 10:00:00 UTC", "text": "hi"}]}', "chat.messages"),
    ],
)
def test_products_not_imported_yet_are_recognized_by_content(name, head, expected):
    assert detect(name, head) == expected
