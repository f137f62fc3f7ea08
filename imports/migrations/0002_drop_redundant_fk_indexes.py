"""Drop foreign-key indexes that a composite key or index already leads with.

Django cannot find them itself: it introspects the schema-qualified tables
under the wrong name, so the state change carries explicit SQL."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('imports', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='importfile',
                    name='run',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.DB_CASCADE, related_name='files', to='imports.importrun'),
                ),
                migrations.AlterField(
                    model_name='importmember',
                    name='run',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.DB_CASCADE, related_name='members', to='imports.importrun'),
                ),
                migrations.AlterField(
                    model_name='importrun',
                    name='user',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.DB_CASCADE, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
            ],
            database_operations=[
                migrations.RunSQL("DROP INDEX IF EXISTS imports.import_run_user_id_d3f32c85", migrations.RunSQL.noop),
                migrations.RunSQL("DROP INDEX IF EXISTS imports.import_member_run_id_3eea3653", migrations.RunSQL.noop),
                migrations.RunSQL("DROP INDEX IF EXISTS imports.import_file_run_id_1eb5c95a", migrations.RunSQL.noop),
            ],
        ),
    ]
