"""Uploads and their batches in the `imports` schema, both under row-level security."""

import uuid

import django.db.models.deletion
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
            name='UploadBatch',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('expected_files', models.PositiveIntegerField(default=1)),
                ('state', models.CharField(choices=[('open', 'Uploading'), ('importing', 'Imported'), ('abandoned', 'Abandoned')], default='open', max_length=16)),
                ('import_run_id', models.BigIntegerField(null=True)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.DB_CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'imports"."upload_batch',
            },
        ),
        migrations.CreateModel(
            name='Upload',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('filename', models.CharField(max_length=255)),
                ('filetype', models.CharField(blank=True, max_length=255)),
                ('metadata', models.TextField(blank=True, db_default='')),
                ('size', models.BigIntegerField()),
                ('upload_offset', models.BigIntegerField(default=0)),
                ('sha256', models.CharField(blank=True, max_length=64)),
                ('state', models.CharField(choices=[('receiving', 'Receiving'), ('complete', 'Complete'), ('expired', 'Expired'), ('cancelled', 'Cancelled')], default='receiving', max_length=16)),
                ('raw_path', models.CharField(blank=True, max_length=200)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('expires_at', models.DateTimeField()),
                ('completed_at', models.DateTimeField(blank=True, null=True)),
                ('duplicate_of', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.DB_SET_NULL, related_name='+', to='uploads.upload')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.DB_CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('batch', models.ForeignKey(on_delete=django.db.models.deletion.DB_CASCADE, related_name='uploads', to='uploads.uploadbatch')),
            ],
            options={
                'db_table': 'imports"."upload',
            },
        ),
        migrations.AddIndex(
            model_name='uploadbatch',
            index=models.Index(fields=['user', '-created_at'], name='upload_batch_user_idx'),
        ),
        migrations.AddIndex(
            model_name='upload',
            index=models.Index(fields=['user', 'state'], name='upload_user_state_idx'),
        ),
        migrations.AddIndex(
            model_name='upload',
            index=models.Index(condition=models.Q(('state', 'receiving')), fields=['expires_at'], name='upload_receiving_expiry_idx'),
        ),
        migrations.AddIndex(
            model_name='upload',
            index=models.Index(condition=models.Q(('state', 'complete')), fields=['user', 'sha256'], name='upload_user_sha_idx'),
        ),
        migrations.AddConstraint(
            model_name='upload',
            constraint=models.CheckConstraint(condition=models.Q(('upload_offset__gte', 0), ('upload_offset__lte', models.F('size'))), name='upload_offset_within_size'),
        ),
        # The schema's default privileges already grant the app role DML.
        core.operations.ProtectPerUserTable('imports', 'upload_batch'),
        core.operations.ProtectPerUserTable('imports', 'upload'),
    ]
