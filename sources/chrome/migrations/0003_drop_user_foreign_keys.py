"""The partitioned tables lose their per-row foreign key to the user table.

Each inserted row paid for it; deleting a user goes through the
delete-everything path instead. Django would look the constraint up under
the wrong name (schema-qualified tables), so the database side is our own
operation."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.operations


class Migration(migrations.Migration):

    dependencies = [
        ('chrome', '0002_bookmark_search'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='browservisit',
                    name='user',
                    field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
            ],
            database_operations=[
                core.operations.DropForeignKeysToUsers('timeseries', 'browser_visit'),
            ],
        ),
    ]
