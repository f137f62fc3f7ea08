"""The page's guides: connecting with psql, DuckDB and pandas, and example queries."""

from django.conf import settings
from psycopg.conninfo import make_conninfo


def for_connection(parameters: dict) -> dict:
    """Snippets for each client, with the connection string minus the password (each asks for it)."""
    dsn = make_conninfo(**{k: v for k, v in parameters.items() if k != "password"})
    return {
        "dsn": dsn,
        "psql": f'psql "{dsn}"',
        "duckdb": (f"INSTALL postgres; LOAD postgres;\n"
                   f"ATTACH '{dsn} password=…' AS lake (TYPE postgres, READ_ONLY);\n"
                   "SELECT count(*) FROM lake.timeseries.location_point;"),
        "pandas": ("import getpass, pandas as pd, psycopg\n"
                   f'conn = psycopg.connect("{dsn}", password=getpass.getpass())\n'
                   'df = pd.read_sql("SELECT day, points FROM analytics.my_daily ORDER BY day", conn)'),
    }


# Over the person's own rows only: the policies filter, whatever the query says.
EXAMPLES = [
    ("Days per country (from your place visits' addresses)",
     "SELECT trim(regexp_replace(address, '^.*,', '')) AS country,\n"
     "       count(DISTINCT started_at::date) AS days\n"
     "  FROM timeseries.place_visit\n WHERE address <> ''\n GROUP BY 1 ORDER BY days DESC LIMIT 20;"),
    ("Top searches",
     "SELECT substr(title, length('Searched for ') + 1) AS search, count(*) AS times\n"
     "  FROM timeseries.activity_event\n WHERE title LIKE 'Searched for %'\n"
     " GROUP BY 1 ORDER BY times DESC LIMIT 20;"),
    ("Location points per month",
     "SELECT date_trunc('month', recorded_at) AS month, count(*)\n"
     "  FROM timeseries.location_point GROUP BY 1 ORDER BY 1;"),
    ("A view of your own, in your workspace",
     "CREATE VIEW my_walks AS\n  SELECT started_at, ended_at FROM timeseries.activity_segment\n"
     "   WHERE activity_type = 'WALKING';\nSELECT count(*) FROM my_walks;"),
]


def limits() -> dict:
    return {
        "connections": settings.SQL_ACCESS_CONNECTION_LIMIT,
        "statement_seconds": settings.SQL_ACCESS_STATEMENT_TIMEOUT_SECONDS,
        "idle_seconds": settings.SQL_ACCESS_IDLE_IN_TRANSACTION_SECONDS,
        "temp_mb": settings.SQL_ACCESS_TEMP_FILE_LIMIT_MB,
        "workspace_mb": settings.SQL_ACCESS_WORKSPACE_QUOTA_MB,
    }
