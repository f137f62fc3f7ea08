"""Migration operations for PostgreSQL features Django does not model."""

from django.conf import settings
from django.db import migrations
from django.utils import timezone
from psycopg import sql

from lake import partitions
from lake.rls import protect_statements


class CreatePartitionedModel(migrations.CreateModel):
    """CreateModel whose table is `PARTITION BY RANGE (column)`, with a default partition."""

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
    """Row-level security on a per-user table, and the app role's privileges on it.

    Partitioned tables also get their default partition (protected as well)
    and the partitions for this month and the next few.
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
            for statement in protect_statements(self.schema, self.table):
                cursor.execute(statement)
            cursor.execute(sql.SQL("GRANT " + self.privileges + " ON {} TO {}").format(target, app))
            if self.partitioned:
                table = partitions.REGISTRY[f"{self.schema}.{self.table}"]
                for statement in partitions.create_statements(table):
                    cursor.execute(statement)
                partitions.ensure_ahead(cursor, table, timezone.now())


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
