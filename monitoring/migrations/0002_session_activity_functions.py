"""The narrow, masked window the app role now has on sessions and extension settings.

The app role leaves pg_monitor (lake.bootstrap): it could read every
session's query text, literals and passwords included. These SECURITY
DEFINER functions, owned by the owner role (a pg_monitor member), give the
dashboards every session with its literals masked, vacuum progress, and
shared_preload_libraries and cron.database_name (monitoring.catalog).
"""

from django.db import migrations

from monitoring import catalog


def create_functions(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for statement in catalog.monitor_function_statements():
            cursor.execute(statement)


def drop_functions(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for signature in ("ops.session_activity()", "ops.vacuum_progress()", "ops.extension_settings()",
                          "ops.mask_literals(text)"):
            cursor.execute(f"DROP FUNCTION IF EXISTS {signature}")


class Migration(migrations.Migration):

    dependencies = [
        ("monitoring", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_functions, drop_functions),
    ]
