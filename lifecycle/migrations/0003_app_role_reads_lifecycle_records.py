"""Runs, archived partitions and their file manifests are written by the owner connection only.

The app role could otherwise forge an archive file record and have the
scheduled run unlink whatever path it names. Policies stay writable: admins
edit them through the console, which connects as the app role.
"""

from django.db import migrations

import core.operations


class Migration(migrations.Migration):

    dependencies = [
        ('lifecycle', '0002_drop_redundant_fk_indexes'),
    ]

    operations = [
        core.operations.ReadOnlyForApp('ops', 'lifecycle_run'),
        core.operations.ReadOnlyForApp('ops', 'archived_partition'),
        core.operations.ReadOnlyForApp('ops', 'archive_file'),
    ]
