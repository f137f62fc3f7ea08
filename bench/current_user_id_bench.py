"""What the login-aware `user_data.current_user_id()` costs the policies, against the function it replaced.

    python bench/current_user_id_bench.py --rows 300000

In a scratch lake (bench/scratch.py), two identical tables of N rows spread
over three people, each with FORCE'd row-level security: one policy calls
the previous body (core/migrations/0001_schemas.py), the other today's
(sqlaccess/migrations/0001_initial.py). Each query runs five times and the
median counts, serially (no parallel workers), as:

* the app role under a user scope (the console and workers): a sequential
  scan, where the policy is evaluated on every row, and an index range
  scan, where it is evaluated once;
* a SQL-access login (today's function only: before, logins did not exist),
  whose rows come from the SECURITY DEFINER mapping lookup.

The last line printed is one JSON object.
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scratch import scratch_lake  # noqa: E402

SEQ = "SELECT count(*) FROM bench.{table} WHERE value >= 0"
INDEX = "SELECT count(*) FROM bench.{table} WHERE user_id = %(user)s AND at >= %(start)s AND at < %(end)s"
REPEATS = 5
# The sequential scan is forced: with an index on user_id the planner would
# rather evaluate the policy once, as an index condition.
SEQ_ONLY = "SET {scope} enable_indexscan = off; SET {scope} enable_bitmapscan = off"
ANY_PLAN = "SET {scope} enable_indexscan = on; SET {scope} enable_bitmapscan = on"


def median_ms(cursor, query, params=None) -> float:
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        cursor.execute(query, params)
        cursor.fetchall()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 2)


def build(rows: int, users: list[int]) -> None:
    from django.conf import settings
    from django.db import connections

    with connections["owner"].cursor() as cursor:
        cursor.execute("CREATE SCHEMA bench")
        cursor.execute("CREATE FUNCTION bench.previous_current_user_id() RETURNS bigint LANGUAGE sql STABLE "
                       "PARALLEL SAFE AS $$ SELECT nullif(current_setting('app.user_id', true), '')::bigint $$")
        for table, function in (("previous", "bench.previous_current_user_id()"),
                                ("current", "user_data.current_user_id()")):
            cursor.execute(f"CREATE TABLE bench.{table} (user_id bigint NOT NULL, at timestamptz NOT NULL, "
                           "value int NOT NULL)")
            cursor.execute(f"INSERT INTO bench.{table} SELECT (ARRAY{users})[1 + g %% {len(users)}], "
                           "timestamptz '2024-01-01' + g * interval '1 minute', g FROM generate_series(1, %s) g",
                           [rows])
            cursor.execute(f"CREATE INDEX ON bench.{table} (user_id, at)")
            cursor.execute(f"ALTER TABLE bench.{table} ENABLE ROW LEVEL SECURITY")
            cursor.execute(f"ALTER TABLE bench.{table} FORCE ROW LEVEL SECURITY")
            cursor.execute(f"CREATE POLICY user_isolation ON bench.{table} USING (user_id = {function})")
            cursor.execute(f"ANALYZE bench.{table}")
        for role in (settings.DB_APP_ROLE, settings.DB_READER_ROLE):
            cursor.execute(f'GRANT USAGE ON SCHEMA bench TO "{role}"')
            cursor.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA bench TO "{role}"')
            cursor.execute(f'GRANT EXECUTE ON FUNCTION bench.previous_current_user_id() TO "{role}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=300_000)
    args = parser.parse_args()
    with scratch_lake("cuid_bench"):
        import psycopg
        from django.contrib.auth import get_user_model
        from django.db import connections

        from core.rls import user_scope
        from sqlaccess.actions import grant_login, revoke_login

        people = [get_user_model().objects.create_user(f"bench{n}") for n in range(3)]
        build(args.rows, [person.pk for person in people])
        alice = people[0]
        window = {"user": alice.pk, "start": "2024-01-10", "end": "2024-01-11"}
        result = {"rows": args.rows, "repeats": REPEATS}
        with user_scope(alice.pk), connections["default"].cursor() as cursor:
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            for table in ("previous", "current"):
                cursor.execute(SEQ_ONLY.format(scope="LOCAL"))
                result[f"app_seq_scan_ms_{table}"] = median_ms(cursor, SEQ.format(table=table))
                cursor.execute(ANY_PLAN.format(scope="LOCAL"))
                result[f"app_index_scan_ms_{table}"] = median_ms(cursor, INDEX.format(table=table), window)
            cursor.execute(SEQ.format(table="current"))
            result["app_rows_seen"] = cursor.fetchone()[0]
        granted = grant_login(alice)
        try:
            with psycopg.connect(granted.dsn, autocommit=True) as conn, conn.cursor() as cursor:
                cursor.execute("SET max_parallel_workers_per_gather = 0")
                cursor.execute(SEQ_ONLY.format(scope="SESSION"))
                result["login_seq_scan_ms"] = median_ms(cursor, SEQ.format(table="current"))
                cursor.execute(ANY_PLAN.format(scope="SESSION"))
                result["login_index_scan_ms"] = median_ms(cursor, INDEX.format(table="current"), window)
                cursor.execute(SEQ.format(table="current"))
                result["login_rows_seen"] = cursor.fetchone()[0]
        finally:
            revoke_login(alice)
        result["app_seq_scan_ratio"] = round(result["app_seq_scan_ms_current"] / result["app_seq_scan_ms_previous"], 2)
        result["login_seq_scan_ratio"] = round(result["login_seq_scan_ms"] / result["app_seq_scan_ms_previous"], 2)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
