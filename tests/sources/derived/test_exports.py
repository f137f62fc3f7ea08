"""CSV exports carry place IDs with a resolved name: derived stays their significant place,
Google's visits their place ID beside Google's name or, without one, the gazetteer's town."""

import csv
import datetime as dt
import io

from django.db import connections
from django.test import Client
from django.urls import reverse

from sources.derived import actions
from tests.sources.derived import truth
from tests.sources.derived.lake import insert_points


def _csv(user, **query):
    client = Client()
    client.force_login(user)
    response = client.get(reverse("lake:export_download"), {"format": "csv", **query})
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_derived_stays_export_with_their_place_and_its_name(alice, committed):
    insert_points(alice.pk, truth.home_and_work().fixes)
    actions.enrich(alice.pk)
    rows = _csv(alice, family="derived")
    stays = [row for row in rows if row["kind"] == "stay"]
    assert [row["place_name"] for row in stays] == ["Paris, France", "La Defense, France", "Paris, France"]
    assert stays[0]["place_id"] == stays[2]["place_id"] != stays[1]["place_id"]
    assert [row["mode"] for row in rows if row["kind"] == "trip"] == ["driving", "driving"]


def test_a_google_visit_without_a_name_exports_the_gazetteers_town(alice, committed):
    with connections["owner"].cursor() as cursor:
        cursor.execute("INSERT INTO timeseries.place_visit (user_id, started_at, ended_at, lat_e7, lng_e7, place_id,"
                       " name, address, semantic_type, product, is_child) VALUES (%s, %s, %s, 457640000, 48357000,"
                       " 'ChIJl4foalHq9EcR8CG75CqrCAQ', '', '', '', 'location.semantic', false)",
                       [alice.pk, truth.utc(dt.date(2024, 5, 2), 9), truth.utc(dt.date(2024, 5, 2), 10)])
    [visit] = [row for row in _csv(alice, family="location") if row["kind"] == "place_visit"]
    assert visit["place_id"] == "ChIJl4foalHq9EcR8CG75CqrCAQ"
    assert visit["place_name"] == "Lyon 01, France"  # the nearest GeoNames place: the arrondissement
