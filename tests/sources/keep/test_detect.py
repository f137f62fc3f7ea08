"""Keep's files are named by content, whatever the note's (file) name; nobody else's are claimed."""

import json

import pytest

from sources.registry import detect
from tests.sources.keep.fixtures import OLD, SHOPPING, note, page

SIDECAR = json.dumps({"title": "IMG_1.jpg", "description": "", "photoTakenTime": {"timestamp": "1"},
                      "geoData": {"latitude": 0}}).encode()
MY_ACTIVITY_HTML = (b'<html><head><style>.outer-cell{}</style></head><body><div class="outer-cell">'
                    b'<div class="note heading">x</div></div>')
BOOKMARKS = b"<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<META HTTP-EQUIV=\"Content-Type\"><TITLE>Bookmarks</TITLE><DL><p>"


@pytest.mark.parametrize(("name", "head", "expected"), [
    ("Takeout/Keep/Einkauf.json", note(SHOPPING), "keep.note"),
    ("Takeout/Notizen/2015-12-13T09_46_40.000+01_00.json", note(OLD), "keep.note"),
    ("Takeout/Keep/Packliste.html", page("Mar 4, 2019, 10:20:30 AM"), "keep.note_html"),
    ("Takeout/Keep/Einkauf.json", b'{"color":"DEFAULT","isTrashed":false,"title":"Einkauf","textContent":"Milch"}',
     "keep.note"),
])
def test_keep_notes_are_named_by_content(name, head, expected):
    assert detect(name, head) == expected


@pytest.mark.parametrize(("name", "head"), [
    ("Takeout/Google Photos/x/IMG_1.jpg.json", SIDECAR),
    ("Takeout/My Activity/Search/MyActivity.html", MY_ACTIVITY_HTML),
    ("Takeout/Chrome/Bookmarks.html", BOOKMARKS),
    ("Takeout/Keep/Labels.txt", b"Haushalt\nUrlaub\n"),
    ("Takeout/Keep/x.json", b'{"title": "only a title"}'),
])
def test_other_files_are_not_claimed_as_notes(name, head):
    assert detect(name, head) not in ("keep.note", "keep.note_html")
