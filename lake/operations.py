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
