"""Catalog queries behind the health dashboards, one function per question.

They run as the app role on the "default" connection, which is no member
of pg_monitor: other roles' sessions (query text with literals, passwords in
ALTER ROLE) and superuser-only settings come through the SECURITY DEFINER
functions below, owned by the owner role, which hand out only what ops need.
Row counts here are the statistics collector's and the planner's estimates
(`pg_stat_all_tables.n_live_tup`, `pg_class.reltuples`), never `count(*)`.

Each function returns plain dicts (cacheable, JSON-able). A fixed number of
queries serves any number of tables and partitions: the overview's query
count does not grow with the lake.
"""

import re

from core.partitions import parse_bound

# Schemas whose relations are PostgreSQL's own, not ours.
SYSTEM_SCHEMAS = ["pg_catalog", "information_schema", "pg_toast"]


def _rows(cursor, query, params=None):
    cursor.execute(query, params or {})
    names = [col.name for col in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def fresh_statistics(cursor) -> None:
    """Drop this transaction's cached statistics snapshot (stats_fetch_consistency)."""
    cursor.execute("SELECT pg_stat_clear_snapshot()")


SERVER_SQL = """
SELECT current_database() AS database,
       age(d.datfrozenxid) AS xid_age,
       mxid_age(d.datminmxid) AS mxid_age,
       pg_database_size(d.oid) AS database_bytes,
       s.blks_hit, s.blks_read, s.xact_commit, s.deadlocks, s.temp_bytes,
       (SELECT json_object_agg(name, setting) FROM pg_settings WHERE name = ANY(%(settings)s)) AS settings,
       (SELECT json_agg(json_build_object('database', datname, 'xid_age', age(datfrozenxid),
                                          'mxid_age', mxid_age(datminmxid)))
          FROM pg_database WHERE datallowconn) AS databases,
       (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend') AS connections,
       now() AS now
  FROM pg_database d
  JOIN pg_stat_database s ON s.datid = d.oid
 WHERE d.datname = current_database()
"""
SETTINGS = [
    "autovacuum", "autovacuum_vacuum_threshold", "autovacuum_vacuum_scale_factor",
    "autovacuum_analyze_threshold", "autovacuum_analyze_scale_factor", "autovacuum_freeze_max_age",
    "autovacuum_multixact_freeze_max_age", "autovacuum_naptime", "max_connections", "track_counts",
    "superuser_reserved_connections", "server_version_num", "block_size",
]


def server(cursor) -> dict:
    """Database-wide figures: wraparound ages, buffer counters, size, settings."""
    row = _rows(cursor, SERVER_SQL, {"settings": SETTINGS})[0]
    row["settings"] = {k: v for k, v in (row["settings"] or {}).items()}
    return row


RELATIONS_SQL = """
WITH RECURSIVE tree AS (
    -- Every root of a partition tree in our schemas, then its descendants, so
    -- each leaf carries the root it rolls up to (pgwatch does the same).
    SELECT c.oid AS root, c.oid AS relid, 0 AS depth
      FROM pg_partitioned_table p
      JOIN pg_class c ON c.oid = p.partrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE NOT c.relispartition AND n.nspname <> ALL(%(system)s)
    UNION ALL
    SELECT t.root, i.inhrelid, t.depth + 1
      FROM tree t JOIN pg_inherits i ON i.inhparent = t.relid
)
SELECT c.oid AS oid, n.nspname AS schema, c.relname AS name, c.relkind AS kind,
       rn.nspname AS root_schema, rc.relname AS root_name, coalesce(t.depth, 0) AS depth,
       pg_get_expr(c.relpartbound, c.oid) AS bound,
       coalesce(i.inhdetachpending, false) AS detach_pending,
       d.description AS comment,
       c.reltuples::bigint AS reltuples, c.relpages AS pages, c.reloptions AS reloptions,
       tc.reloptions AS toast_reloptions,
       CASE WHEN c.relkind IN ('r', 'm') THEN pg_total_relation_size(c.oid) ELSE 0 END AS bytes,
       CASE WHEN c.relkind IN ('r', 'm') THEN pg_relation_size(c.oid) ELSE 0 END AS heap_bytes,
       CASE WHEN c.relkind IN ('r', 'm') THEN greatest(age(c.relfrozenxid), age(tc.relfrozenxid)) END AS xid_age,
       CASE WHEN c.relkind IN ('r', 'm') THEN mxid_age(c.relminmxid) END AS mxid_age,
       s.n_live_tup, s.n_dead_tup, s.n_mod_since_analyze, s.n_tup_ins,
       s.last_vacuum, s.last_autovacuum, s.last_analyze, s.last_autoanalyze,
       s.vacuum_count, s.autovacuum_count, s.analyze_count, s.autoanalyze_count,
       io.heap_blks_hit, io.heap_blks_read, io.idx_blks_hit, io.idx_blks_read
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN tree t ON t.relid = c.oid
  LEFT JOIN pg_class rc ON rc.oid = t.root
  LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
  LEFT JOIN pg_inherits i ON i.inhrelid = c.oid
  LEFT JOIN pg_class tc ON tc.oid = c.reltoastrelid
  LEFT JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
  LEFT JOIN pg_stat_all_tables s ON s.relid = c.oid
  LEFT JOIN pg_statio_all_tables io ON io.relid = c.oid
 WHERE c.relkind IN ('r', 'm', 'p') AND n.nspname <> ALL(%(system)s)
"""


def relations(cursor) -> list[dict]:
    """Every table, materialized view and partitioned table, with stats and its partition root."""
    rows = _rows(cursor, RELATIONS_SQL, {"system": SYSTEM_SCHEMAS})
    for row in rows:
        row["label"] = f"{row['schema']}.{row['name']}"
        row["root"] = f"{row['root_schema']}.{row['root_name']}" if row["root_schema"] else None
        row["lower"], row["upper"], row["is_default"] = parse_bound(row["bound"])
    return rows




INDEXES_SQL = """
SELECT ci.oid AS oid, n.nspname AS schema, ci.relname AS name, ct.relname AS table_name,
       ci.relkind AS kind, x.indisvalid AS valid, x.indisunique AS is_unique, x.indisprimary AS is_primary,
       x.indisready AS ready, x.indkey::text AS columns, x.indclass::text AS opclasses,
       pg_get_expr(x.indexprs, x.indrelid) AS expressions, pg_get_expr(x.indpred, x.indrelid) AS predicate,
       am.amname AS method,
       CASE WHEN ci.relkind = 'i' THEN pg_relation_size(ci.oid) ELSE 0 END AS bytes,
       s.idx_scan, io.idx_blks_hit, io.idx_blks_read, ct.relispartition AS on_partition
  FROM pg_index x
  JOIN pg_class ci ON ci.oid = x.indexrelid
  JOIN pg_class ct ON ct.oid = x.indrelid
  JOIN pg_namespace n ON n.oid = ci.relnamespace
  JOIN pg_am am ON am.oid = ci.relam
  LEFT JOIN pg_stat_all_indexes s ON s.indexrelid = ci.oid
  LEFT JOIN pg_statio_all_indexes io ON io.indexrelid = ci.oid
 WHERE n.nspname <> ALL(%(system)s)
"""


def indexes(cursor) -> list[dict]:
    rows = _rows(cursor, INDEXES_SQL, {"system": SYSTEM_SCHEMAS})
    for row in rows:
        row["label"] = f"{row['schema']}.{row['name']}"
        row["table"] = f"{row['schema']}.{row['table_name']}"
    return rows


# The app role reads sessions and superuser-only settings through SECURITY
# DEFINER functions owned by the owner (which is in pg_monitor):
# ops.session_activity(), ops.vacuum_progress(), ops.extension_settings() and
# ops.mask_literals(text), defined in monitoring/migrations/0002. Fixed SQL,
# no argument but mask_literals' text, and a search path that no temporary
# object can shadow.
ACTIVITY_SQL = "SELECT * FROM ops.session_activity()"


# Django binds parameters client-side, so a session's query text carries the
# values themselves (a user's search words, coordinates). Ops see the shape.
_LITERAL_RE = re.compile(r"(?:[EeBbXxNn]|[Uu]&)?'(?:[^']|'')*'?|\$(\w*)\$.*?\$\1\$|\b\d+(?:\.\d+)?(?:[eE][-+]?\d+)?\b",
                         re.S)


def mask_literals(query: str | None) -> str:
    """The query with every string and number literal replaced by `?`."""
    return _LITERAL_RE.sub("?", query or "")


def activity(cursor) -> list[dict]:
    """Every session of the server but ours (query text cut short, literals masked)."""
    rows = _rows(cursor, ACTIVITY_SQL)
    for row in rows:
        row["query"] = mask_literals(row["query"])
    return rows


HORIZON_SQL = """
SELECT 'replication slot' AS kind, slot_name AS name, active,
       greatest(age(xmin), age(catalog_xmin)) AS xmin_age
  FROM pg_replication_slots
UNION ALL
SELECT 'prepared transaction', gid, false, age(transaction)
  FROM pg_prepared_xacts
"""


def horizon_holders(cursor) -> list[dict]:
    """Replication slots and prepared transactions; sessions come from `activity`."""
    return _rows(cursor, HORIZON_SQL)


PROGRESS_SQL = "SELECT * FROM ops.vacuum_progress()"


def vacuum_progress(cursor) -> list[dict]:
    return _rows(cursor, PROGRESS_SQL)


SEQUENCES_SQL = """
SELECT s.schemaname AS schema, s.sequencename AS name, s.data_type::text AS data_type,
       s.last_value, s.max_value, s.increment_by,
       format_type(a.atttypid, a.atttypmod) AS column_type,
       tc.relname AS table_name, a.attname AS column_name
  FROM pg_sequences s
  -- Joined by name, not cast to regclass: the cast needs USAGE on the schema, and the
  -- app role has none on some (sql_access, people's workspaces).
  JOIN pg_namespace sn ON sn.nspname = s.schemaname
  JOIN pg_class sc ON sc.relnamespace = sn.oid AND sc.relname = s.sequencename
  LEFT JOIN pg_depend dep ON dep.objid = sc.oid
                         AND dep.classid = 'pg_class'::regclass AND dep.refclassid = 'pg_class'::regclass
                         AND dep.deptype IN ('a', 'i')
  LEFT JOIN pg_class tc ON tc.oid = dep.refobjid
  LEFT JOIN pg_attribute a ON a.attrelid = dep.refobjid AND a.attnum = dep.refobjsubid
 WHERE s.schemaname <> ALL(%(system)s)
"""
TYPE_MAX = {"smallint": 2**15 - 1, "integer": 2**31 - 1, "bigint": 2**63 - 1}


def sequences(cursor) -> list[dict]:
    """Sequences and how much of their column type's range is used.

    `last_value` is NULL where the app role may not read the sequence or it
    was never used; those show as unknown rather than as empty.
    """
    rows = _rows(cursor, SEQUENCES_SQL, {"system": SYSTEM_SCHEMAS})
    for row in rows:
        limit = min(filter(None, [row["max_value"], TYPE_MAX.get(row["column_type"] or "")]))
        row["limit"] = limit
        row["used"] = (row["last_value"] / limit) if row["last_value"] is not None and limit else None
    return rows


def matviews(cursor, schema: str = "analytics") -> list[str]:
    cursor.execute("SELECT format('%%I.%%I', schemaname, matviewname) FROM pg_matviews WHERE schemaname = %s "
                   "ORDER BY 1", [schema])
    return [row[0] for row in cursor.fetchall()]
