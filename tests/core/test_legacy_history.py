"""A database migrated under the old app names (lake, archive) needs nothing migrated again."""

from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from core.legacy import RENAMED_MIGRATIONS, RENAMED_MODELS, rename_legacy_history


def _history(cursor):
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    migrations = cursor.fetchall()
    cursor.execute("SELECT app_label, model FROM django_content_type ORDER BY app_label, model")
    return migrations, cursor.fetchall()


def _as_before_the_split(cursor):
    """Write the history as the old layout left it."""
    for (old_app, old_name), new in RENAMED_MIGRATIONS.items():
        cursor.execute("INSERT INTO django_migrations (app, name, applied) VALUES (%s, %s, now())",
                       [old_app, old_name])
        for app, name in new:
            cursor.execute("DELETE FROM django_migrations WHERE app = %s AND name = %s", [app, name])
    for (old_app, model), app in RENAMED_MODELS.items():
        cursor.execute("UPDATE django_content_type SET app_label = %s WHERE app_label = %s AND model = %s",
                       [old_app, app, model])


def test_the_old_names_are_renamed_and_migrate_has_nothing_to_do(committed):
    connection = connections["owner"]
    with connection.cursor() as cursor:
        before = _history(cursor)
        _as_before_the_split(cursor)
        try:
            # Under the old names the new ones look unapplied. (Asked of the recorder, not of a plan to
            # the leaf nodes: a leaf added later, already applied, would make that plan empty anyway.)
            applied = MigrationRecorder(connection).applied_migrations()
            renamed = [key for new in RENAMED_MIGRATIONS.values() for key in new]
            assert renamed and not any(key in applied for key in renamed), "the old names must look unapplied"

            done = rename_legacy_history(cursor)

            assert len([line for line in done if line.startswith("migration ")]) == len(RENAMED_MIGRATIONS)
            assert _history(cursor) == before
            executor = MigrationExecutor(connection)
            assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
            assert rename_legacy_history(cursor) == []  # idempotent
        finally:
            # Whatever happened, leave the shared test database's history as it was.
            cursor.execute("DELETE FROM django_migrations WHERE app IN ('lake', 'archive')")
            for (_old_app, _old), new in RENAMED_MIGRATIONS.items():
                for app, name in new:
                    cursor.execute("INSERT INTO django_migrations (app, name, applied) SELECT %s, %s, now() "
                                   "WHERE NOT EXISTS (SELECT FROM django_migrations WHERE app = %s AND name = %s)",
                                   [app, name, app, name])
            for (old_app, model), app in RENAMED_MODELS.items():
                cursor.execute("UPDATE django_content_type SET app_label = %s WHERE app_label = %s AND model = %s",
                               [app, old_app, model])
