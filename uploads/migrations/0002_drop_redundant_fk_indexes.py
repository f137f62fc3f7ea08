"""Drop foreign-key indexes that a composite key or index already leads with.

Django cannot find them itself: it introspects the schema-qualified tables
under the wrong name, so the state change carries explicit SQL."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('uploads', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='upload',
                    name='user',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.DB_CASCADE, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='uploadbatch',
                    name='user',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.DB_CASCADE, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
            ],
            database_operations=[
                migrations.RunSQL("DROP INDEX IF EXISTS imports.upload_batch_user_id_673b9212", migrations.RunSQL.noop),
                migrations.RunSQL("DROP INDEX IF EXISTS imports.upload_user_id_6c865c65", migrations.RunSQL.noop),
            ],
        ),
    ]
