"""Chrome's files are recognized by content, under any name; other families' files are not claimed."""

import json

import pytest

from sources.chrome.detect import detect as chrome_detect
from sources.chrome.parsers import FORMATS
from sources.detect import Head
from sources.registry import detect

HISTORY = (b'{\n    "Browser History": [\n        {\n'
           b'            "favicon_url": "https://www.google.com/favicon.ico",\n'
           b'            "page_transition": "LINK",\n            "title": "Google",\n')
# A newer wrapper whose first array is another one.
WRAPPED = b'{"Typed Url": [], "Browser History": [{"time_usec": 1700000000000000, "url": "https://a.example/"'
BOOKMARKS = b"<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<!-- This is an automatically generated file.\n" \
            b"     It will be read and overwritten.\n     DO NOT EDIT! -->\n<META HTTP-EQUIV=\"Content-Type\""
MY_ACTIVITY_CHROME = json.dumps([{"header": "Chrome", "title": "Visited Example", "titleUrl": "https://example.org/",
                                  "time": "2024-03-01T10:00:00.123Z", "products": ["Chrome"]}]).encode()
MY_ACTIVITY_HTML = b'<html><head><meta charset="utf-8"><title>My Activity</title></head><body>' \
                   b'<div class="outer-cell mdl-cell mdl-cell--12-col mdl-shadow--2dp">'


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("Takeout/Chrome/History.json", HISTORY, "chrome.history"),
        ("Takeout/Chrome/Verlauf.json", HISTORY, "chrome.history"),
        ("Takeout/Chrome/BrowserHistory.json", HISTORY, "chrome.history"),
        ("renamed.json", WRAPPED, "chrome.history"),
        ("Takeout/Chrome/Bookmarks.html", BOOKMARKS, "chrome.bookmarks"),
        ("Takeout/Chrome/Lesezeichen.html", b"\xef\xbb\xbf\r\n<!doctype netscape-bookmark-file-1>\n<DL><p>",
         "chrome.bookmarks"),
    ],
)
def test_detects_chrome_by_content(name, head, expected):
    assert detect(name, head) == expected
    assert expected in FORMATS


@pytest.mark.parametrize(
    ("name", "head"),
    [
        # My Activity's Chrome folder belongs to another family.
        ("Takeout/My Activity/Chrome/MyActivity.json", MY_ACTIVITY_CHROME),
        ("Takeout/My Activity/Chrome/MyActivity.html", MY_ACTIVITY_HTML),
        ("Takeout/Location History/Records.json", b'{"locations": [{"latitudeE7": 1, "timestamp": "2020-01-01T'),
        # Chrome's other files are not browsing history.
        ("Takeout/Chrome/Autofill.json", b'{"Autofill": [{"name": "email", "value": "x"}]}'),
        ("Takeout/Chrome/SearchEngines.json", b'{"Search Engines": [{"short_name": "Google"}]}'),
        # The words in a string, or nested deeper, are not the structure.
        ("History.json", json.dumps({"note": '"Browser History": [', "x": 1}).encode()),
        ("History.json", json.dumps({"data": {"Browser History": []}}).encode()),
        ("History.json", json.dumps([{"Browser History": []}]).encode()),
        ("Bookmarks.html", b"<!DOCTYPE html><html><body>NETSCAPE-Bookmark-file-1</body></html>"),
    ],
)
def test_does_not_claim_other_files(name, head):
    assert chrome_detect(Head(name, head)) is None
