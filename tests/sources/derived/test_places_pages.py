"""The places page (name, hide, merge), the detection settings page with its preview, the stats
section and the map layers, as Alice sees them; Bob's places are out of her reach."""

import datetime as dt

import django_rq
from django.test import Client
from django.urls import reverse

from core.rls import user_scope
from sources.derived import actions
from sources.derived.models import Settings, SignificantPlace, Stay
from tests.sources.derived import truth
from tests.sources.derived.lake import insert_points


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _week(user):
    fixes = []
    for n in range(5):
        fixes += truth.home_and_work(dt.date(2024, 3, 11) + dt.timedelta(days=n)).fixes
    insert_points(user.pk, fixes)
    actions.enrich(user.pk)


def _places(user):
    with user_scope(user.pk):
        return {p.kind: p for p in SignificantPlace.objects.filter(merged_into_id__isnull=True)}


def test_alice_names_hides_and_merges_her_places(alice, committed):
    _week(alice)
    client = _client(alice)
    html = client.get(reverse("lake:places")).content.decode()
    assert "Home" in html and "Work" in html and "Paris" in html
    home, work = _places(alice)["home"], _places(alice)["work"]
    assert client.post(reverse("lake:place_update", args=[home.pk]), {"name": "Flat"}).status_code == 302
    assert client.post(reverse("lake:place_update", args=[work.pk]), {"hidden": "1"}).status_code == 302
    html = client.get(reverse("lake:places")).content.decode()
    assert "Flat" in html and "(hidden)" in html
    response = client.post(reverse("lake:places"), {"into": home.pk, "merged": [home.pk]})
    assert response.status_code == 400 and "Tick at least one other place" in response.content.decode()
    assert client.post(reverse("lake:places"), {"into": home.pk, "merged": [work.pk]}).status_code == 302
    with user_scope(alice.pk):
        assert set(Stay.objects.values_list("place_id", flat=True)) == {home.pk}
        assert SignificantPlace.objects.get(pk=home.pk).visits == 11


def test_bob_cannot_touch_alices_place(alice, bob, committed):
    _week(alice)
    home = _places(alice)["home"]
    response = _client(bob).post(reverse("lake:place_update", args=[home.pk]), {"name": "Mine now"})
    assert response.status_code == 404
    assert _places(alice)["home"].name == ""


def test_the_settings_page_previews_a_day_and_saving_queues_a_rebuild(alice, committed):
    _week(alice)
    client = _client(alice)
    html = client.get(reverse("lake:place_settings")).content.decode()
    assert "Preview: Fri 15 Mar 2024" in html and "3 stays and 2 trips" in html
    query = {"radius_m": 100, "min_stay_minutes": 600, "max_gap_hours": 36, "max_accuracy_m": 250,
             "day": "2024-03-13"}
    html = client.get(reverse("lake:place_settings"), query).content.decode()
    assert "2 stays and 1 trip " in html  # only nights at home last ten hours; the day at work is a trip now
    bad = client.get(reverse("lake:place_settings"), {**query, "radius_m": 5})
    assert bad.status_code == 400 and "greater than or equal to 20" in bad.content.decode()
    queue = django_rq.get_queue("maintenance")
    before = queue.count
    assert client.post(reverse("lake:place_settings"), query).status_code == 302
    with user_scope(alice.pk):
        assert Settings.objects.get().min_stay_minutes == 600
    assert queue.count == before + 1
    assert actions.enrich(alice.pk, rebuild=True)["stays"] == 4  # the four nights


def test_stats_and_map_layers_come_from_the_derived_rows(alice, committed):
    _week(alice)
    client = _client(alice)
    html = client.get(reverse("lake:stats")).content.decode()
    assert "Distance per month and way of moving" in html and "Countries and cities visited per year" in html
    assert "Driving" in html and "186.6" in html or "Driving" in html
    layers = client.get(reverse("lake:map_layers")).json()
    names = {layer["name"] for layer in layers["layers"]} if isinstance(layers, dict) else {
        layer["name"] for layer in layers}
    assert {"significant_places", "stays"} <= names
