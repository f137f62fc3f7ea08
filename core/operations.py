"""Migration operations for PostgreSQL features Django does not model.

APPEND-ONLY. A migration runs these operations on every database made from
zero, long after it was written, so what an operation does must never change
once a migration uses it: no imports of live application code, the SQL is
spelled out here. A new need gets a new operation (or a new keyword whose
default keeps the old behaviour).

Monthly partitions are not premade here: that is maintenance, which may
evolve; `core` premakes them after every `migrate` (see core/apps.py).
"""

from django.conf import settings
from django.db import migrations
from psycopg import sql

# The names these operations create. Live code refers to the same names
# (core.rls.POLICY_NAME, core.partitions): both sides are pinned by the
# schema description test.
_POLICY = "user_isolation"
_CURRENT_USER = "user_data.current_user_id()"


def _protect(cursor, schema: str, table: str) -> None:
    target = sql.Identifier(schema, table)
    cursor.execute(sql.SQL("ALTER TABLE {} ENABLE ROW LEVEL SECURITY").format(target))
    cursor.execute(sql.SQL("ALTER TABLE {} FORCE ROW LEVEL SECURITY").format(target))
    cursor.execute(sql.SQL("DROP POLICY IF EXISTS {} ON {}").format(sql.Identifier(_POLICY), target))
    cursor.execute(sql.SQL(
        f"CREATE POLICY {{}} ON {{}} USING (user_id = {_CURRENT_USER}) WITH CHECK (user_id = {_CURRENT_USER})"
    ).format(sql.Identifier(_POLICY), target))


def _default_partition(cursor, schema: str, table: str, *, per_user: bool) -> None:
    default = sql.Identifier(schema, f"{table}_default")
    cursor.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {} PARTITION OF {} DEFAULT").format(
        default, sql.Identifier(schema, table)))
    if per_user:
        _protect(cursor, schema, f"{table}_default")


class CreatePartitionedModel(migrations.CreateModel):
    """CreateModel whose table is `PARTITION BY RANGE (column)`."""

    def __init__(self, *args, partition_column, **kwargs):
        self.partition_column = partition_column
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, args, kwargs = super().deconstruct()
        kwargs["partition_column"] = self.partition_column
        return name, args, kwargs

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        statement, params = schema_editor.table_sql(model)
        column = schema_editor.quote_name(self.partition_column)
        schema_editor.execute(f"{statement} PARTITION BY RANGE ({column})", params or None)
        schema_editor.deferred_sql.extend(schema_editor._model_indexes_sql(model))


class ProtectPerUserTable(migrations.RunPython):
    """The one call every per-user table's migration makes after creating it.

    ENABLE + FORCE row-level security with the `user_isolation` policy (USING
    and WITH CHECK on `user_id = user_data.current_user_id()`), the app role's
    privileges, and for a partitioned table its default partition, protected
    the same way. FORCE makes the policy bind the table owner too.
    """

    def __init__(self, schema, table, privileges="SELECT, INSERT, UPDATE, DELETE", partitioned=False):
        self.schema, self.table, self.privileges, self.partitioned = schema, table, privileges, partitioned
        super().__init__(self._forwards, migrations.RunPython.noop)

    def deconstruct(self):
        kwargs = {"schema": self.schema, "table": self.table, "privileges": self.privileges,
                  "partitioned": self.partitioned}
        return self.__class__.__qualname__, [], kwargs

    def describe(self):
        return f"Row-level security on {self.schema}.{self.table}"

    def _forwards(self, apps, schema_editor):
        target = sql.Identifier(self.schema, self.table)
        app = sql.Identifier(settings.DB_APP_ROLE)
        with schema_editor.connection.cursor() as cursor:
            _protect(cursor, self.schema, self.table)
            cursor.execute(sql.SQL("GRANT " + self.privileges + " ON {} TO {}").format(target, app))
            if self.partitioned:
                _default_partition(cursor, self.schema, self.table, per_user=True)


class CreateDefaultPartition(migrations.RunPython):
    """The default partition of a partitioned table that holds no per-user rows."""

    def __init__(self, schema, table):
        self.schema, self.table = schema, table
        super().__init__(self._forwards, migrations.RunPython.noop)

    def deconstruct(self):
        return self.__class__.__qualname__, [], {"schema": self.schema, "table": self.table}

    def describe(self):
        return f"Default partition of {self.schema}.{self.table}"

    def _forwards(self, apps, schema_editor):
        with schema_editor.connection.cursor() as cursor:
            _default_partition(cursor, self.schema, self.table, per_user=False)


class ReadOnlyForApp(migrations.RunPython):
    """The app role may read a table but not write it (nor draw its ids).

    For records that only the owner connection writes (runs, manifests): a
    row the app role could forge there would be acted on with the owner's rights.
    """

    def __init__(self, schema, table):
        self.schema, self.table = schema, table
        super().__init__(self._forwards, self._backwards)

    def deconstruct(self):
        return self.__class__.__qualname__, [], {"schema": self.schema, "table": self.table}

    def describe(self):
        return f"App role reads {self.schema}.{self.table} only"

    def _statements(self, verb):
        target = sql.Identifier(self.schema, self.table)
        app = sql.Identifier(settings.DB_APP_ROLE)
        if verb == "REVOKE":
            yield sql.SQL("REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {} FROM {}").format(target, app)
            yield sql.SQL("GRANT SELECT ON {} TO {}").format(target, app)
        else:
            yield sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON {} TO {}").format(target, app)

    def _run(self, schema_editor, verb):
        with schema_editor.connection.cursor() as cursor:
            for statement in self._statements(verb):
                cursor.execute(statement)
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [f"{self.schema}.{self.table}"])
            sequence = cursor.fetchone()[0]
            if sequence:
                action = "REVOKE USAGE, UPDATE ON SEQUENCE {} FROM {}" if verb == "REVOKE" \
                    else "GRANT USAGE, SELECT ON SEQUENCE {} TO {}"
                cursor.execute(sql.SQL(action).format(sql.SQL(sequence), sql.Identifier(settings.DB_APP_ROLE)))

    def _forwards(self, apps, schema_editor):
        self._run(schema_editor, "REVOKE")

    def _backwards(self, apps, schema_editor):
        self._run(schema_editor, "GRANT")


class DropForeignKeysToUsers(migrations.RunPython):
    """Drop a partitioned fact table's foreign keys to the user table.

    Every inserted row paid for one (an RI trigger probing auth_user's key),
    though the delete-everything path already removes a person's rows: a
    Django user is deleted through it (explore.apps connects it to the
    user model's pre_delete). Dropping the parent's constraint drops its
    partitions' copies; a partition detached to the `archive` schema keeps
    a copy of its own, dropped here as well so a restore does not bring the
    constraint back. Irreversible by design: put back, it would have to
    validate every row.
    """

    def __init__(self, schema, table):
        self.schema, self.table = schema, table
        super().__init__(self._forwards, migrations.RunPython.noop)

    def deconstruct(self):
        return self.__class__.__qualname__, [], {"schema": self.schema, "table": self.table}

    def describe(self):
        return f"Drop the foreign keys from {self.schema}.{self.table} to the user table"

    def _forwards(self, apps, schema_editor):
        user_table = apps.get_model(settings.AUTH_USER_MODEL)._meta.db_table
        with schema_editor.connection.cursor() as cursor:
            # The parent, its partitions' inherited copies go with it (conparentid <> 0),
            # and detached partitions named after the table in the archive schema.
            cursor.execute(
                "SELECT n.nspname, r.relname, c.conname FROM pg_constraint c"
                " JOIN pg_class r ON r.oid = c.conrelid JOIN pg_namespace n ON n.oid = r.relnamespace"
                " WHERE c.contype = 'f' AND c.confrelid = to_regclass(%s) AND c.conparentid = 0"
                " AND ((n.nspname = %s AND r.relname = %s)"
                "      OR (n.nspname = 'archive' AND r.relname LIKE %s))",
                [user_table, self.schema, self.table, self.table.replace("_", r"\_") + r"\_%"],
            )
            for schema, table, name in cursor.fetchall():
                cursor.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                    sql.Identifier(schema, table), sql.Identifier(name)))
