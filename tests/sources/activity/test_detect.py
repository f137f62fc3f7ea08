"""My Activity's detection signatures: by content, whatever the file's (localized) name."""

import json
from pathlib import Path

import pytest

from sources.activity.detect import detect
from sources.detect import HEAD_BYTES, Head
from sources.location.detect import detect as location_detect

ENTRY = {"header": "YouTube", "title": "Watched Funny cats", "titleUrl": "https://www.youtube.com/watch?v=abc",
         "subtitles": [{"name": "Cat Channel"}], "time": "2024-03-01T10:00:00.123Z", "products": ["YouTube"],
         "activityControls": ["YouTube watch history"]}
ACTIVITY_JSON = json.dumps([ENTRY, ENTRY], indent=2).encode()
GEMINI_JSON = json.dumps([{"header": "Gemini Apps", "title": "Prompted hi", "time": "2025-01-01T00:00:00.000Z",
                           "products": ["Gemini Apps"]}]).encode()
OLD_CHROME_JSON = json.dumps([{"title": "Visited x", "time": "2016-01-01T00:00:00Z", "products": ["Chrome"]}]).encode()
ACTIVITY_HTML = (
    b'<html><head><title>My Activity</title><style type="text/css">.content-cell.mdl-cell {color: #000;}'
    b".header-cell.mdl-cell {border: 0;}</style></head><body><div class=\"mdl-grid\">"
    b'<div class="outer-cell mdl-cell mdl-cell--12-col mdl-shadow--2dp"><div class="mdl-grid">'
)
IOS = b'[{"endTime":"2024-01-01T18:00:00.000+02:00","startTime":"2024-01-01T12:00:00.000+02:00","visit":{"hier'
ARCHIVE_BROWSER = (
    b"<!DOCTYPE html><html><head><style>.extracted-file-name{color:#000}</style></head><body>"
    b'<div class="job-id hidden">dd79eba9</div><div class="outer-cell content-cell">My Activity</div>'
)


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("Takeout/My Activity/YouTube/My Activity.json", ACTIVITY_JSON, "activity.json"),
        ("Takeout/Meine Aktivitäten/YouTube/MeineAktivitäten.json", ACTIVITY_JSON, "activity.json"),
        ("Takeout/YouTube and YouTube Music/history/watch-history.json", ACTIVITY_JSON, "activity.json"),
        ("Takeout/My Activity/Gemini Apps/MyActivity.json", GEMINI_JSON, "activity.json"),
        ("Takeout/My Activity/Chrome/MyActivity.json", OLD_CHROME_JSON, "activity.json"),
        ("renamed.json", b"\xef\xbb\xbf\n  " + ACTIVITY_JSON, "activity.json"),
        ("Takeout/My Activity/Search/MyActivity.html", ACTIVITY_HTML, "activity.html"),
        ("Takeout/Mes activités/Recherche/MesActivités.html", ACTIVITY_HTML, "activity.html"),
        ("Takeout/YouTube and YouTube Music/history/watch-history.html", ACTIVITY_HTML, "activity.html"),
        # Not ours.
        ("location-history.json", IOS, None),
        ("Takeout/Chrome/BrowserHistory.json", b'{"Browser History": [{"title": "x", "time_usec": 1}]}', None),
        ("Takeout/My Activity/Chrome/MyActivity.json",
         b'[{"header": "Chrome", "title": "Visited", "time": "2020-01-01T00:00:00Z"}]', None),
        ("Takeout/YouTube/Playlists/Liked videos.json", b'[{"kind": "youtube#playlistItem", "snippet": {}}]', None),
        ("Takeout/archive_browser.html", ARCHIVE_BROWSER, None),
        ("Takeout/archive_browser.html", b'<html><div class="outer-cell">My Activity</div></html>', None),
        ("Takeout/Archiv_Übersicht.html", ACTIVITY_HTML, None),
        ("Takeout/Drive/page.html", b"<html><body>hello</body></html>", None),
        ("x.json", b"[]", None),
        ("x.json", b"[" * HEAD_BYTES, None),
        ("x.txt", b"time header products", None),
    ],
)
def test_detects_by_content(name, head, expected):
    assert detect(Head(name, head)) == expected


def test_a_head_cut_anywhere_decides_or_returns_none():
    decided = {detect(Head("x.json", ACTIVITY_JSON[:n])) for n in range(len(ACTIVITY_JSON) + 1)}
    assert decided == {"activity.json", None}


def test_location_signatures_leave_my_activity_alone():
    for head in (ACTIVITY_JSON, GEMINI_JSON, OLD_CHROME_JSON, ACTIVITY_HTML):
        assert location_detect(Head("x", head)) is None


@pytest.fixture
def samples(shared_samples) -> Path:
    return shared_samples


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        ("my-activity-search-dogsheep.json", "activity.json"),
        ("my-activity-maps-dogsheep.json", "activity.json"),
        ("my-activity-chrome-purarue.html", "activity.html"),
        ("records-reitti.json", None),
        ("timeline-android-reitti.json", None),
        ("semantic-2013-dawarich.json", None),
        ("photos-sidecar-old-immichgo.json", None),
    ],
)
def test_real_samples(samples, sample, expected):
    head = (samples / sample).read_bytes()[:HEAD_BYTES]
    assert detect(Head(sample, head)) == expected
