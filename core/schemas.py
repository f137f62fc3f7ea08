"""The core PostgreSQL schemas and who may use them."""

# Schema -> privileges the app role gets on it. `archive` is missing on
# purpose: detached partitions live there, out of the app role's reach.
APP_SCHEMA_PRIVILEGES = {
    "user_data": "USAGE",
    "imports": "USAGE",
    "analytics": "USAGE",
    "vectors": "USAGE",
    "timeseries": "USAGE",
    "ops": "USAGE",
}
CORE_SCHEMAS = ("user_data", "imports", "analytics", "vectors", "timeseries", "archive")
# Operational metadata that is nobody's personal data: maintenance runs,
# health samples, lifecycle policies and their runs.
OPS_SCHEMA = "ops"
ALL_SCHEMAS = (*CORE_SCHEMAS, OPS_SCHEMA)
# The audit log has a schema of its own ("audit", created by the audit app) so
# its privileges (insert and read, never update or delete) stand apart.


def qualified(schema: str, table: str) -> str:
    """A `db_table` value that Django quotes into "schema"."table"."""
    return f'{schema}"."{table}'
