"""What the reader group (every SQL login's privileges) may read, from the catalog.

The rule, not a list: per-user tables (a `user_id` column, row-level security
enabled and FORCE'd, the `user_isolation` policy) and per-user views (a
security_barrier view whose definition filters on `current_user_id()`) in the
lake's data schemas. Partitions, `imports`, `ops`, `audit`, `archive`,
Django's own tables and the analytics materialized views behind the views
(which row-level security cannot protect) never qualify. A table another app
adds later qualifies as soon as its migration protects it: the grants are
re-synced after every `migrate` and before every login is granted.
"""

from django.conf import settings
from psycopg import sql

DATA_SCHEMAS = ("user_data", "timeseries", "analytics", "vectors")

READABLE = """
SELECT n.nspname, c.relname, c.relkind
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = ANY(%(schemas)s)
   AND (
        (c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relrowsecurity AND c.relforcerowsecurity
         AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'user_id'
                      AND NOT a.attisdropped)
         AND EXISTS (SELECT FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = 'user_isolation'
                      AND pg_get_expr(p.polqual, p.polrelid) LIKE '%%current_user_id()%%'))
     OR (c.relkind = 'v' AND 'security_barrier=true' = ANY(coalesce(c.reloptions, '{}'))
         AND pg_get_viewdef(c.oid) LIKE '%%current_user_id()%%')
   )
 ORDER BY 1, 2
"""


def readable_relations(cursor) -> list[tuple[str, str, str]]:
    """(schema, name, relkind) of everything a SQL login may SELECT."""
    cursor.execute(READABLE, {"schemas": list(DATA_SCHEMAS)})
    return cursor.fetchall()


def sync_reader_privileges(cursor) -> int:
    """Grant the reader group SELECT on exactly the readable relations; run as the owner.

    Anything else it holds in the data schemas is revoked first, so a table
    that stops qualifying (its policy dropped) stops being readable.
    """
    reader = sql.Identifier(settings.DB_READER_ROLE)
    relations = readable_relations(cursor)
    for schema in DATA_SCHEMAS:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema])
        if cursor.fetchone():
            cursor.execute(sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}").format(
                sql.Identifier(schema), reader))
            cursor.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(schema), reader))
    for schema, name, _kind in relations:
        cursor.execute(sql.SQL("GRANT SELECT ON {} TO {}").format(sql.Identifier(schema, name), reader))
    return len(relations)


def sync_after_migrate(sender, using="default", **kwargs):
    from django.db import connections

    if using != "owner":  # tables belong to the owner: only its connection may grant on them
        return
    with connections[using].cursor() as cursor:
        sync_reader_privileges(cursor)


COLUMNS = """
SELECT a.attname, format_type(a.atttypid, a.atttypmod)
  FROM pg_attribute a
 WHERE a.attrelid = (quote_ident(%s) || '.' || quote_ident(%s))::regclass AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attnum
"""


def readable_catalog(cursor) -> list[dict]:
    """The relations a login may read, each with its columns and types: the page's reference."""
    catalog = []
    for schema, name, kind in readable_relations(cursor):
        cursor.execute(COLUMNS, [schema, name])
        catalog.append({"name": f"{schema}.{name}", "kind": "view" if kind == "v" else "table",
                        "columns": [{"name": c, "type": t} for c, t in cursor.fetchall()]})
    return catalog
