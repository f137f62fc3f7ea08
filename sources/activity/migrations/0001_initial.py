"""My Activity's per-user table (partitioned by month, row-level security before any row),
its full-text search column and its stats' materialized views.

Frozen: the SQL is written here as it was when this migration was made.
`{app}` stands for the app role (settings.DB_APP_ROLE).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from psycopg import sql

import core.operations

# The words of an entry: 'simple' (every language, exact forms) weighted by
# where they stand, plus the title stemmed by the export's language where the
# HTML showed it. Host names split at the dots, so "youtube" finds youtube.com.
SEARCH = [
    """ALTER TABLE "timeseries"."activity_event" ADD COLUMN search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, coalesce(title, '')), 'A')
        || setweight(to_tsvector('simple'::regconfig, coalesce(channel, '') || ' ' || replace(coalesce(host, ''), '.', ' ')
                                 || ' ' || coalesce(location_name, '')), 'B')
        || setweight(to_tsvector('simple'::regconfig, left(coalesce(description, ''), 20000)), 'C')
        || to_tsvector(CASE language WHEN 'en' THEN 'english'::regconfig WHEN 'de' THEN 'german'::regconfig
                                     WHEN 'fr' THEN 'french'::regconfig WHEN 'es' THEN 'spanish'::regconfig
                                     WHEN 'it' THEN 'italian'::regconfig WHEN 'nl' THEN 'dutch'::regconfig
                                     WHEN 'pt' THEN 'portuguese'::regconfig ELSE 'simple'::regconfig END,
                       coalesce(subject, ''))) STORED""",
    """CREATE INDEX activity_event_search_idx ON "timeseries"."activity_event" USING gin (search)""",
]
SEARCH_DROP = [
    "DROP INDEX IF EXISTS timeseries.activity_event_search_idx",
    "ALTER TABLE timeseries.activity_event DROP COLUMN IF EXISTS search",
]
# The local day of an entry: the offset the file stated, else UTC (and the
# wall clock as written where the zone was unknown, which `at` then holds).
_LOCAL = "((at AT TIME ZONE 'UTC') + make_interval(mins => coalesce(utc_offset_minutes, 0)))"
ANALYTICS = [
    f"""CREATE MATERIALIZED VIEW "analytics"."online_periods_mv" AS
        SELECT user_id, g.grain, date_trunc(g.grain, {_LOCAL})::date AS period_start, service, count(*) AS events
          FROM timeseries.activity_event CROSS JOIN (VALUES ('week'), ('month')) AS g(grain)
         GROUP BY 1, 2, 3, 4
         WITH DATA""",
    """CREATE UNIQUE INDEX "online_periods_mv_key" ON "analytics"."online_periods_mv" ("user_id", "grain", "period_start", "service")""",
    """CREATE MATERIALIZED VIEW "analytics"."top_channels_mv" AS
        SELECT user_id, service, channel, max(channel_url) AS channel_url, count(*) AS events, max(at) AS last_at
          FROM timeseries.activity_event WHERE channel <> ''
         GROUP BY 1, 2, 3
         WITH DATA""",
    """CREATE UNIQUE INDEX "top_channels_mv_key" ON "analytics"."top_channels_mv" ("user_id", "service", "channel")""",
    """CREATE MATERIALIZED VIEW "analytics"."top_sites_mv" AS
        SELECT user_id, host, count(*) AS events, max(at) AS last_at
          FROM timeseries.activity_event WHERE host <> ''
         GROUP BY 1, 2
         WITH DATA""",
    """CREATE UNIQUE INDEX "top_sites_mv_key" ON "analytics"."top_sites_mv" ("user_id", "host")""",
    f"""CREATE MATERIALIZED VIEW "analytics"."online_daily_mv" AS
        SELECT user_id, {_LOCAL}::date AS day, count(*) AS events
          FROM timeseries.activity_event
         GROUP BY 1, 2
         WITH DATA""",
    """CREATE UNIQUE INDEX "online_daily_mv_key" ON "analytics"."online_daily_mv" ("user_id", "day")""",
]
# Materialized views carry no row-level security: the app reads them only
# through security_barrier views filtered by user_data.current_user_id().
for _name, _columns in (("online_periods", "user_id, grain, period_start, service, events"),
                        ("top_channels", "user_id, service, channel, channel_url, events, last_at"),
                        ("top_sites", "user_id, host, events, last_at"),
                        ("online_daily", "user_id, day, events")):
    ANALYTICS += [
        f'REVOKE ALL ON "analytics"."{_name}_mv" FROM PUBLIC, {{app}}',
        f'CREATE VIEW "analytics"."my_{_name}" WITH (security_barrier) AS SELECT {_columns} '
        f'FROM "analytics"."{_name}_mv" WHERE user_id = user_data.current_user_id()',
        f'REVOKE ALL ON "analytics"."my_{_name}" FROM PUBLIC',
        f'GRANT SELECT ON "analytics"."my_{_name}" TO {{app}}',
    ]
ANALYTICS_DROP = [f'DROP MATERIALIZED VIEW IF EXISTS "analytics"."{name}_mv" CASCADE'
                  for name in ("online_periods", "top_channels", "top_sites", "online_daily")]


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


def create_analytics(apps, schema_editor):
    _run(schema_editor, ANALYTICS)


def drop_analytics(apps, schema_editor):
    _run(schema_editor, ANALYTICS_DROP)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('core', '0001_schemas'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        core.operations.CreatePartitionedModel(
            partition_column='at',
            name='ActivityEvent',
            fields=[
                ('pk', models.CompositePrimaryKey('user_id', 'at', 'item_key', blank=True, editable=False, primary_key=True, serialize=False)),
                ('at', models.DateTimeField()),
                ('micros', models.IntegerField(null=True)),
                ('item_key', models.UUIDField()),
                ('zone_known', models.BooleanField(db_default=True)),
                ('utc_offset_minutes', models.SmallIntegerField(null=True)),
                ('zone', models.CharField(blank=True, db_default='', max_length=16)),
                ('service', models.CharField(max_length=100)),
                ('action', models.CharField(blank=True, db_default='', max_length=100)),
                ('title', models.CharField(max_length=2000)),
                ('subject', models.CharField(blank=True, db_default='', max_length=2000)),
                ('url', models.CharField(blank=True, db_default='', max_length=4096)),
                ('host', models.CharField(blank=True, db_default='', max_length=255)),
                ('channel', models.CharField(blank=True, db_default='', max_length=500)),
                ('channel_url', models.CharField(blank=True, db_default='', max_length=2048)),
                ('description', models.TextField(blank=True, db_default='')),
                ('details', models.JSONField(db_default=[])),
                ('products', models.JSONField(db_default=[])),
                ('location_name', models.CharField(blank=True, db_default='', max_length=500)),
                ('location_url', models.CharField(blank=True, db_default='', max_length=2048)),
                ('location_source', models.CharField(blank=True, db_default='', max_length=200)),
                ('lat_e7', models.IntegerField(null=True)),
                ('lng_e7', models.IntegerField(null=True)),
                ('language', models.CharField(blank=True, db_default='', max_length=8)),
                ('removed', models.BooleanField(db_default=False)),
                ('product', models.CharField(max_length=48)),
                ('import_run_id', models.BigIntegerField(null=True)),
                ('user', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.DB_CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'timeseries"."activity_event',
                'indexes': [models.Index(fields=['user', 'import_run_id'], name='activity_event_run_idx'), models.Index(fields=['user', 'service', 'at'], name='activity_event_service_idx')],
            },
        ),
        core.operations.ProtectPerUserTable('timeseries', 'activity_event', privileges='SELECT, INSERT, DELETE', partitioned=True),
        migrations.RunPython(add_search, drop_search),
        migrations.RunPython(create_analytics, drop_analytics),
    ]
