"""Lifecycle metadata in schema ops; per-user archived summaries under row-level security."""

import django.db.models.deletion
import django.db.models.expressions
from django.conf import settings
from django.db import migrations, models

import core.operations


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('core', '0001_schemas'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Policy',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.SlugField(max_length=80, unique=True)),
                ('enabled', models.BooleanField(default=True)),
                ('table', models.CharField(help_text='The partitioned table, as schema.table.', max_length=120)),
                ('archive_after_days', models.PositiveIntegerField(help_text='Archive a month once its last day is this many days old.')),
                ('delete_after_days', models.PositiveIntegerField(blank=True, help_text='Delete the archive files once the month is this many days old (empty: keep them).', null=True)),
                ('quarantine_days', models.PositiveIntegerField(default=7, help_text='Days a detached partition waits in the archive schema before it is dropped.')),
                ('schedule', models.CharField(choices=[('hourly', 'Hourly'), ('daily', 'Daily'), ('weekly', 'Weekly')], default='daily', max_length=16)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('last_run_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'db_table': 'ops"."lifecycle_policy',
                'ordering': ['name'],
                'constraints': [models.UniqueConstraint(fields=('table',), name='lifecycle_policy_table_uniq'), models.CheckConstraint(condition=models.Q(('delete_after_days__isnull', True), ('delete_after_days__gte', django.db.models.expressions.CombinedExpression(models.F('archive_after_days'), '+', models.F('quarantine_days'))), _connector='OR'), name='lifecycle_policy_delete_after_archive'), models.CheckConstraint(condition=models.Q(('archive_after_days__gte', 1)), name='lifecycle_policy_archive_positive')],
            },
        ),
        migrations.CreateModel(
            name='LifecycleRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('archive', 'Archive'), ('restore', 'Restore'), ('raw_cleanup', 'Raw upload clean-up')], default='archive', max_length=16)),
                ('started_at', models.DateTimeField(auto_now_add=True)),
                ('finished_at', models.DateTimeField(null=True)),
                ('outcome', models.CharField(choices=[('running', 'Running'), ('ok', 'Ok'), ('failed', 'Failed'), ('skipped', 'Skipped (another run held the lock)')], default='running', max_length=16)),
                ('partitions_archived', models.PositiveIntegerField(default=0)),
                ('partitions_dropped', models.PositiveIntegerField(default=0)),
                ('rows', models.BigIntegerField(default=0)),
                ('bytes', models.BigIntegerField(default=0)),
                ('details', models.JSONField(default=dict)),
                ('error', models.TextField(blank=True)),
                ('policy', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.DB_SET_NULL, related_name='runs', to='lifecycle.policy')),
            ],
            options={
                'db_table': 'ops"."lifecycle_run',
                'ordering': ['-started_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='ArchivedPartition',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('table_label', models.CharField(max_length=120)),
                ('partition_name', models.CharField(max_length=120)),
                ('period_start', models.DateTimeField()),
                ('period_end', models.DateTimeField()),
                ('state', models.CharField(choices=[('exporting', 'Exporting'), ('verified', 'Verified (still attached)'), ('detached', 'Detached (in quarantine)'), ('dropped', 'Dropped (files only)'), ('expired', 'Expired (files deleted)'), ('restored', 'Restored'), ('failed', 'Failed')], default='exporting', max_length=16)),
                ('rows', models.BigIntegerField(default=0)),
                ('table_bytes', models.BigIntegerField(default=0)),
                ('file_bytes', models.BigIntegerField(default=0)),
                ('min_at', models.DateTimeField(null=True)),
                ('max_at', models.DateTimeField(null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('verified_at', models.DateTimeField(null=True)),
                ('detached_at', models.DateTimeField(null=True)),
                ('drop_after', models.DateTimeField(null=True)),
                ('dropped_at', models.DateTimeField(null=True)),
                ('delete_files_after', models.DateTimeField(null=True)),
                ('expired_at', models.DateTimeField(null=True)),
                ('restored_at', models.DateTimeField(null=True)),
                ('error', models.TextField(blank=True)),
                ('run', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.DB_SET_NULL, related_name='archives', to='lifecycle.lifecyclerun')),
                ('policy', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.DB_SET_NULL, related_name='archives', to='lifecycle.policy')),
            ],
            options={
                'db_table': 'ops"."archived_partition',
                'ordering': ['table_label', '-period_start'],
            },
        ),
        migrations.CreateModel(
            name='ArchivedSummary',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('table_label', models.CharField(max_length=120)),
                ('period', models.DateField()),
                ('product', models.CharField(max_length=48)),
                ('rows', models.BigIntegerField()),
                ('first_at', models.DateTimeField(null=True)),
                ('last_at', models.DateTimeField(null=True)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.DB_CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'ops"."archived_summary',
                'constraints': [models.UniqueConstraint(fields=('user', 'table_label', 'period', 'product'), name='archived_summary_uniq')],
            },
        ),
        migrations.CreateModel(
            name='ArchiveFile',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('data_owner_id', models.BigIntegerField()),
                ('relative_path', models.CharField(max_length=400)),
                ('key_id', models.CharField(max_length=120)),
                ('rows', models.BigIntegerField()),
                ('plaintext_bytes', models.BigIntegerField()),
                ('ciphertext_bytes', models.BigIntegerField()),
                ('plaintext_sha256', models.CharField(max_length=64)),
                ('ciphertext_sha256', models.CharField(max_length=64)),
                ('rows_sha256', models.CharField(max_length=64)),
                ('min_at', models.DateTimeField(null=True)),
                ('max_at', models.DateTimeField(null=True)),
                ('arrow_schema', models.TextField()),
                ('archived_partition', models.ForeignKey(on_delete=django.db.models.deletion.DB_CASCADE, related_name='files', to='lifecycle.archivedpartition')),
            ],
            options={
                'db_table': 'ops"."archive_file',
                'ordering': ['archived_partition', 'data_owner_id'],
                'constraints': [models.UniqueConstraint(fields=('archived_partition', 'data_owner_id'), name='archive_file_owner_uniq')],
            },
        ),
        migrations.AddIndex(
            model_name='lifecyclerun',
            index=models.Index(fields=['kind', '-started_at'], name='lifecycle_run_kind_idx'),
        ),
        migrations.AddIndex(
            model_name='archivedpartition',
            index=models.Index(fields=['state', 'drop_after'], name='archived_partition_state_idx'),
        ),
        migrations.AddConstraint(
            model_name='archivedpartition',
            constraint=models.UniqueConstraint(condition=models.Q(('state__in', ['exporting', 'verified', 'detached', 'dropped', 'expired'])), fields=('table_label', 'period_start'), name='archived_partition_active_uniq'),
        ),
        # Per-user totals of archived months: analytics reads them as the app role, in the user's scope.
        core.operations.ProtectPerUserTable('ops', 'archived_summary', privileges='SELECT'),
    ]
