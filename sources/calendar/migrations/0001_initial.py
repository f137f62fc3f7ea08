"""Calendar events: one per-user table with row-level security before any row arrives, and
full-text search over titles, places, descriptions and calendar names.

Frozen: the SQL is written here as it was when this migration was made.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.operations

SEARCH = [
    """ALTER TABLE "user_data"."calendar_event" ADD COLUMN search tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple'::regconfig, coalesce(summary, '')), 'A') || setweight(to_tsvector('simple'::regconfig, coalesce(location, '') || ' ' || coalesce(calendar, '')), 'B') || setweight(to_tsvector('simple'::regconfig, coalesce(description, '')), 'C')) STORED""",
    """CREATE INDEX calendar_event_search_idx ON "user_data"."calendar_event" USING gin (search)""",
]
SEARCH_DROP = [
    """DROP INDEX IF EXISTS user_data.calendar_event_search_idx""",
    """ALTER TABLE "user_data"."calendar_event" DROP COLUMN IF EXISTS search""",
]


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('core', '0001_schemas'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CalendarEvent',
            fields=[
                ('pk', models.CompositePrimaryKey('user_id', 'calendar', 'uid', 'recurrence_id', blank=True, editable=False, primary_key=True, serialize=False)),
                ('calendar', models.CharField(max_length=200)),
                ('uid', models.CharField(max_length=500)),
                ('recurrence_id', models.CharField(blank=True, max_length=40)),
                ('summary', models.TextField(blank=True)),
                ('description', models.TextField(blank=True)),
                ('location', models.TextField(blank=True)),
                ('status', models.CharField(blank=True, max_length=20)),
                ('organizer', models.TextField(blank=True)),
                ('attendees', models.JSONField(default=list)),
                ('starts_at', models.DateTimeField()),
                ('ends_at', models.DateTimeField(null=True)),
                ('all_day', models.BooleanField(default=False)),
                ('tzid', models.CharField(blank=True, max_length=100)),
                ('utc_offset_minutes', models.SmallIntegerField(null=True)),
                ('rrule', models.TextField(blank=True)),
                ('rdates', models.JSONField(default=list)),
                ('exdates', models.JSONField(default=list)),
                ('recurs_until', models.DateTimeField(null=True)),
                ('ics', models.TextField()),
                ('product', models.CharField(max_length=48)),
                ('import_run_id', models.BigIntegerField(null=True)),
                ('user', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.DB_CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'user_data"."calendar_event',
                'indexes': [models.Index(fields=['user', 'import_run_id'], name='calendar_event_run_idx'), models.Index(fields=['user', 'starts_at'], name='calendar_event_starts_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('ends_at__isnull', True), ('ends_at__gte', models.F('starts_at')), _connector='OR'), name='calendar_event_end_check')],
            },
        ),
        core.operations.ProtectPerUserTable('user_data', 'calendar_event', privileges='SELECT, INSERT, DELETE'),
        migrations.RunSQL(SEARCH, SEARCH_DROP),
    ]
