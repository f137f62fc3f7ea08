"""The map's layers endpoint: every source's own layers (saved places) for the person asking,
row-level security deciding whose, capped per layer with `truncated` saying so."""

import datetime as dt
import uuid

import pytest
from django.db import connections
from django.urls import reverse

from core.rls import user_scope
from explore import mapdata

ALICES = [
    # (title, lat, lng, saved_at)
    ("Tour Eiffel", 48.8584, 2.2945, dt.datetime(2024, 5, 14, 12, tzinfo=dt.UTC)),
    ('<img src=x onerror="alert(1)">', 48.8606, 2.3376, dt.datetime(2024, 5, 15, 9, tzinfo=dt.UTC)),
    ("Home", 48.8530, 2.3499, None),
]
BOBS = [("Brandenburger Tor", 52.5163, 13.3777, dt.datetime(2024, 5, 14, 8, tzinfo=dt.UTC))]


def add_saved_places(user_id, places, kind="saved"):
    rows = [(user_id, kind if saved_at else "labeled", uuid.uuid5(uuid.NAMESPACE_URL, title), title,
             round(lat * 1e7), round(lng * 1e7), saved_at) for title, lat, lng, saved_at in places]
    with connections["owner"].cursor() as cursor:
        cursor.executemany(
            "INSERT INTO user_data.saved_place (user_id, kind, list_name, place_key, title, address, note, url, "
            "lat_e7, lng_e7, country_code, saved_at, product) "
            "VALUES (%s, %s, '', %s, %s, '', '', '', %s, %s, '', %s, 'places.saved')",
            rows,
        )


@pytest.fixture
def with_places(lake_people):
    add_saved_places(lake_people.alice.pk, ALICES)
    add_saved_places(lake_people.bob.pk, BOBS)
    return lake_people


def layers(client):
    response = client.get(reverse("lake:map_layers"))
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()["layers"]


def test_alice_gets_her_saved_places_layer_and_bob_only_his(with_places, browser_for):
    (alices,) = layers(browser_for(with_places.alice))
    assert (alices["name"], alices["label"], alices["truncated"]) == ("saved_places", "Saved places", False)
    assert sorted(alices["markers"]) == sorted([
        [48.8584, 2.2945, "Tour Eiffel", "2024-05-14"],
        [48.8606, 2.3376, '<img src=x onerror="alert(1)">', "2024-05-15"],
        [48.853, 2.3499, "Home", None]])

    (bobs,) = layers(browser_for(with_places.bob))
    assert bobs["markers"] == [[52.5163, 13.3777, "Brandenburger Tor", "2024-05-14"]]


def test_someone_without_saved_places_gets_no_layers(with_places, browser_for):
    assert layers(browser_for(with_places.charlie)) == []


def test_a_layer_is_capped_and_says_it_was(with_places):
    with user_scope(with_places.alice.pk):
        (layer,) = mapdata.source_layers(max_markers=2)
    assert len(layer["markers"]) == 2 and layer["truncated"] is True and layer["max_markers"] == 2


def test_the_map_page_tells_the_script_where_the_layers_are(with_places, browser_for):
    html = browser_for(with_places.alice).get(reverse("lake:map")).content.decode()
    assert '"layersUrl": "/lake/map/layers"' in html and '"dayUrl": "/lake/day/"' in html


def test_the_layers_are_for_lake_users_only(committed, make_user):
    from django.test import Client

    client = Client()
    client.force_login(make_user("someone-ops", "ops"))
    assert client.get(reverse("lake:map_layers")).status_code == 403
    assert Client().get(reverse("lake:map_layers"), HTTP_ACCEPT="*/*").status_code == 401
