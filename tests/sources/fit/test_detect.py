"""Google Fit's files are named by content (header units, JSON keys, the TCX root), any language."""

import pytest

from sources.registry import detect
from tests.sources.fit.fixtures import BOMB, DAILY_DE, DAILY_EN, INTERVALS, RUN, SESSION, session
from tests.sources.youtube.test_parsers import COMMENTS_OLD

ALL_DATA = b'{"Data Source": "derived:com.google.step_count.delta", "Data Points": [{"fitValue": []}]}'
SIDECAR = b'{"title": "IMG_1.jpg", "photoTakenTime": {"timestamp": "1"}, "startTime": "x"}'
WANT_TO_GO = b"Title,Note,URL,Comment\nCafe,,https://maps.google.com/?cid=1,\n"
KEEP_PAGE = b'<html><body><div class="note DEFAULT"><div class="heading">x</div></div></body></html>'


@pytest.mark.parametrize(("name", "head", "expected"), [
    ("Takeout/Fit/Daily activity metrics/Daily activity metrics.csv", DAILY_EN, "fit.daily"),
    ("Takeout/Google Fit/Tägliche Aktivitätsmesswerte/Tägliche Aktivitätsmesswerte.csv", DAILY_DE, "fit.daily"),
    ("Takeout/Fit/Daily activity metrics/2019-08-12.csv", INTERVALS, "fit.intervals"),
    ("Takeout/Fit/All Sessions/2019-08-12T05_14_08.709Z_RUNNING.json", session(SESSION), "fit.sessions"),
    ("Takeout/Google Fit/Aktivitäten/2019-08-12T07_14_08.709+02_00_PT14M3.063S_Gehen.tcx", RUN, "fit.tcx"),
    ("Takeout/Fit/Activities/x.tcx", b"<?xml version='1.0'?><tcx:TrainingCenterDatabase xmlns:tcx='urn:x'>",
     "fit.tcx"),
    # Refused by its parser, but still a workout file: the report says which product failed.
    ("Takeout/Fit/Activities/bomb.tcx", BOMB, "fit.tcx"),
    ("Takeout/Google Fit/Alle Daten/derived_com.google.active_minutes_com.google.a.json", ALL_DATA, "fit.data"),
])
def test_fit_files_are_named_by_content(name, head, expected):
    assert detect(name, head) == expected


@pytest.mark.parametrize(("name", "head"), [
    ("Takeout/Google Photos/x/IMG_1.jpg.json", SIDECAR),
    ("Takeout/Saved/Want to go.csv", WANT_TO_GO),
    ("Takeout/YouTube/comments/comments.csv", COMMENTS_OLD.encode()),
    ("Takeout/Keep/x.html", KEEP_PAGE),
    ("Takeout/Fit/notes.csv", b"Date,Steps\n2019-08-12,100\n"),
])
def test_other_files_are_not_claimed_as_fit(name, head):
    assert not (detect(name, head) or "").startswith("fit.")
