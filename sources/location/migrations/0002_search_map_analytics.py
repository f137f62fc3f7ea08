"""What the user-facing pages need from location history: full-text search on
visits, the map's indexes (PostGIS where installed) and the stats' materialized views.

Frozen: the SQL is copied here as it was when this migration was written.
`{app}` stands for the app role (settings.DB_APP_ROLE).
"""

from django.conf import settings
from django.db import migrations, models
from psycopg import sql

SEARCH = [
    """ALTER TABLE "timeseries"."place_visit" ADD COLUMN IF NOT EXISTS search tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, coalesce(name, '') || ' ' || coalesce(address, ''))) STORED""",
    """CREATE INDEX IF NOT EXISTS place_visit_search_idx ON "timeseries"."place_visit" USING gin (search)""",
]
SEARCH_DROP = [
    """DROP INDEX IF EXISTS timeseries.place_visit_search_idx""",
    """ALTER TABLE "timeseries"."place_visit" DROP COLUMN IF EXISTS search""",
]
# Only where the server has PostGIS; elsewhere the btree index serves the map.
# float8 division: `/ 1e7` alone divides as numeric, several times slower on every insert.
GEOGRAPHY = [
    """ALTER TABLE "timeseries"."location_point" ADD COLUMN IF NOT EXISTS "geog" geography(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lng_e7 / 1e7::float8, lat_e7 / 1e7::float8), 4326)::geography) STORED""",
    """CREATE INDEX IF NOT EXISTS location_point_geog_idx ON "timeseries"."location_point" USING gist (("geog"::geometry))""",
]
GEOGRAPHY_DROP = [
    "DROP INDEX IF EXISTS timeseries.location_point_geog_idx",
    "ALTER TABLE timeseries.location_point DROP COLUMN IF EXISTS geog",
]
# Materialized views per user and period, read only through security_barrier
# views filtered by user_data.current_user_id().
ANALYTICS = [
    """CREATE MATERIALIZED VIEW "analytics"."activity_periods_mv" AS
        SELECT s.user_id, g.grain,
               date_trunc(g.grain, ((s.started_at AT TIME ZONE 'UTC') + make_interval(mins => coalesce(utc_offset_minutes, 0))))::date AS period_start,
               s.activity_type,
               count(*) AS segments,
               coalesce(sum(s.distance_m), 0)::double precision AS distance_m,
               coalesce(sum(extract(epoch FROM s.ended_at - s.started_at)), 0)::double precision AS duration_s
          FROM timeseries.activity_segment s
         CROSS JOIN (VALUES ('week'), ('month')) AS g(grain)
         GROUP BY 1, 2, 3, 4
         WITH DATA""",
    """CREATE UNIQUE INDEX "activity_periods_mv_key" ON "analytics"."activity_periods_mv" ("user_id", "grain", "period_start", "activity_type")""",
    """REVOKE ALL ON "analytics"."activity_periods_mv" FROM PUBLIC, {app}""",
    """CREATE VIEW "analytics"."my_activity_periods" WITH (security_barrier) AS SELECT "user_id", "grain", "period_start", "activity_type", "segments", "distance_m", "duration_s" FROM "analytics"."activity_periods_mv" WHERE user_id = user_data.current_user_id()""",
    """REVOKE ALL ON "analytics"."my_activity_periods" FROM PUBLIC""",
    """GRANT SELECT ON "analytics"."my_activity_periods" TO {app}""",
    """CREATE MATERIALIZED VIEW "analytics"."top_places_mv" AS
        SELECT v.user_id,
               coalesce(nullif(v.place_id, ''), nullif(v.name, ''),
                        (v.lat_e7 / 10000)::text || ',' || (v.lng_e7 / 10000)::text) AS place_key,
               coalesce((array_agg(nullif(v.name, '') ORDER BY v.started_at DESC)
                         FILTER (WHERE v.name <> ''))[1], '') AS name,
               coalesce((array_agg(nullif(v.address, '') ORDER BY v.started_at DESC)
                         FILTER (WHERE v.address <> ''))[1], '') AS address,
               count(*) AS visits,
               coalesce(sum(extract(epoch FROM v.ended_at - v.started_at)), 0)::double precision AS duration_s,
               max(v.started_at) AS last_visit,
               avg(v.lat_e7)::integer AS lat_e7, avg(v.lng_e7)::integer AS lng_e7
          FROM timeseries.place_visit v
         WHERE NOT v.is_child
         GROUP BY 1, 2
         WITH DATA""",
    """CREATE UNIQUE INDEX "top_places_mv_key" ON "analytics"."top_places_mv" ("user_id", "place_key")""",
    """REVOKE ALL ON "analytics"."top_places_mv" FROM PUBLIC, {app}""",
    """CREATE VIEW "analytics"."my_top_places" WITH (security_barrier) AS SELECT "user_id", "place_key", "name", "address", "visits", "duration_s", "last_visit", "lat_e7", "lng_e7" FROM "analytics"."top_places_mv" WHERE user_id = user_data.current_user_id()""",
    """REVOKE ALL ON "analytics"."my_top_places" FROM PUBLIC""",
    """GRANT SELECT ON "analytics"."my_top_places" TO {app}""",
    """CREATE MATERIALIZED VIEW "analytics"."daily_mv" AS
        SELECT user_id, day, sum(points)::bigint AS points, sum(visits)::bigint AS visits,
               sum(segments)::bigint AS segments
          FROM (
            SELECT user_id, ((recorded_at AT TIME ZONE 'UTC') + make_interval(mins => coalesce(utc_offset_minutes, 0)))::date AS day, count(*) AS points, 0 AS visits, 0 AS segments
              FROM timeseries.location_point GROUP BY 1, 2
            UNION ALL
            SELECT user_id, ((started_at AT TIME ZONE 'UTC') + make_interval(mins => coalesce(utc_offset_minutes, 0)))::date, 0, count(*), 0
              FROM timeseries.place_visit GROUP BY 1, 2
            UNION ALL
            SELECT user_id, ((started_at AT TIME ZONE 'UTC') + make_interval(mins => coalesce(utc_offset_minutes, 0)))::date, 0, 0, count(*)
              FROM timeseries.activity_segment GROUP BY 1, 2
          ) AS per_kind
         GROUP BY 1, 2
         WITH DATA""",
    """CREATE UNIQUE INDEX "daily_mv_key" ON "analytics"."daily_mv" ("user_id", "day")""",
    """REVOKE ALL ON "analytics"."daily_mv" FROM PUBLIC, {app}""",
    """CREATE VIEW "analytics"."my_daily" WITH (security_barrier) AS SELECT "user_id", "day", "points", "visits", "segments" FROM "analytics"."daily_mv" WHERE user_id = user_data.current_user_id()""",
    """REVOKE ALL ON "analytics"."my_daily" FROM PUBLIC""",
    """GRANT SELECT ON "analytics"."my_daily" TO {app}""",
]
ANALYTICS_DROP = [
    """DROP MATERIALIZED VIEW IF EXISTS "analytics"."activity_periods_mv" CASCADE""",
    """DROP MATERIALIZED VIEW IF EXISTS "analytics"."top_places_mv" CASCADE""",
    """DROP MATERIALIZED VIEW IF EXISTS "analytics"."daily_mv" CASCADE""",
]


def _run(schema_editor, statements):
    app = sql.Identifier(settings.DB_APP_ROLE)
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(sql.SQL(statement.replace("{app}", "{}")).format(app) if "{app}" in statement
                           else statement)


def add_search(apps, schema_editor):
    _run(schema_editor, SEARCH)


def drop_search(apps, schema_editor):
    _run(schema_editor, SEARCH_DROP)


def add_geography(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")
        postgis = cursor.fetchone() is not None
    if postgis:
        _run(schema_editor, GEOGRAPHY)


def drop_geography(apps, schema_editor):
    _run(schema_editor, GEOGRAPHY_DROP)


def create_analytics(apps, schema_editor):
    _run(schema_editor, ANALYTICS)


def drop_analytics(apps, schema_editor):
    _run(schema_editor, ANALYTICS_DROP)


class Migration(migrations.Migration):

    dependencies = [
        ('location', '0001_initial'),
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
