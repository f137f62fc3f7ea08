"""The stats summaries: materialized views the app can only read through
per-user security_barrier views, refreshed concurrently by the owner."""

import pytest
from django.db import connections, transaction
from django.db.utils import ProgrammingError

from core import usercache
from core.models import MaintenanceRun
from core.rls import user_scope
from sources.activity import analytics as activity_analytics
from sources.location import analytics, jobs

VIEWS = [summary.view_label for summary in analytics.SUMMARIES]
# Every source's per-user views (the other sources' rows are covered by their own tests).
ALL_VIEWS = VIEWS + [summary.view_label for summary in activity_analytics.SUMMARIES]
MVS = [f"analytics.{summary.name}_mv" for summary in analytics.SUMMARIES]


def rows(view):
    with connections["default"].cursor() as cursor:
        cursor.execute(f"SELECT user_id FROM {view}")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.parametrize("view", VIEWS)
def test_each_user_reads_only_their_own_summary_rows(lake_people, view):
    for person in (lake_people.alice, lake_people.bob):
        with user_scope(person.pk):
            seen = rows(view)
        assert seen and set(seen) == {person.pk}
    with user_scope(lake_people.charlie.pk):
        assert rows(view) == []
    with transaction.atomic():  # no user scope at all: nothing
        assert rows(view) == []


@pytest.mark.parametrize("mv", MVS)
def test_the_app_role_cannot_read_a_materialized_view_directly(lake_people, mv):
    with pytest.raises(ProgrammingError, match="permission denied"), user_scope(lake_people.alice.pk):
        rows(mv)


def test_the_per_user_views_are_security_barriers(committed):
    with connections["owner"].cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.reloptions FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'analytics' AND c.relkind = 'v'"
        )
        found = dict(cursor.fetchall())
    assert set(found) == {label.split(".")[1] for label in ALL_VIEWS}
    assert all("security_barrier=true" in options for options in found.values())


def test_a_filter_function_cannot_peek_at_other_users_rows_through_the_view(lake_people):
    """A leaky function in the WHERE clause would run before the view's filter
    without security_barrier; with it, Alice's query never sees Bob's rows."""
    with user_scope(lake_people.alice.pk), connections["default"].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM analytics.my_daily WHERE user_id <> %s OR true",
                       [lake_people.alice.pk])
        assert cursor.fetchone()[0] == 2  # her two days, whatever the predicate says


def test_alices_summaries_add_up_to_her_data(lake_people):
    with user_scope(lake_people.alice.pk), connections["default"].cursor() as cursor:
        cursor.execute("SELECT day::text, points, visits, segments FROM analytics.my_daily ORDER BY day")
        assert cursor.fetchall() == [("2024-05-14", 30, 1, 1), ("2024-05-15", 30, 1, 1)]
        cursor.execute("SELECT grain, period_start::text, activity_type, segments, distance_m, duration_s "
                       "FROM analytics.my_activity_periods ORDER BY grain")
        assert cursor.fetchall() == [("month", "2024-05-01", "WALKING", 2, 3700.0, 3600.0),
                                     ("week", "2024-05-13", "WALKING", 2, 3700.0, 3600.0)]
        cursor.execute("SELECT name, visits FROM analytics.my_top_places ORDER BY name")
        assert cursor.fetchall() == [("Café de Flore", 1), ("Shakespeare and Company", 1)]


def test_a_refresh_job_on_the_maintenance_queue_brings_new_rows_in(lake_people, run_worker):
    with connections["owner"].cursor() as cursor:
        cursor.execute(
            "INSERT INTO timeseries.location_point (user_id, recorded_at, lat_e7, lng_e7, product, source, "
            "platform, activity_type) VALUES (%s, '2024-05-16T12:00:00Z', 1, 1, 'location.records', '', '', '')",
            [lake_people.alice.pk],
        )
    import django_rq

    django_rq.get_queue("maintenance").empty()  # jobs other tests left behind are not this test's
    mine = MaintenanceRun.objects.using("owner").filter(kind="analytics", details__user_id=lake_people.alice.pk)
    assert not mine.exists()
    jobs.enqueue_refresh(lake_people.alice.pk)
    result = run_worker("maintenance")
    assert result.returncode == 0, result.stderr[-2000:]
    with user_scope(lake_people.alice.pk), connections["default"].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM analytics.my_daily")
        assert cursor.fetchone()[0] == 3
    assert [run.outcome for run in mine] == [MaintenanceRun.Outcome.OK]
    from audit.models import Event

    assert Event.objects.using("owner").filter(action="maintenance.analytics_refresh",
                                               target=f"user:{lake_people.alice.pk}").exists()


def test_invalidating_one_users_cache_leaves_the_others(committed):
    import random

    alice_id, bob_id = random.sample(range(10**9, 2 * 10**9), 2)  # ids no earlier run has cached
    assert usercache.cached_for_user(alice_id, "overview", lambda: "alice's") == "alice's"
    assert usercache.cached_for_user(bob_id, "overview", lambda: "bob's") == "bob's"
    assert usercache.cached_for_user(alice_id, "overview", lambda: "recomputed") == "alice's"
    usercache.invalidate_user_cache(alice_id)
    assert usercache.cached_for_user(alice_id, "overview", lambda: "recomputed") == "recomputed"
    assert usercache.cached_for_user(bob_id, "overview", lambda: "recomputed") == "bob's"


def test_the_refresh_command_brings_new_rows_in_and_says_how_long_it_took(lake_people):
    import io

    from django.core.management import call_command

    with connections["owner"].cursor() as cursor:
        cursor.execute(
            "INSERT INTO timeseries.place_visit (user_id, started_at, lat_e7, lng_e7, product, place_id, name, "
            "address, semantic_type, is_child) VALUES (%s, '2024-05-16T12:00:00Z', 1, 1, 'location.semantic', "
            "'p9', 'Le Procope', '', '', false)",
            [lake_people.alice.pk],
        )
    out = io.StringIO()
    call_command("refresh_analytics", stdout=out)
    assert "top_places: refreshed in" in out.getvalue()
    with user_scope(lake_people.alice.pk), connections["default"].cursor() as cursor:
        cursor.execute("SELECT name FROM analytics.my_top_places ORDER BY name")
        assert [row[0] for row in cursor.fetchall()] == ["Café de Flore", "Le Procope", "Shakespeare and Company"]
