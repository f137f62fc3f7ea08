"""Every dataset endpoint, with Alice's token: her rows, never Bob's; pages, items, filters, counts."""

import datetime as dt

import pytest
from django.db import connection

from api.datasets import all_datasets
from core.rls import user_scope
from tests.explore.test_isolation import WHEN

pytestmark = pytest.mark.django_db(databases=["default", "owner"])
DATASETS = [ds.path for ds in all_datasets()]


def _get(client, path, token, **params):
    return client.get(f"/api/v1/{path}", params, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_the_location_endpoints_are_named_as_the_issue_says():
    assert {"location/points", "location/visits", "location/segments", "location/devices"} <= set(DATASETS)
    assert len(DATASETS) == len(set(DATASETS))


@pytest.mark.parametrize("path", DATASETS)
def test_alice_lists_her_row_and_fetches_it_and_never_sees_bobs(client, lakes, token_for, path):
    alice, bob = lakes
    token = token_for(alice)
    answer = _get(client, path, token, count="exact")
    assert answer.status_code == 200, answer.content
    page = answer.json()
    assert page["count"] == 1 and len(page["items"]) == 1 and page["next_cursor"] is None
    item = page["items"][0]
    assert "user_id" not in item
    one = client.get(f"/api/v1/{path}/{item['id']}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert one.status_code == 200 and one.json() == item
    # Bob's row, by its id: not there for Alice. (An id names a row within its owner's data: where
    # both have the same natural key, Alice's id finds her own row, never his.)
    bobs = _get(client, path, token_for(bob)).json()["items"][0]
    mine = client.get(f"/api/v1/{path}/{bobs['id']}", HTTP_AUTHORIZATION=f"Bearer {token}")
    if bobs["id"] == item["id"]:
        assert mine.json() == item
    else:
        assert mine.status_code == 404
        assert mine["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("path", DATASETS)
def test_every_stream_holds_only_her_row(client, lakes, token_for, path):
    alice, _ = lakes
    answer = client.get(f"/api/v1/{path}", HTTP_AUTHORIZATION=f"Bearer {token_for(alice)}",
                        HTTP_ACCEPT="application/x-ndjson")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/x-ndjson"
    lines = b"".join(answer.streaming_content).decode().splitlines()
    assert len(lines) == 1
    csv = client.get(f"/api/v1/{path}", {"format": "csv"}, HTTP_AUTHORIZATION=f"Bearer {token_for(alice)}")
    assert len(b"".join(csv.streaming_content).decode().splitlines()) == 2  # header and her row


def test_a_device_id_of_bob_is_not_alices(client, lakes, token_for):
    alice, bob = lakes
    bobs = _get(client, "location/devices", token_for(bob)).json()["items"][0]
    answer = client.get(f"/api/v1/location/devices/{bobs['id']}", HTTP_AUTHORIZATION=f"Bearer {token_for(alice)}")
    assert answer.status_code == 404, (answer.content, bobs)


def _points(user, count, start=WHEN):
    with user_scope(user.pk), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO timeseries.location_point (user_id, recorded_at, lat_e7, lng_e7, product, source, platform,"
            " activity_type, device_tag) SELECT %s, %s + n * interval '1 minute', 480000000 + n, 20000000, "
            "'location.records', '', '', '', CASE WHEN n %% 2 = 0 THEN 7 ELSE 9 END FROM generate_series(0, %s - 1) n",
            [user.pk, start, count])


def test_keyset_pages_cover_everything_once_even_with_inserts_between_pages(client, alice, token_for):
    _points(alice, 250)
    token = token_for(alice)
    seen, cursor = [], None
    while True:
        params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = _get(client, "location/points", token, **params).json()
        seen += [item["id"] for item in page["items"]]
        if not seen or len(seen) == 100:
            # A row that sorts before the cursor arrives meanwhile: later pages neither repeat nor skip.
            _points(alice, 1, start=WHEN - dt.timedelta(days=1))
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 250 == len(set(seen))


def test_filters_by_time_device_bbox_and_local_day(client, alice, token_for):
    _points(alice, 120)
    token = token_for(alice)
    since = (WHEN + dt.timedelta(minutes=100)).isoformat()
    assert len(_get(client, "location/points", token, since=since).json()["items"]) == 20
    assert _get(client, "location/points", token, device=7, count="exact").json()["count"] == 60
    bbox = "1.9,48.00000,2.1,48.0000049"
    assert len(_get(client, "location/points", token, bbox=bbox).json()["items"]) == 50
    day = WHEN.date().isoformat()
    assert _get(client, "location/points", token, local_from=day, local_to=day, count="exact").json()["count"] == 120
    assert _get(client, "location/points", token, count="estimated").json()["count"] >= 0


def test_full_text_q_where_the_family_has_text(client, lakes, token_for):
    alice, _ = lakes
    token = token_for(alice)
    assert len(_get(client, "location/visits", token, q="Cafe").json()["items"]) == 1
    assert len(_get(client, "location/visits", token, q="Nowhere").json()["items"]) == 0
    refused = _get(client, "location/points", token, q="Cafe")
    assert refused.status_code == 400 and refused.json()["field"] == "q"


def test_geojson_for_located_rows_only(client, lakes, token_for):
    alice, _ = lakes
    token = token_for(alice)
    answer = client.get("/api/v1/location/points", HTTP_AUTHORIZATION=f"Bearer {token}",
                        HTTP_ACCEPT="application/geo+json")
    import json

    collection = json.loads(b"".join(answer.streaming_content))
    assert collection["type"] == "FeatureCollection"
    assert collection["features"][0]["geometry"]["coordinates"] == [2.3522, 48.8566]
    refused = client.get("/api/v1/location/segments", HTTP_AUTHORIZATION=f"Bearer {token}",
                         HTTP_ACCEPT="application/geo+json")
    assert refused.status_code == 406


def test_a_stream_resumes_after_the_last_id_it_delivered(client, alice, token_for):
    _points(alice, 30)
    token = token_for(alice)
    import json

    first = [json.loads(line) for line in b"".join(client.get(
        "/api/v1/location/points", {"format": "ndjson"}, HTTP_AUTHORIZATION=f"Bearer {token}").streaming_content
    ).splitlines()]
    rest = b"".join(client.get("/api/v1/location/points", {"format": "ndjson", "after": first[9]["id"]},
                               HTTP_AUTHORIZATION=f"Bearer {token}").streaming_content).splitlines()
    assert [json.loads(line)["id"] for line in rest] == [row["id"] for row in first[10:]]


@pytest.mark.parametrize("bad", [{"cursor": "bm9wZQ"}, {"cursor": "WyJ4IiwxLDJd"}, {"after": "!!"},
                                 {"bbox": "1,2,3"}, {"limit": 0}, {"since": "yesterday"}])
def test_bad_parameters_are_a_400_naming_the_field(client, alice, token_for, bad):
    answer = _get(client, "location/points", token_for(alice), **bad)
    assert answer.status_code == 400, answer.content
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["field"] in (*bad, f"query.{next(iter(bad))}")
