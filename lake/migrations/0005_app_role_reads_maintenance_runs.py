"""Maintenance runs are recorded by the owner connection only; the app role reads them."""

from django.db import migrations

import lake.operations


class Migration(migrations.Migration):

    dependencies = [
        ('lake', '0004_drop_redundant_fk_indexes'),
    ]

    operations = [
        lake.operations.ReadOnlyForApp('ops', 'maintenance_run'),
    ]
