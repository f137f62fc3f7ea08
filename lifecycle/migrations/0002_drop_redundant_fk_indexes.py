"""Drop foreign-key indexes that a composite key or index already leads with.

Django cannot find them itself: it introspects the schema-qualified tables
under the wrong name, so the state change carries explicit SQL."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('lifecycle', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='archivedsummary',
                    name='user',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.DB_CASCADE, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='archivefile',
                    name='archived_partition',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.DB_CASCADE, related_name='files', to='lifecycle.archivedpartition'),
                ),
            ],
            database_operations=[
                migrations.RunSQL("DROP INDEX IF EXISTS ops.archived_summary_user_id_f3af41b7", migrations.RunSQL.noop),
                migrations.RunSQL("DROP INDEX IF EXISTS ops.archive_file_archived_partition_id_9ba93891", migrations.RunSQL.noop),
            ],
        ),
    ]
