"""Every page and data endpoint of "your lake" shows Alice only Alice's rows.

Alice (Paris) and Bob (Berlin) both have data (tests/lake/conftest.py). Each
page is checked for Alice's own marker and for the absence of Bob's, so a
leak shows as Berlin on Alice's page; Charlie, with no data, gets empty
states, not errors.
"""

import pytest
from django.urls import reverse

ALICE_MARKERS = ("Café de Flore", "Boulevard Saint-Germain")
BOB_MARKERS = ("Brandenburger", "Berlin", "Curry 36", "Mehringdamm")


def page(client, name, *args, **query):
    response = client.get(reverse(name, args=args), query)
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def assert_alice_only(html):
    for marker in BOB_MARKERS:
        assert marker not in html


def test_alice_sees_her_counts_and_calendar_on_the_overview_and_none_of_bobs(lake_people, browser_for):
    html = page(browser_for(lake_people.alice), "home")
    assert "Welcome, alice" in html
    # 60 points, 2 visits, 2 segments: each count is in the table, Bob's equal numbers are not added in.
    assert '<td class="num">60</td>' in html and html.count('<td class="num">2</td>') == 2
    assert '<td class="num">120</td>' not in html
    # The calendar links the two days that have data.
    assert reverse("lake:day", args=["2024-05-14"]) in html and reverse("lake:day", args=["2024-05-15"]) in html
    assert "2 days" in html
    assert_alice_only(html)


def test_the_overview_is_cached_until_the_users_cache_is_invalidated(lake_people, browser_for):
    from django.db import connections

    from core import usercache

    client = browser_for(lake_people.alice)
    assert '<td class="num">60</td>' in page(client, "home")
    with connections["owner"].cursor() as cursor:
        cursor.execute("DELETE FROM timeseries.location_point WHERE user_id = %s AND recorded_at < '2024-05-15'",
                       [lake_people.alice.pk])
    assert '<td class="num">60</td>' in page(client, "home")  # still the cached overview
    usercache.invalidate_user_cache(lake_people.alice.pk)
    html = page(client, "home")
    assert '<td class="num">30</td>' in html and '<td class="num">60</td>' not in html


def test_storage_is_estimated_once_the_tables_have_statistics(lake_people):
    """Autovacuum (or ops) analyzes the tables sooner or later: the estimate must
    work with catalog statistics present, not only before them."""
    from django.db import connections

    from core.rls import user_scope
    from explore.queries import storage_used

    with connections["owner"].cursor() as cursor:
        cursor.execute("ANALYZE timeseries.location_point, timeseries.place_visit, timeseries.activity_segment")
    tables = ("timeseries.location_point", "timeseries.place_visit", "timeseries.activity_segment")
    used, rows = {}, {}
    for person in (lake_people.alice, lake_people.bob, lake_people.charlie):
        with user_scope(person.pk), connections["default"].cursor() as cursor:
            used[person] = storage_used(person.pk)
            cursor.execute(" + ".join(f"(SELECT count(*) FROM {t})" for t in tables).join(("SELECT ", "")))
            rows[person] = cursor.fetchone()[0]
    with connections["owner"].cursor() as cursor:
        cursor.execute(" + ".join(f"(SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree('{t}'))"
                                  for t in tables).join(("SELECT ", "")))
        total = cursor.fetchone()[0]
    alice, bob, charlie = lake_people.alice, lake_people.bob, lake_people.charlie
    # Each person's estimate is her share of the tables' real size: nothing without rows,
    # never more than all of it together, and alike for alike numbers of rows.
    assert used[charlie] == rows[charlie] == 0
    assert used[alice] > 0 and used[bob] > 0 and used[alice] + used[bob] <= total
    assert rows[alice] == rows[bob] and abs(used[alice] - used[bob]) <= 0.25 * max(used[alice], used[bob])


def test_alices_day_view_lists_her_visits_in_local_time_and_not_bobs(lake_people, browser_for):
    html = page(browser_for(lake_people.alice), "lake:day", "2024-05-14")
    assert "Café de Flore" in html and "Walking" in html
    # Stored at 07:00-09:00 UTC with a +120 offset: shown as 09:00-11:00 local.
    assert "09:00–11:00" in html and "UTC+02:00" in html
    assert "30 location points" in html
    assert reverse("lake:day", args=["2024-05-15"]) in html  # next day with data
    assert_alice_only(html)


def test_bobs_day_view_of_the_same_day_shows_only_bob(lake_people, browser_for):
    html = page(browser_for(lake_people.bob), "lake:day", "2024-05-14")
    assert "Brandenburger Tor Kiosk" in html
    for marker in ALICE_MARKERS:
        assert marker not in html


def test_the_day_index_jumps_to_a_date_and_rejects_nonsense(lake_people, browser_for):
    client = browser_for(lake_people.alice)
    response = client.get(reverse("lake:day_index"), {"date": "2024-05-15"})
    assert response.status_code == 302 and response.url == reverse("lake:day", args=["2024-05-15"])
    response = client.get(reverse("lake:day_index"))
    assert response.url == reverse("lake:day", args=["2024-05-15"])  # the latest day with data
    assert client.get(reverse("lake:day", args=["not-a-date"])).status_code == 404


def test_alice_finds_her_place_by_name_and_address_but_never_bobs(lake_people, browser_for):
    client = browser_for(lake_people.alice)
    html = page(client, "lake:search", q="flore")
    assert "Café de Flore" in html and reverse("lake:day", args=["2024-05-14"]) in html
    assert "1 result" in html
    assert "Shakespeare" in page(client, "lake:search", q="Bûcherie")
    # "Pariser Platz" is Bob's address: Alice's search for it finds nothing.
    html = page(client, "lake:search", q="Pariser Platz")
    assert "0 results" in html
    assert_alice_only(html)


def test_search_filters_by_date_and_product(lake_people, browser_for):
    client = browser_for(lake_people.alice)
    html = page(client, "lake:search", q="paris", start="2024-05-15", end="2024-05-15")
    assert "Shakespeare" in html and "Café de Flore" not in html
    refused = client.get(reverse("lake:search"), {"q": "paris", "product": "no.such.product"})
    assert refused.status_code == 400 and "Select a valid choice" in refused.content.decode()
    html = page(client, "lake:search", q="paris", product="location.semantic")
    assert "2 results" in html
    response = client.get(reverse("lake:search"), {"q": "paris", "start": "2024-05-15", "end": "2024-05-01"})
    assert "The end date is before the start date." in response.content.decode()


def test_alices_stats_page_charts_only_her_walks_and_places(lake_people, browser_for):
    html = page(browser_for(lake_people.alice), "lake:stats")
    assert "Café de Flore" in html and "Walking" in html and "WALKING" not in html
    assert '"2024-05-01"' in html  # the month label in the chart data
    assert_alice_only(html)
    week = page(browser_for(lake_people.alice), "lake:stats", grain="week")
    assert '"2024-05-13"' in week  # the Monday that starts the week


def test_map_page_and_device_filter_list_only_alices_devices(lake_people, browser_for):
    html = page(browser_for(lake_people.alice), "lake:map")
    assert f"Phone {lake_people.alice.pk}" in html and f"Phone {lake_people.bob.pk}" not in html
    assert "vendor/leaflet/leaflet.js" in html


@pytest.mark.parametrize("name", ["home", "lake:map", "lake:day_index", "lake:search", "lake:stats",
                                  "lake:export", "lake:delete"])
def test_charlie_with_no_data_gets_empty_states_not_errors(lake_people, browser_for, name):
    response = browser_for(lake_people.charlie).get(reverse(name), {"q": "paris"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Café" not in html and "Berlin" not in html


def test_charlie_sees_the_empty_lake_messages(lake_people, browser_for):
    client = browser_for(lake_people.charlie)
    assert "Your lake is empty" in page(client, "home")
    assert "no days with data" in page(client, "lake:day_index")
    assert "No statistics yet" in page(client, "lake:stats")
    assert "0 results" in page(client, "lake:search", q="paris")
    assert "Nothing recorded on this day" in page(client, "lake:day", "2024-05-14")


@pytest.mark.parametrize("name", ["home", "lake:map", "lake:search", "lake:stats", "lake:export", "lake:delete"])
def test_admins_and_ops_get_no_lake_pages(committed, make_user, name):
    from django.test import Client

    for persona in ("admin", "ops"):
        client = Client()
        client.force_login(make_user(f"someone-{persona}", persona))
        response = client.get(reverse(name))
        if name == "home":
            assert response.status_code == 200 and "What is in your lake" not in response.content.decode()
        else:
            assert response.status_code == 403


def test_the_overview_lists_alices_imports_with_their_state_and_not_bobs(lake_people, browser_for):
    from imports.models import ImportRun

    mine = ImportRun.objects.using("owner").create(user=lake_people.alice, status=ImportRun.Status.SUCCEEDED,
                                                   accepted=64)
    failed = ImportRun.objects.using("owner").create(user=lake_people.alice, status=ImportRun.Status.FAILED)
    bobs = ImportRun.objects.using("owner").create(user=lake_people.bob, status=ImportRun.Status.RUNNING)
    from django.test import Client

    client = Client()
    client.force_login(lake_people.alice)
    html = page(client, "home")
    section = html[html.index('id="imports"'):]
    assert f"#{mine.pk}" in section and f"#{failed.pk}" in section and f"#{bobs.pk}" not in section
    assert '<span class="state ok">Succeeded</span>' in section
    assert '<span class="state crit">Failed</span>' in section
