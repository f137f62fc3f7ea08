"""Deleting: one import run, a date range or everything; confirmed by typing
the username, verified (zero rows of the selection left) and audited."""

from django.db import connections
from django.urls import reverse

from audit.models import Event


def owner_counts(user_id, run=None):
    """Rows per table as the owner sees them (past row-level security)."""
    counts = {}
    with connections["owner"].cursor() as cursor:
        for table in ("location_point", "place_visit", "activity_segment"):
            where, params = "user_id = %s", [user_id]
            if run is not None:
                where, params = where + " AND import_run_id = %s", [user_id, run]
            cursor.execute(f"SELECT count(*) FROM timeseries.{table} WHERE {where}", params)
            counts[table] = cursor.fetchone()[0]
    return counts


def post(client, **data):
    return client.post(reverse("lake:delete"), data)


def test_deleting_one_run_leaves_zero_rows_of_it_and_the_other_runs_intact(lake_people, browser_for):
    alice, bob = lake_people.alice, lake_people.bob
    response = post(browser_for(alice), scope="import_run", import_run=101, confirm="alice")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Verified" in html and "32 records deleted" in html
    assert owner_counts(alice.pk, run=101) == {"location_point": 0, "place_visit": 0, "activity_segment": 0}
    assert owner_counts(alice.pk, run=102) == {"location_point": 30, "place_visit": 1, "activity_segment": 1}
    assert owner_counts(bob.pk) == {"location_point": 60, "place_visit": 2, "activity_segment": 2}
    event = Event.objects.using("owner").get(action="data.deleted", actor_id=alice.pk)
    assert event.target == "import_run:101"
    # Every dataset of every source is counted; only location history had rows of this run.
    deleted, remaining = event.details["deleted"], event.details["remaining"]
    assert {name: n for name, n in deleted.items() if n} == {"location_point": 30, "place_visit": 1,
                                                             "activity_segment": 1}
    assert set(deleted) == set(remaining) >= {"location_point", "activity_event"}
    assert not any(remaining.values())


def test_alice_cannot_delete_bobs_run_by_naming_it(lake_people, browser_for):
    response = post(browser_for(lake_people.alice), scope="import_run", import_run=201, confirm="alice")
    # The run is not among hers (row-level security hides it): the form refuses it.
    assert response.status_code == 400
    assert "None of your data came from that import run." in response.content.decode()
    assert owner_counts(lake_people.bob.pk, run=201) == {"location_point": 30, "place_visit": 1,
                                                         "activity_segment": 1}


def test_the_wrong_confirmation_deletes_nothing_and_says_why(lake_people, browser_for):
    response = post(browser_for(lake_people.alice), scope="everything", confirm="ALICE")
    assert response.status_code == 400
    assert "That is not your username; nothing was deleted." in response.content.decode()
    assert owner_counts(lake_people.alice.pk)["location_point"] == 60
    assert not Event.objects.using("owner").filter(action="data.deleted", actor_id=lake_people.alice.pk).exists()


def test_deleting_a_date_range_takes_only_those_days(lake_people, browser_for):
    client = browser_for(lake_people.alice)
    response = post(client, scope="range", start="2024-05-15", end="2024-05-15", confirm="alice")
    assert "Verified" in response.content.decode()
    assert owner_counts(lake_people.alice.pk) == {"location_point": 30, "place_visit": 1, "activity_segment": 1}
    assert owner_counts(lake_people.alice.pk, run=102)["location_point"] == 0
    # The overview was invalidated: it counts what is left, not what was cached before.
    assert '<td class="num">30</td>' in client.get(reverse("home")).content.decode()


def test_deleting_everything_empties_alices_lake_and_notes_the_archives(lake_people, browser_for):
    alice = lake_people.alice
    response = post(browser_for(alice), scope="everything", confirm="alice")
    html = response.content.decode()
    assert "Deleted: everything" in html and "Verified" in html
    assert owner_counts(alice.pk) == {"location_point": 0, "place_visit": 0, "activity_segment": 0}
    with connections["owner"].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM user_data.device WHERE user_id = %s", [alice.pk])
        assert cursor.fetchone()[0] == 0
    assert owner_counts(lake_people.bob.pk)["location_point"] == 60
    event = Event.objects.using("owner").get(action="data.deleted", actor_id=alice.pk)
    assert event.details["scope"] == "everything" and event.details["deleted"]["device"] == 1
    assert any("archive" in note for note in event.details["notes"])


def test_a_range_needs_both_dates_in_order(lake_people, browser_for):
    client = browser_for(lake_people.alice)
    response = post(client, scope="range", start="2024-05-15", confirm="alice")
    assert response.status_code == 400 and "Give both dates" in response.content.decode()
    response = post(client, scope="range", start="2024-05-15", end="2024-05-01", confirm="alice")
    assert response.status_code == 400 and "end date is before" in response.content.decode()
    assert owner_counts(lake_people.alice.pk)["location_point"] == 60


def test_the_delete_functions_cannot_reach_another_users_rows(lake_people):
    """Below the form: row-level security alone keeps Bob's run out of Alice's deletion."""
    from core.rls import user_scope
    from explore import deletion

    with user_scope(lake_people.alice.pk):
        result = deletion.delete_import_run(lake_people.alice, 201)
        everything = deletion.delete_everything(lake_people.alice)
    assert result.total == 0 and result.verified
    assert everything.deleted["location_point"] == 60
    assert owner_counts(lake_people.bob.pk) == {"location_point": 60, "place_visit": 2, "activity_segment": 2}
