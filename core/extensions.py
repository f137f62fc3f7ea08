"""Which of the design's PostgreSQL extensions this server has, and installing them.

The design names pgvector, PostGIS, TimescaleDB, pg_cron and pg_partman, with minimum versions (KNOWN).

The core works on plain PostgreSQL 15+; each extension adds something where
it is present (PostGIS: spatial index for the map; pgvector: embeddings;
pg_partman: partition premaking and retention; pg_cron: in-database
schedules; TimescaleDB: compression). The seed names minimum versions.
"""

from dataclasses import dataclass

from psycopg import sql


@dataclass(frozen=True)
class Known:
    name: str
    label: str
    minimum: str | None
    purpose: str
    schema: str | None = None
    preload: str | None = None  # shared_preload_libraries entry it needs


KNOWN = (
    Known("vector", "pgvector", "0.5.1", "vector embeddings (vectors schema)"),
    Known("postgis", "PostGIS", "3.4", "spatial index and queries for the map"),
    Known("pg_partman", "pg_partman", "5.0", "partition premaking and retention", schema="partman"),
    Known("pg_cron", "pg_cron", None, "in-database maintenance schedules", preload="pg_cron"),
    Known("timescaledb", "TimescaleDB", None, "time-series compression", preload="timescaledb"),
)


@dataclass(frozen=True)
class ExtensionStatus:
    name: str
    label: str
    purpose: str
    minimum: str | None
    available: str | None
    installed: str | None
    note: str

    @property
    def meets_minimum(self) -> bool:
        if not self.installed:
            return False
        return self.minimum is None or version_tuple(self.installed) >= version_tuple(self.minimum)

    @property
    def state(self) -> str:
        if self.installed:
            return "installed" if self.meets_minimum else "too old"
        return "available" if self.available else "missing"


def version_tuple(version: str) -> tuple[int, ...]:
    parts = []
    for piece in version.replace("-", ".").split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


# Both are superuser-only settings (pg_read_all_settings) once pg_cron is
# loaded: the app role reads them through ops.extension_settings()
# (monitoring's migration 0002), the administrative connection (bootstrap,
# before any migration) directly.
SETTINGS_SQL = ("SELECT current_setting('shared_preload_libraries'), "
                "coalesce(current_setting('cron.database_name', true), 'postgres')")


def _settings(cursor) -> tuple[set[str], str]:
    """(preloaded libraries, pg_cron's database)."""
    cursor.execute("SELECT pg_has_role('pg_read_all_settings', 'USAGE'), "
                   "to_regprocedure('ops.extension_settings()') IS NOT NULL")
    direct, through_function = cursor.fetchone()
    cursor.execute("SELECT * FROM ops.extension_settings()" if through_function and not direct else SETTINGS_SQL)
    preload, cron_database = cursor.fetchone()
    return {item.strip() for item in preload.split(",") if item.strip()}, cron_database


def extension_status(cursor) -> list[ExtensionStatus]:
    cursor.execute(
        """
        SELECT a.name, a.default_version, e.extversion
          FROM pg_available_extensions a
          LEFT JOIN pg_extension e ON e.extname = a.name
         WHERE a.name = ANY(%s)
        """,
        [[k.name for k in KNOWN]],
    )
    found = {name: (available, installed) for name, available, installed in cursor.fetchall()}
    preloaded, cron_database = _settings(cursor)
    cursor.execute("SELECT current_database()")
    database = cursor.fetchone()[0]
    result = []
    for known in KNOWN:
        available, installed = found.get(known.name, (None, None))
        note = ""
        if not available:
            note = "not packaged on this server"
        elif known.preload and known.preload not in preloaded and not installed:
            note = f"needs shared_preload_libraries = '{known.preload}' and a restart"
        elif known.name == "pg_cron" and not installed and cron_database != database:
            # pg_cron lives in exactly one database per server.
            note = f"cron.database_name is {cron_database}, not this database"
        result.append(
            ExtensionStatus(known.name, known.label, known.purpose, known.minimum, available, installed, note)
        )
    return result


def install_available(cursor) -> list[str]:
    """CREATE EXTENSION for each known extension this server can load. Needs a superuser."""
    messages = []
    for status in extension_status(cursor):
        known = next(k for k in KNOWN if k.name == status.name)
        if status.installed or not status.available:
            continue
        if status.note:
            messages.append(f"{known.label}: skipped, {status.note}")
            continue
        statement = sql.SQL("CREATE EXTENSION IF NOT EXISTS {}").format(sql.Identifier(known.name))
        if known.schema:
            cursor.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(known.schema)))
            statement = sql.SQL("{} SCHEMA {}").format(statement, sql.Identifier(known.schema))
        cursor.execute(statement)
        messages.append(f"{known.label}: installed")
    return messages
