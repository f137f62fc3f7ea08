"""Streaming exports: Alice downloads all of her rows and none of Bob's, in
each format, with the user scope opened inside the stream; each download is audited."""

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from audit.models import Event

GPX = "{http://www.topografix.com/GPX/1/1}"


def download(client, **query):
    response = client.get(reverse("lake:export_download"), query)
    assert response.status_code == 200, response.content[:500]
    assert response.streaming
    return response, b"".join(response.streaming_content).decode()


def test_alices_ndjson_holds_every_record_of_hers_and_none_of_bobs(lake_people, browser_for):
    response, body = download(browser_for(lake_people.alice), format="ndjson")
    assert response["Content-Disposition"] == 'attachment; filename="datapunk-lake-all.ndjson"'
    records = [json.loads(line) for line in body.splitlines()]
    kinds = [r["kind"] for r in records]
    assert kinds.count("location_point") == 60 and kinds.count("place_visit") == 2
    assert kinds.count("activity_segment") == 2
    assert "Berlin" not in body and "Café de Flore" in body
    assert {r["import_run_id"] for r in records} == {101, 102}


def test_alices_geojson_is_one_feature_collection_of_her_rows(lake_people, browser_for):
    _, body = download(browser_for(lake_people.alice), format="geojson")
    collection = json.loads(body)
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) == 64
    points = [f for f in collection["features"] if f["properties"]["kind"] == "location_point"]
    lng, lat = points[0]["geometry"]["coordinates"]
    assert (lat, lng) == (48.8566, 2.3522)
    walks = [f for f in collection["features"] if f["properties"]["kind"] == "activity_segment"]
    assert walks[0]["geometry"]["type"] == "LineString"
    assert "Berlin" not in body


def test_alices_gpx_has_her_track_and_waypoints(lake_people, browser_for):
    _, body = download(browser_for(lake_people.alice), format="gpx")
    root = ET.fromstring(body)  # noqa: S314 - our own output
    assert len(root.findall(f".//{GPX}trkpt")) == 60
    # One segment per local day: 30 points on each of her two days, a quarter of an hour apart.
    assert [len(seg.findall(f"{GPX}trkpt")) for seg in root.findall(f".//{GPX}trkseg")] == [30, 30]
    assert sorted(w.find(f"{GPX}name").text for w in root.findall(f"{GPX}wpt")) == [
        "Café de Flore", "Shakespeare and Company"]
    assert "Berlin" not in body


def test_a_date_range_exports_only_those_days_as_csv(lake_people, browser_for):
    response, body = download(browser_for(lake_people.alice), format="csv", start="2024-05-15", end="2024-05-15")
    assert response["Content-Disposition"] == 'attachment; filename="datapunk-lake-20240515-20240515.csv"'
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 32
    assert all(row["start"].startswith("2024-05-15") for row in rows)
    assert {row["name"] for row in rows if row["kind"] == "place_visit"} == {"Shakespeare and Company"}


def test_bob_downloads_only_bobs_rows(lake_people, browser_for):
    _, body = download(browser_for(lake_people.bob), format="ndjson")
    assert len(body.splitlines()) == 64 and "Paris" not in body.replace("Pariser", "")


def test_charlie_downloads_an_empty_but_valid_file(lake_people, browser_for):
    _, body = download(browser_for(lake_people.charlie), format="geojson")
    assert json.loads(body) == {"type": "FeatureCollection", "features": []}


def test_every_download_is_audited_with_what_it_sent(lake_people, browser_for):
    download(browser_for(lake_people.alice), format="csv", start="2024-05-15")
    event = Event.objects.using("owner").filter(action="export.downloaded", actor_id=lake_people.alice.pk).get()
    assert event.details["format"] == "csv" and event.details["complete"] is True
    assert event.details["rows"] == {"location_point": 30, "place_visit": 1, "activity_segment": 1}
    assert event.details["start"] == "2024-05-15T00:00:00+00:00" and event.details["end"] is None


def test_a_big_export_streams_in_many_chunks(lake_people, browser_for):
    from django.db import connections

    with connections["owner"].cursor() as cursor:
        cursor.execute(
            "INSERT INTO timeseries.location_point (user_id, recorded_at, lat_e7, lng_e7, product, source, "
            "platform, activity_type) SELECT %s, '2024-05-14T00:00:00Z'::timestamptz + i * interval '1 second', "
            "480000000 + i, 20000000, 'location.records', '', '', '' FROM generate_series(1, 12000) AS i",
            [lake_people.alice.pk],
        )
    response = browser_for(lake_people.alice).get(reverse("lake:export_download"), {"format": "ndjson"})
    chunks = list(response.streaming_content)
    assert len(chunks) > 10 and max(map(len, chunks)) < 200_000
    assert sum(chunk.count(b"\n") for chunk in chunks) == 12064


@pytest.mark.parametrize("query", [{"format": "xlsx"}, {"format": "csv", "start": "2024-05-15", "end": "2024-05-01"}])
def test_a_bad_export_request_is_refused_and_audits_nothing(lake_people, browser_for, query):
    response = browser_for(lake_people.alice).get(reverse("lake:export_download"), query)
    assert response.status_code == 400
    assert not Event.objects.using("owner").filter(action="export.downloaded", actor_id=lake_people.alice.pk).exists()
