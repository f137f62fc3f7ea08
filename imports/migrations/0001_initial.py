"""Import runs, files and members, each under row-level security, and the
reconciler's narrow view of open runs (imports.liveness)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from psycopg import sql

import core.operations

# Frozen copy of what imports.liveness defined when this migration was written:
# the reconciler must see every open run, whoever owns it, and nothing else.
OPEN_RUNS_FUNCTION = """
CREATE OR REPLACE FUNCTION imports.open_runs()
RETURNS TABLE (id bigint, user_id bigint, status varchar, attempts integer, job_id varchar,
               created_at timestamptz, heartbeat_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT id, user_id, status, attempts, job_id, created_at, heartbeat_at
      FROM imports.import_run
     WHERE status IN ('queued', 'running')
$$
"""


def create_open_runs(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(OPEN_RUNS_FUNCTION)
        cursor.execute("REVOKE ALL ON FUNCTION imports.open_runs() FROM PUBLIC")
        cursor.execute(sql.SQL("GRANT EXECUTE ON FUNCTION imports.open_runs() TO {}").format(
            sql.Identifier(settings.DB_APP_ROLE)))


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('core', '0001_schemas'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ImportFile',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('part', models.PositiveSmallIntegerField()),
                ('original_name', models.CharField(max_length=500)),
                ('sha256', models.CharField(max_length=64)),
                ('size', models.BigIntegerField()),
                ('path', models.CharField(max_length=1000)),
                ('error', models.TextField(blank=True)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.DB_CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'imports"."import_file',
                'ordering': ['run', 'part'],
            },
        ),
        migrations.CreateModel(
            name='ImportRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('succeeded', 'Succeeded'), ('partial', 'Partial'), ('failed', 'Failed')], default='queued', max_length=16)),
                ('stage', models.CharField(choices=[('waiting', 'Waiting for a worker'), ('scanning', 'Listing the archives'), ('loading', 'Loading members'), ('analyzing', 'Updating statistics'), ('finished', 'Finished')], default='waiting', max_length=16)),
                ('source', models.CharField(choices=[('upload', 'Upload'), ('command', 'Command')], default='upload', max_length=16)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('started_at', models.DateTimeField(null=True)),
                ('finished_at', models.DateTimeField(null=True)),
                ('heartbeat_at', models.DateTimeField(null=True)),
                ('claimed_by', models.CharField(blank=True, max_length=200)),
                ('attempts', models.PositiveIntegerField(default=0)),
                ('job_id', models.CharField(blank=True, max_length=64)),
                ('members_total', models.PositiveIntegerField(default=0)),
                ('members_done', models.PositiveIntegerField(default=0)),
                ('bytes_total', models.BigIntegerField(default=0)),
                ('bytes_done', models.BigIntegerField(default=0)),
                ('accepted', models.BigIntegerField(default=0)),
                ('rejected', models.BigIntegerField(default=0)),
                ('duplicates', models.BigIntegerField(default=0)),
                ('load_seconds', models.FloatField(default=0)),
                ('products', models.JSONField(default=dict)),
                ('rejections', models.JSONField(default=dict)),
                ('notices', models.JSONField(default=list)),
                ('error', models.TextField(blank=True)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.DB_CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'imports"."import_run',
            },
        ),
        migrations.CreateModel(
            name='ImportMember',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=1024)),
                ('size', models.BigIntegerField(null=True)),
                ('product', models.CharField(max_length=48, null=True)),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('done', 'Done'), ('skipped', 'Skipped'), ('failed', 'Failed')], default='pending', max_length=16)),
                ('accepted', models.BigIntegerField(default=0)),
                ('rejected', models.BigIntegerField(default=0)),
                ('duplicates', models.BigIntegerField(default=0)),
                ('first_at', models.DateTimeField(null=True)),
                ('last_at', models.DateTimeField(null=True)),
                ('rejections', models.JSONField(default=dict)),
                ('error', models.TextField(blank=True)),
                ('seconds', models.FloatField(default=0)),
                ('committed_at', models.DateTimeField(null=True)),
                ('file', models.ForeignKey(on_delete=django.db.models.deletion.DB_CASCADE, related_name='members', to='imports.importfile')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.DB_CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('run', models.ForeignKey(on_delete=django.db.models.deletion.DB_CASCADE, related_name='members', to='imports.importrun')),
            ],
            options={
                'db_table': 'imports"."import_member',
                'ordering': ['file_id', 'id'],
            },
        ),
        migrations.AddField(
            model_name='importfile',
            name='run',
            field=models.ForeignKey(on_delete=django.db.models.deletion.DB_CASCADE, related_name='files', to='imports.importrun'),
        ),
        migrations.AddIndex(
            model_name='importrun',
            index=models.Index(fields=['user', '-created_at'], name='import_run_user_created_idx'),
        ),
        migrations.AddIndex(
            model_name='importrun',
            index=models.Index(condition=models.Q(('status__in', ['queued', 'running'])), fields=['status'], name='import_run_open_idx'),
        ),
        migrations.AddConstraint(
            model_name='importmember',
            constraint=models.UniqueConstraint(fields=('run', 'file', 'name'), name='import_member_run_file_name_uniq'),
        ),
        migrations.AddConstraint(
            model_name='importfile',
            constraint=models.UniqueConstraint(fields=('run', 'part'), name='import_file_run_part_uniq'),
        ),
        core.operations.ProtectPerUserTable('imports', 'import_run'),
        core.operations.ProtectPerUserTable('imports', 'import_file'),
        core.operations.ProtectPerUserTable('imports', 'import_member'),
        migrations.RunPython(create_open_runs, migrations.RunPython.noop),
    ]
