"""Maintenance runs are recorded by the owner connection only; the app role reads them."""

from django.db import migrations

import core.operations


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_maintenance_run'),
    ]

    operations = [
        core.operations.ReadOnlyForApp('ops', 'maintenance_run'),
    ]
