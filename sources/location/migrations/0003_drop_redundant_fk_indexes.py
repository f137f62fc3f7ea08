"""Drop foreign-key indexes that a composite key or index already leads with.

Django cannot find them itself: it introspects the schema-qualified tables
under the wrong name, so the state change carries explicit SQL."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('location', '0002_search_map_analytics'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='activitysegment',
                    name='user',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.DB_CASCADE, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='device',
                    name='user',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.DB_CASCADE, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='locationpoint',
                    name='user',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.DB_CASCADE, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='placevisit',
                    name='user',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.DB_CASCADE, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
            ],
            database_operations=[
                migrations.RunSQL("DROP INDEX IF EXISTS timeseries.activity_segment_user_id_c3ed58ec", migrations.RunSQL.noop),
                migrations.RunSQL("DROP INDEX IF EXISTS user_data.device_user_id_2c2d5731", migrations.RunSQL.noop),
                migrations.RunSQL("DROP INDEX IF EXISTS timeseries.location_point_user_id_d80becc8", migrations.RunSQL.noop),
                migrations.RunSQL("DROP INDEX IF EXISTS timeseries.place_visit_user_id_b47ca928", migrations.RunSQL.noop),
            ],
        ),
    ]
