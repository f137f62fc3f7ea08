"""Deleting a Django user takes her lake rows with her, though no foreign key cascades.

The partitioned fact tables dropped their per-row foreign key to auth_user
(it cost every insert a probe of the user table); the user model's
pre_delete runs the delete-everything path instead. Alice is deleted as the
admin deletes people (the ORM on the owner connection); nothing of hers is
left in any per-user table, Bob's rows stay.
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import connections
from psycopg import sql

from core.maintenance import ensure_partitions_for
from core.rls import user_scope
from sources import registry
from sources.location.models import Device
from sources.location.tables import LOCATION_POINT

START = dt.datetime(2024, 5, 20, tzinfo=dt.UTC)


def fill(user, latitude: int) -> None:
    with connections["owner"].cursor() as cursor:
        cursor.execute(
            "INSERT INTO timeseries.location_point (user_id, recorded_at, lat_e7, lng_e7, product, source, "
            "platform, activity_type) SELECT %s, %s + make_interval(secs => g), %s, g, 'location.records', "
            "'', '', '' FROM generate_series(1, 500) g", [user.pk, START, latitude])
        cursor.execute(
            "INSERT INTO timeseries.place_visit (user_id, started_at, lat_e7, lng_e7, place_id, name, address, "
            "semantic_type, is_child, product) VALUES (%s, %s, %s, 1, 'p', 'Bakery', '', '', false, "
            "'location.semantic')", [user.pk, START, latitude])
    with user_scope(user.pk):
        Device.objects.create(user=user, device_tag=4242, name=f"{user.username}'s phone")


def rows_per_table(user_id: int) -> dict[str, int]:
    counts = {}
    with connections["owner"].cursor() as cursor:
        for _source, dataset in registry.datasets():
            table = dataset.model._meta.db_table
            schema, name = table.split('"."')
            cursor.execute(sql.SQL("SELECT count(*) FROM {} WHERE user_id = %s").format(
                sql.Identifier(schema, name)), [user_id])
            counts[name] = cursor.fetchone()[0]
    return counts


def test_the_partitioned_tables_have_no_foreign_key_to_the_user_table(committed):
    with connections["owner"].cursor() as cursor:
        cursor.execute("SELECT r.oid::regclass::text FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid "
                       "WHERE c.contype = 'f' AND c.confrelid = 'auth_user'::regclass AND r.relkind = 'p'")
        assert cursor.fetchall() == []


def test_deleting_a_user_leaves_none_of_her_rows(committed, make_user):
    ensure_partitions_for(LOCATION_POINT, START, START + dt.timedelta(days=1))
    alice, bob = make_user("alice", "user"), make_user("bob", "user")
    fill(alice, 111111111)
    fill(bob, 222222222)
    assert rows_per_table(alice.pk)["location_point"] == 500

    get_user_model().objects.using("owner").filter(pk=alice.pk).delete()

    assert not get_user_model().objects.filter(pk=alice.pk).exists()
    assert set(rows_per_table(alice.pk).values()) == {0}, rows_per_table(alice.pk)
    his = rows_per_table(bob.pk)
    assert (his["location_point"], his["place_visit"], his["device"]) == (500, 1, 1)
