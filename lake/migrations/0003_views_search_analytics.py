"""What the user-facing pages need: full-text search on visits, the map's
indexes (PostGIS where installed) and the stats' materialized views."""

from django.conf import settings
from django.db import migrations, models

from lake import analytics, mapdata, textsearch


def add_search(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for statement in textsearch.create_statements():
            cursor.execute(statement)


def drop_search(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for statement in textsearch.drop_statements():
            cursor.execute(statement)


def add_geography(apps, schema_editor):
    # Only where the server has PostGIS; elsewhere the btree index serves the map.
    with schema_editor.connection.cursor() as cursor:
        if mapdata.postgis_installed(cursor):
            for statement in mapdata.geography_statements():
                cursor.execute(statement)


def drop_geography(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS timeseries.location_point_geog_idx")
        cursor.execute("ALTER TABLE timeseries.location_point DROP COLUMN IF EXISTS geog")


def create_analytics(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for statement in analytics.create_statements():
            cursor.execute(statement)


def drop_analytics(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for statement in analytics.drop_statements():
            cursor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('lake', '0002_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='locationpoint',
            index=models.Index(fields=['user', 'lat_e7', 'lng_e7'], name='location_point_latlng_idx'),
        ),
        migrations.RunPython(add_search, drop_search),
        migrations.RunPython(add_geography, drop_geography),
        migrations.RunPython(create_analytics, drop_analytics),
    ]
