"""Databases made before the rooms were split: their migration history, renamed.

Until then the platform and location history were one app, `lake`, and the
lifecycle app was `archive`. Their migrations now live in `core`,
`location` and `lifecycle`, doing exactly what they did (tests/core proves a
database migrated from zero has the same schema). A database migrated under
the old names records the old ones in django_migrations; this renames them
(and the content types the permissions hang on) so `migrate` finds nothing to
redo. It runs from `bootstrap_db`, before `migrate`, and is idempotent.
"""

from psycopg import sql

# old (app, migration) -> the new ones it became
RENAMED_MIGRATIONS = {
    ("lake", "0001_schemas"): [("core", "0001_schemas")],
    ("lake", "0002_initial"): [("core", "0002_maintenance_run"), ("location", "0001_initial")],
    ("lake", "0003_views_search_analytics"): [("location", "0002_search_map_analytics")],
    ("lake", "0004_drop_redundant_fk_indexes"): [("location", "0003_drop_redundant_fk_indexes")],
    ("archive", "0001_initial"): [("lifecycle", "0001_initial")],
    ("archive", "0002_drop_redundant_fk_indexes"): [("lifecycle", "0002_drop_redundant_fk_indexes")],
}
# (old app label, model) -> new app label
RENAMED_MODELS = {
    ("lake", "maintenancerun"): "core",
    ("lake", "device"): "location",
    ("lake", "locationpoint"): "location",
    ("lake", "placevisit"): "location",
    ("lake", "activitysegment"): "location",
    **{("archive", model): "lifecycle" for model in
       ("policy", "lifecyclerun", "archivedpartition", "archivefile", "archivedsummary")},
}


def _table_exists(cursor, name: str) -> bool:
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
    return cursor.fetchone()[0]


def rename_legacy_history(cursor) -> list[str]:
    """Rename the old apps' rows in django_migrations and django_content_type. Returns what it did."""
    if not _table_exists(cursor, "public.django_migrations"):
        return []
    done = []
    for (old_app, old_name), new in RENAMED_MIGRATIONS.items():
        cursor.execute("SELECT applied FROM django_migrations WHERE app = %s AND name = %s", [old_app, old_name])
        row = cursor.fetchone()
        if row is None:
            continue
        for app, name in new:
            cursor.execute(
                "INSERT INTO django_migrations (app, name, applied) SELECT %s, %s, %s WHERE NOT EXISTS "
                "(SELECT FROM django_migrations WHERE app = %s AND name = %s)", [app, name, row[0], app, name])
        cursor.execute("DELETE FROM django_migrations WHERE app = %s AND name = %s", [old_app, old_name])
        done.append(f"migration {old_app}.{old_name} recorded as {', '.join(f'{a}.{n}' for a, n in new)}")
    if _table_exists(cursor, "public.django_content_type"):
        for (old_app, model), app in RENAMED_MODELS.items():
            cursor.execute(sql.SQL(
                "UPDATE django_content_type SET app_label = %s WHERE app_label = %s AND model = %s "
                "AND NOT EXISTS (SELECT FROM django_content_type WHERE app_label = %s AND model = %s)"),
                [app, old_app, model, app, model])
            if cursor.rowcount:
                done.append(f"content type {old_app}.{model} is now {app}.{model}")
    return done
